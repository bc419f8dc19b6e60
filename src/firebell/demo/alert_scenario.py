"""`firebell demo --scenario alert`: an Alertmanager alert declares an incident, over HTTP, as in production.

The demo plays Alertmanager: it POSTs webhook (version 4) bodies to `/api/v1/alerts/prometheus` with the
source's bearer token. A critical alert declares an incident with no declarer (war room, kick-off listing the
alert, announcement); a person takes command with "I'm the IC"; more alerts arrive and are told to the war
room as coalesced notes; they resolve, and the room is told once; a person mitigates (Firebell never does).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from firebell.config import policy_from_mapping
from firebell.domain.policy import Policy

from .player import ACTION_PAUSE, Demo, Step, StepFailed, run_script
from .stack import DEMO_POLICY, running_stack
from .transcript import Transcript

SOURCE, TOKEN_ENV = "prometheus", "FIREBELL_DEMO_PROMETHEUS_TOKEN"
GROUP_KEY = '{}:{service="checkout"}'
FIRST = "HighHTTP5xxRate"
MORE = ("CheckoutLatencyHigh", "PaymentsErrorBudgetBurn", "CartServiceDown")


def alert_policy() -> Policy:
    """The demo's policy plus an Alertmanager source that declares at SEV2 (critical alerts)."""
    raw: dict[str, Any] = {
        **DEMO_POLICY,
        "alert_sources": [
            {
                "name": SOURCE,
                "kind": "alertmanager",
                "token_env": TOKEN_ENV,
                "service_label": "service",
                "severity_from": {"label": "severity", "map": {"critical": "SEV2", "warning": "SEV3"}},
                "declare": {"min_severity": "SEV2"},
            }
        ],
    }
    return policy_from_mapping(raw, source="demo policy")


@contextmanager
def alert_token() -> Iterator[str]:
    """A fresh bearer token for the demo's source, in the environment only while the demo runs."""
    token, before = secrets.token_urlsafe(24), os.environ.get(TOKEN_ENV)
    os.environ[TOKEN_ENV] = token
    try:
        yield token
    finally:
        if before is None:
            os.environ.pop(TOKEN_ENV, None)
        else:
            os.environ[TOKEN_ENV] = before


def _alert(name: str, status: str, summary: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, "service": "checkout", "severity": "critical"},
        "annotations": {"summary": summary},
        "startsAt": "2026-12-07T13:50:00Z",
        "endsAt": "2026-12-07T14:03:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": hashlib.sha256(name.encode()).hexdigest()[:16],
    }


