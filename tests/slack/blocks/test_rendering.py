"""Block Kit renderers are pure: check structure, limits and that user text can never ping anyone."""

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from firebell.domain.cadence import CadenceReport
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Action, Status, allowed_actions
from firebell.domain.policy import Policy
from firebell.slack.blocks.incident import ActionId, announcement_message, kickoff_message, topic_text
from firebell.slack.blocks.notices import command_taken_dm, notice_message
from firebell.slack.blocks.replies import error_reply, help_reply, list_reply, status_reply

POLICY = Policy()
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
EVIL = "<!channel> <!here> <!everyone> <@U0MALLORY> & <https://evil.example|click>"
LIVE = re.compile(r"<(@[UW][A-Z0-9]+|!(?:channel|here|everyone|subteam))")


def incident(**changes: Any) -> IncidentSnapshot:
    base: dict[str, Any] = {
        "id": 1,
        "number": 42,
        "title": "Checkout failing",
        "severity": "SEV1",
        "status": Status.INVESTIGATING,
        "declared_by": "U0ALICE00",
        "declared_at": NOW,
        "roles": {"commander": "U0BOB0000"},
        "channel_id": "C0WARROOM",
    }
    base.update(changes)
    return IncidentSnapshot(**base)


def live_tokens(payload: object) -> set[str]:
    """Live mentions in the mrkdwn and text fields of a message (plain_text objects never ping)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "plain_text":
                return
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.update(m.group(1) for m in LIVE.finditer(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return found


def as_payload(message: Any) -> dict[str, Any]:
    return {"text": message.text, "blocks": message.blocks}


def test_kickoff_has_title_severity_ic_status_next_steps_and_buttons() -> None:
    message = kickoff_message(incident(), POLICY)
    dumped = json.dumps(message.blocks)
    assert message.blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "INC-42: Checkout failing", "emoji": True},
    }
    assert "*SEV1*: Significant customer-facing impact" in dumped
    assert "<@U0BOB0000>" in dumped
    assert "Investigating" in dumped
    assert "What happens next" in dumped
    assert "every *15m*" in dumped
    buttons = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [
        ActionId.POST_UPDATE,
        ActionId.CHANGE_SEVERITY,
        ActionId.PUBLIC_UPDATE,
        ActionId.MITIGATE,
        ActionId.RESOLVE,
    ]


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        # The mitigation may not hold: a mitigated incident can be reopened, so its kick-off offers it.
        (
            Status.MITIGATED,
            [ActionId.POST_UPDATE, ActionId.CHANGE_SEVERITY, ActionId.PUBLIC_UPDATE, ActionId.RESOLVE, ActionId.REOPEN],
        ),
        (
            Status.INVESTIGATING,
            [
                ActionId.POST_UPDATE,
                ActionId.CHANGE_SEVERITY,
                ActionId.PUBLIC_UPDATE,
                ActionId.MITIGATE,
                ActionId.RESOLVE,
            ],
        ),
        (Status.RESOLVED, [ActionId.REOPEN]),
        (Status.CLOSED, []),
    ],
)
def test_kickoff_buttons_follow_the_lifecycle(status: Status, buttons: list[str]) -> None:
    message = kickoff_message(incident(status=status), POLICY)
    found = [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert found == buttons


@pytest.mark.parametrize("status", list(Status))
def test_kickoff_offers_every_transition_the_lifecycle_allows(status: Status) -> None:
    message = kickoff_message(incident(status=status), POLICY)
    found = {e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]}
    by_action = {Action.MITIGATE: ActionId.MITIGATE, Action.RESOLVE: ActionId.RESOLVE, Action.REOPEN: ActionId.REOPEN}
    # Closing is the review's command (`/incident close`), never a button.
    expected = {by_action[a] for a in allowed_actions(status) if a is not Action.CLOSE}
    assert found & set(by_action.values()) == expected


def test_user_text_never_pings_in_any_message() -> None:
    evil = incident(title=EVIL, description=EVIL, customer_impact=EVIL)
    allowed = {"@U0BOB0000", "@U0ALICE00"}
    for message in (kickoff_message(evil, POLICY), announcement_message(evil, POLICY)):
        assert live_tokens(as_payload(message)) <= allowed
    assert live_tokens({"text": topic_text(evil)}) <= allowed
    update = notice_message(
        {
            "notice": "status_update",
            "text": EVIL,
            "severity": "SEV1",
            "status": "investigating",
            "commander": "U0BOB0000",
            "actor": "U0ALICE00",
            "number": 42,
            "target": "room",
        },
        POLICY,
    )
    assert live_tokens(as_payload(update)) <= allowed
    assert "&lt;!channel&gt;" in json.dumps(update.blocks)
    changed = notice_message(
        {
            "notice": "status_changed",
            "from": "investigating",
            "to": "resolved",
            "text": EVIL,
            "actor": "U0ALICE00",
            "number": 42,
            "target": "room",
        },
        POLICY,
    )
    assert live_tokens(as_payload(changed)) <= allowed
    assert live_tokens(as_payload(error_reply(f"Unknown severity `{EVIL}`"))) == set()
    listed = list_reply([evil], now=NOW)
    assert live_tokens(as_payload(listed)) <= allowed


def test_topic_fits_slack_limit_even_when_escaping_lengthens_it() -> None:
    topic = topic_text(incident(title="<&>" * 70))
    assert len(topic) <= 250
    assert topic.startswith("SEV1 | Investigating | IC: <@U0BOB0000> | ")
    assert "&am…" not in topic and not topic.endswith("&")


def test_header_is_cut_to_slack_limit() -> None:
    message = kickoff_message(incident(title="x" * 200), POLICY)
    assert len(message.blocks[0]["text"]["text"]) == 150


def test_announcement_links_the_war_room_and_shows_state() -> None:
    message = announcement_message(incident(status=Status.MITIGATED, severity="SEV2"), POLICY)
    dumped = json.dumps(message.blocks)
    assert "<#C0WARROOM>" in dumped
    assert "Mitigated" in dumped
    assert "SEV2" in dumped


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"notice": "handover", "user": "U0CAROL00", "previous": "U0BOB0000", "actor": "U0BOB0000"},
            "<@U0CAROL00> is now the Incident Commander (was <@U0BOB0000>)",
        ),
        (
            {"notice": "role_assigned", "user": "U0DAVE000", "role": "deputy", "actor": "U0BOB0000"},
            "<@U0DAVE000> is now *deputy*",
        ),
        (
            {"notice": "severity_changed", "from": "SEV3", "to": "SEV1", "direction": "raised", "actor": "U0BOB0000"},
            "Severity raised from *SEV3* to *SEV1*",
        ),
    ],
)
def test_notices(payload: dict[str, Any], expected: str) -> None:
    message = notice_message({**payload, "number": 42, "target": "room"}, POLICY)
    assert expected in json.dumps(message.blocks, ensure_ascii=False)


@pytest.mark.parametrize(
    ("status", "cadence"),
    [
        ("investigating", "Status updates now every *15m*."),
        ("mitigated", "Status updates now every *15m*."),
        ("resolved", "No status updates are due: the incident is resolved."),
    ],
)
def test_a_severity_change_promises_a_cadence_only_while_the_incident_is_open(status: str, cadence: str) -> None:
    payload = {"notice": "severity_changed", "from": "SEV3", "to": "SEV1", "direction": "raised", "actor": "U0BOB0000"}
    message = notice_message({**payload, "status": status, "number": 42, "target": "room"}, POLICY)
    assert cadence in json.dumps(message.blocks)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "room",
            ":rotating_light: <@U0ALICE00>, <@U0BOB0000> took command: <@U0BOB0000> is now the Incident Commander",
        ),
        ("announcement_thread", ":handshake: *INC-42* Command handed over: <@U0BOB0000> is now the Incident Commander"),
    ],
)
def test_command_taken_is_an_alarm_in_the_room_and_plain_news_in_the_announcement(target: str, expected: str) -> None:
    payload = {"notice": "handover", "user": "U0BOB0000", "previous": "U0ALICE00", "actor": "U0BOB0000"}
    message = notice_message({**payload, "taken": True, "number": 42, "target": target}, POLICY)
    assert message.text.startswith(expected)


def test_the_dm_to_an_ic_whose_command_was_taken_never_pings_from_the_title() -> None:
    payload = {"message": "command_taken", "user": "U0ALICE00", "new": "U0BOB0000", "actor": "U0BOB0000"}
    message = command_taken_dm(incident(title=EVIL), payload)
    assert live_tokens(as_payload(message)) <= {"@U0BOB0000"}
    assert "&lt;!channel&gt;" in json.dumps(message.blocks)


def test_notice_in_announcement_thread_names_the_incident() -> None:
    message = notice_message(
        {
            "notice": "severity_changed",
            "from": "SEV3",
            "to": "SEV1",
            "direction": "raised",
            "actor": "U0BOB0000",
            "number": 42,
            "target": "announcement_thread",
        },
        POLICY,
    )
    assert "*INC-42* Severity raised" in message.blocks[0]["text"]["text"]


def test_help_lists_every_subcommand() -> None:
    dumped = json.dumps(help_reply(POLICY).blocks)
    for word in (
        "declare",
        "list",
        "help",
        "ic @user",
        "role <role> @user",
        "sev <1-4|sevN>",
        "update <text>",
        "note <text>",
        "mitigate",
        "resolve",
        "reopen",
        "status",
        "timeline",
    ):
        # as Slack shows it: placeholders are escaped, so a bare <text> is never read as markup
        assert f"/incident {word.replace('<', '&lt;').replace('>', '&gt;')}" in dumped
    assert "<text>" not in dumped


def test_status_reply_shows_roles_and_times() -> None:
    report = CadenceReport(updates_due=3, updates_on_time=2, longest_silence=timedelta(minutes=21))
    snapshot = incident(
        roles={"commander": "U0BOB0000", "scribe": "U0CAROL00"}, next_update_due_at=NOW - timedelta(minutes=4)
    )
    message = status_reply(snapshot, POLICY, now=NOW, report=report)
    dumped = json.dumps(message.blocks)
    assert "Next update due: *overdue* by 4m" in dumped
    assert "Updates on time: 2 of 3 due; longest silence 21m" in dumped
    assert "scribe: <@U0CAROL00>" in dumped
    assert "0s ago" in dumped
