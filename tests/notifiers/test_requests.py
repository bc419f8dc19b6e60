"""Each notifier's request, built purely from (config, notice, secret, now): what the far side will see."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import yaml

from firebell.config import policy_from_mapping
from firebell.domain.oncall.notifiers import PagerDutySeverity, with_all_severities
from firebell.domain.paging import NotifyEvent
from firebell.notifiers import ntfy as ntfy_notifier
from firebell.notifiers import pagerduty as pd_notifier
from firebell.notifiers import webhook as webhook_notifier
from firebell.notifiers.delivery import retry_after
from tests.notifiers.notices import ROUTING_KEY, notice, ntfy, pagerduty, webhook

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"]


def test_a_webhook_is_signed_over_the_timestamp_and_the_body() -> None:
    request = webhook_notifier.build(webhook(), notice(), "s3cret", NOW)
    stamp = request.headers["X-Firebell-Timestamp"]
    assert stamp == str(int(NOW.timestamp()))
    expected = hmac.new(b"s3cret", stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Firebell-Signature"] == f"v1={expected}"
    assert (request.method, request.url) == ("POST", "https://hooks.example.com/firebell")
    assert "s3cret" not in json.dumps(request.headers) + request.body.decode()


def test_a_webhook_body_carries_the_whole_notice() -> None:
    body = json.loads(webhook_notifier.build(webhook(), notice(paged_by="U09CAROL"), "s", NOW).body)
    assert body == {
        "id": "3-notify-U01ALICE-0-0",
        "event": "notify",
        "incident": {
            "number": 42,
            "key": "firebell-incident-7",
            "title": "Checkout is down",
            "severity": "SEV1",
            "service": "checkout",
        },
        "page_id": 3,
        "target": "service:checkout",
        "user": "U01ALICE",
        "round": 0,
        "step": 0,
        "at": "2026-11-24T09:00:00+00:00",
        "room_url": "https://example.slack.com/archives/C0ROOM",
        "reason": "5xx above 20%",
        "paged_by": "U09CAROL",
    }


def test_ntfy_pages_are_urgent_and_acknowledgements_do_not_ring() -> None:
    page = ntfy_notifier.build(ntfy(), notice(), None, NOW)
    assert page.headers["Priority"] == "urgent"
    assert page.headers["Title"] == "INC-42 SEV1: Checkout is down"
    assert page.headers["Click"] == "https://example.slack.com/archives/C0ROOM"
    assert page.headers["Tags"] == "rotating_light,sev1"
    assert "Authorization" not in page.headers
    assert page.body.decode().startswith("U01ALICE is paged for INC-42: Checkout is down\n")
    ack = ntfy_notifier.build(ntfy(events=["notify", "acknowledge"]), notice(NotifyEvent.ACKNOWLEDGE), None, NOW)
    assert ack.headers["Priority"] == "low"


def test_ntfy_for_one_person_says_you_and_sends_the_token() -> None:
    request = ntfy_notifier.build(ntfy(users=["U01ALICE"], token_env="NTFY_TOKEN"), notice(), "tk_abc", NOW)
    assert request.headers["Authorization"] == "Bearer tk_abc"
    assert request.body.decode().splitlines()[0] == "You are paged for INC-42: Checkout is down"


def test_ntfy_titles_beyond_ascii_are_rfc_2047_encoded_and_newlines_never_reach_a_header() -> None:
    request = ntfy_notifier.build(ntfy(), notice(title="Kasse fällt aus\r\nX-Injected: 1"), None, NOW)
    title = request.headers["Title"]
    assert title.isascii() and "\n" not in title and title.startswith("=?UTF-8?B?")
    assert str(make_header(decode_header(title))) == "INC-42 SEV1: Kasse fällt aus  X-Injected: 1"
    assert base64.b64decode(title[10:-2]).decode().endswith("X-Injected: 1")


def test_ntfy_keeps_a_long_message_under_its_push_limit() -> None:
    request = ntfy_notifier.build(ntfy(), notice(reason="é" * 5000), None, NOW)
    assert len(request.body) <= ntfy_notifier.MAX_BODY_BYTES
    request.body.decode()  # still valid UTF-8: never cut inside a character


def test_pagerduty_triggers_with_the_incident_key_and_a_mapped_severity() -> None:
    config = with_all_severities(pagerduty(), SEVERITIES)
    event = json.loads(pd_notifier.build(config, notice(), ROUTING_KEY, NOW).body)
    assert event["routing_key"] == ROUTING_KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "firebell-incident-7"
    assert event["payload"]["summary"] == "INC-42 SEV1: Checkout is down"
    assert event["payload"]["severity"] == "critical"
    assert event["payload"]["source"] == event["payload"]["component"] == "checkout"
    assert event["links"] == [{"href": "https://example.slack.com/archives/C0ROOM", "text": "INC-42 war room in Slack"}]
    assert pd_notifier.build(config, notice(), ROUTING_KEY, NOW).url == "https://events.pagerduty.com/v2/enqueue"


def test_pagerduty_acknowledge_and_resolve_name_only_the_alert() -> None:
    config = with_all_severities(pagerduty(), SEVERITIES)
    for event, action in ((NotifyEvent.ACKNOWLEDGE, "acknowledge"), (NotifyEvent.RESOLVE, "resolve")):
        body = json.loads(pd_notifier.build(config, notice(event), ROUTING_KEY, NOW).body)
        assert body == {"routing_key": ROUTING_KEY, "event_action": action, "dedup_key": "firebell-incident-7"}


def test_pagerduty_severities_map_by_rank_unless_configured() -> None:
    ranked = with_all_severities(pagerduty(), SEVERITIES)
    assert [pd_notifier.severity_of(ranked, s) for s in SEVERITIES] == list(PagerDutySeverity)
    five = with_all_severities(pagerduty(), [*SEVERITIES, "SEV5"])
    assert pd_notifier.severity_of(five, "SEV5") is PagerDutySeverity.INFO
    configured = with_all_severities(pagerduty(severities={"sev2": "critical"}), SEVERITIES)
    assert pd_notifier.severity_of(configured, "SEV2") is PagerDutySeverity.CRITICAL
    assert pd_notifier.severity_of(configured, "SEV9") is PagerDutySeverity.ERROR  # a level since removed


def test_pagerduty_summary_stays_within_1024_characters() -> None:
    config = with_all_severities(pagerduty(), SEVERITIES)
    event = json.loads(pd_notifier.build(config, notice(title="x" * 5000), ROUTING_KEY, NOW).body)
    assert len(event["payload"]["summary"]) == 1024


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = NOW.timestamp()
    assert retry_after("30", now) == 30
    assert retry_after("Tue, 01 Dec 2026 12:01:00 GMT", now) == 60
    assert retry_after("Tue, 01 Dec 2026 11:00:00 GMT", now) == 0
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None
    assert retry_after("999999", now) == 3600


def test_the_readme_verification_snippet_accepts_a_real_request_and_refuses_a_forged_one() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Notifiers", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(snippet, scope)  # noqa: S102 (the README's own example)
    wall = datetime.now(UTC)
    request = webhook_notifier.build(webhook(), notice(), "s3cret", wall)
    assert scope["verify"](b"s3cret", request.headers, request.body)
    assert not scope["verify"](b"s3cret", request.headers, request.body.replace(b"SEV1", b"SEV4"))
    assert not scope["verify"](b"other", request.headers, request.body)


def test_the_readme_example_is_a_valid_policy() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("### Notifiers", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    policy = policy_from_mapping(yaml.safe_load(example), source="README")
    assert [n.kind.value for n in policy.paging.notifiers] == ["webhook", "ntfy", "pagerduty"]