def _group(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": GROUP_KEY,
        "truncatedAlerts": 0,
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "receiver": "firebell",
        "groupLabels": {"service": "checkout"},
        "commonLabels": {"service": "checkout"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }


SUMMARIES = {
    FIRST: "5xx rate on checkout is 12% (threshold 2%)",
    "CheckoutLatencyHigh": "p99 latency of checkout is 4.2s",
    "PaymentsErrorBudgetBurn": "payments burns its error budget 14x too fast",
    "CartServiceDown": "cart has no healthy instances",
}


def send(demo: Demo, alerts: list[tuple[str, str]], *, times: int = 1) -> None:
    """Alertmanager POSTs the group as it stands (`times`: re-sent, as every replica and interval does)."""
    body = json.dumps(_group([_alert(name, status, SUMMARIES[name]) for name, status in alerts])).encode()
    shown = ", ".join(f"{name} ({status})" for name, status in alerts)
    again = f", {times} times (as Alertmanager re-sends)" if times > 1 else ""
    demo.narrate(f"Alertmanager POSTs /api/v1/alerts/{SOURCE}: {shown}{again}")
    headers = {"Authorization": f"Bearer {os.environ[TOKEN_ENV]}", "Content-Type": "application/json"}
    answers = [
        httpx.post(f"{demo.stack.service.url}/api/v1/alerts/{SOURCE}", content=body, headers=headers, timeout=10)
        for _ in range(times)
    ]
    for answer in answers:
        if answer.status_code != 200:
            raise StepFailed(f"expected 200 from the webhook; Firebell answered {answer.status_code}: {answer.text}")
    new = [json.loads(answer.text)["new"] for answer in answers]
    demo.ok(f"Firebell answered 200 each time; new alerts stored: {' + '.join(map(str, new))}")


def alert_declares(demo: Demo) -> None:
    send(demo, [(FIRST, "firing")], times=2)
    prefix = f"{demo.stack.policy.channel_prefix}-"
    room = demo.wait(
        "a war room, declared from the alert",
        lambda: next((c for c in demo.emu.channels.values() if c.name.startswith(prefix)), None),
    )
    demo.room_id = room.id
    demo.number = int(room.name.split("-")[1])
    demo.wait(
        "the kick-off lists the alert, says who declared it and that nobody leads yet",
        lambda: next(
            (
                m
                for m in demo.emu.messages(demo.room_id)
                if FIRST in demo.shown(m)
                and "declared from alerts (prometheus)" in demo.shown(m)
                and "No Incident Commander yet" in demo.shown(m)
            ),
            None,
        ),
    )
    demo.wait("the kick-off suggests the 5xx runbook", lambda: demo.bot_message(demo.room_id, "Suggested runbooks"))
    demo.wait(f"the announcement in #incidents for {demo.inc}", lambda: demo.bot_message("incidents", demo.inc))


def claim(demo: Demo) -> None:
    kickoff = demo.bot_message(demo.room_id, "No Incident Commander yet")
    if kickoff is None:
        raise StepFailed("expected the kick-off to offer [I'm the IC]")
    demo.pause(ACTION_PAUSE)
    demo.press("alice", kickoff, "I'm the IC")
    demo.wait("Alice is told she is the Incident Commander", lambda: demo.ephemeral("alice", "You are the Incident"))
    demo.wait("the topic names Alice as IC", lambda: "IC: <@" + demo.emu.user_id("alice") in demo.room().topic.value)


def more_alerts(demo: Demo) -> None:
    firing = [(FIRST, "firing")]
    for name in MORE:
        firing.append((name, "firing"))
        send(demo, firing, times=2)
    demo.wait(
        "the war room is told of the new alerts in one or two notes, not one per request",
        lambda: demo.bot_message(demo.room_id, "more alert"),
    )


def all_resolved(demo: Demo) -> None:
    send(demo, [(name, "resolved") for name in (FIRST, *MORE)], times=3)
    demo.wait(
        "the war room is told once: all alerts resolved; consider /incident mitigate",
        lambda: demo.bot_message(demo.room_id, "All alerts resolved"),
    )


def mitigate(demo: Demo) -> None:
    demo.narrate("Firebell does not mitigate by itself: Alice decides")
    demo.command("alice", demo.room_id, "mitigate Alerts resolved after the rollback")
    demo.wait("the room is told the incident is mitigated", lambda: demo.bot_message(demo.room_id, "Mitigated:"))


ALERT_STEPS = (
    Step("A critical alert declares an incident", alert_declares),
    Step("I'm the IC", claim),
    Step("More alerts: coalesced notes in the war room", more_alerts),
    Step("All alerts resolved", all_resolved),
    Step("A person mitigates", mitigate),
)


def run_alert_scenario(console: Console, *, color: bool, speed: float, output: Path) -> bool:
    """Start the emulator and Firebell with the alert source, play ALERT_STEPS, stop everything."""
    with alert_token(), running_stack(policy=alert_policy()) as stack:
        console.print(
            f"Alertmanager's webhook: {stack.service.url}/api/v1/alerts/{SOURCE}; database {stack.database_url}.",
            soft_wrap=True,
        )
        transcript = Transcript(stack.emu, console, color=color, max_lines=24)
        transcript.say(transcript.legend())
        return run_script(stack, transcript, speed=speed, output=output, steps=ALERT_STEPS)
