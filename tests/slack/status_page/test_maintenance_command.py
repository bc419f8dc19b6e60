"""`/incident maintenance …` through signed slash commands and the emulator: scheduled from any channel in the
status page's time zone, listed with ids, cancelled with who and when; the announcement channel is told; bad input
is answered ephemerally and changes nothing."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from firebell.domain.errors import UsageError
from firebell.domain.policy import Policy
from firebell.emulator import EmulatorServer, SlackEmulator
from firebell.services.status_page.maintenance import list_maintenances
from firebell.services.status_page.revision import current_revision
from firebell.slack.grammar import parse_command
from firebell.slack.maintenance_grammar import CancelMaintenance, ListMaintenance, ScheduleMaintenance
from tests.clock import Clock
from tests.harness import Firebell, running_firebell

START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin
POLICY = Policy.model_validate(
    {
        "status_page": {
            "timezone": "Europe/Berlin",
            "components": [{"name": "Checkout API", "group": "Payments"}, {"name": "Search"}],
        }
    }
)


@pytest.fixture
def firebell(emu: SlackEmulator, slack: EmulatorServer, database_url: str, clean_db: Engine) -> Iterator[Firebell]:
    with running_firebell(emu, slack, database_url, POLICY, clock=Clock(START)) as running:
        yield running


def answers(firebell: Firebell, text: str, user: str = "alice", room: str = "general") -> str:
    """What the person is shown in answer to `/incident text` (the ack's, or what came to the response_url)."""
    result = firebell.driver.slash_command("/incident", text, user=user, channel=room)
    assert result.acked_in_time
    acked = result.json()
    if isinstance(acked, dict) and (acked.get("text") or acked.get("blocks")):
        found = [acked]
    else:
        assert firebell.runtime.after_ack.wait_idle(10) and result.response_url is not None
        url_id = result.response_url.rstrip("/").rsplit("/", 1)[-1]
        posts = [p for p in firebell.emu.responses if p.url_id == url_id]
        assert posts and all(p.body.get("response_type") == "ephemeral" for p in posts)
        found = [dict(p.body) for p in posts]
    return json.dumps(found, ensure_ascii=False).replace("&gt;", ">").replace("&lt;", "<")


def revision(firebell: Firebell) -> int:
    with firebell.runtime.ctx.db.read() as session:
        return current_revision(session)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maintenance", ListMaintenance()),
        ("maintenance all", ListMaintenance(everything=True)),
        ("maintenance cancel k7m2q9x4c8hp", CancelMaintenance("k7m2q9x4c8hp")),
        (
            "maintenance Checkout API, search 2026-12-08 02:00 2h Database upgrade. Payments may pause.",
            ScheduleMaintenance(
                ("Checkout API", "search"),
                "2026-12-08 02:00",
                "2h",
                "Database upgrade",
                "Database upgrade. Payments may pause.",
            ),
        ),
        (
            "maintenance search from 22:00 to 23:30 Reindex",
            ScheduleMaintenance(("search",), "22:00", "23:30", "Reindex", "Reindex"),
        ),
    ],
)
def test_maintenance_commands_parse(text: str, expected: object) -> None:
    assert parse_command(text, POLICY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("maintenance 2026-12-08 2h upgrade", "Name the components first"),
        ("maintenance search now", "Say when the maintenance starts and ends"),
        ("maintenance search now 2h", "Say what the maintenance is"),
        ("maintenance cancel", "needs the maintenance's id"),
    ],
)
def test_malformed_maintenance_commands_say_the_valid_form(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_command(text, POLICY)


def test_schedule_list_and_cancel_from_any_channel(firebell: Firebell, emu: SlackEmulator) -> None:
    before = revision(firebell)
    made = answers(firebell, "maintenance Checkout API, search 2026-12-08 02:00 2h Database upgrade. Payments pause.")
    assert "Maintenance `" in made and "*Checkout API*, *Search*" in made
    [view] = list_maintenances(firebell.runtime.ctx)
    assert view.components == ("checkout-api", "search") and view.title == "Database upgrade"
    assert (view.starts_at, view.ends_at) == (
        datetime(2026, 12, 8, 1, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 3, 0, tzinfo=UTC),
    )
    assert view.created_by == emu.user_id("alice") and view.status.value == "scheduled"
    assert revision(firebell) == before + 1

    firebell.settle()
    incidents = emu.channel("incidents")
    [posted] = [m for m in firebell.bot_messages(incidents.id) if "Maintenance scheduled" in (m.text or "")]
    assert "Database upgrade" in posted.text and view.public_id in json.dumps(posted.blocks)

    listed = answers(firebell, "maintenance", room="random")
    assert view.public_id in listed and "Database upgrade" in listed and "scheduled" in listed

    assert firebell.clock is not None
    firebell.clock.advance(timedelta(hours=16, minutes=30))  # 01:30 UTC: in progress
    [now_on] = list_maintenances(firebell.runtime.ctx)
    assert now_on.status.value == "in_progress"
    ended = answers(firebell, f"maintenance cancel {view.public_id}", user="bob")
    assert "has ended early" in ended
    assert list_maintenances(firebell.runtime.ctx) == []
    [kept] = list_maintenances(firebell.runtime.ctx, everything=True)
    assert kept.cancelled_by == emu.user_id("bob") and kept.cancelled_at == firebell.clock.now
    assert kept.status.value == "completed" and revision(firebell) == before + 2
    assert "over already" in answers(firebell, f"maintenance cancel {view.public_id}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "maintenance Payments 2026-12-08 02:00 2h Upgrade",
            "Unknown component 'Payments'. Components: checkout-api, search.",
        ),
        ("maintenance search 2026-12-06 02:00 2h Upgrade", "lies in the past"),
        ("maintenance search 2026-12-08 02:00 2026-12-08 01:00 Upgrade", "is not after the start"),
        ("maintenance search 2026-12-08 02:00 8d Upgrade", "at most 7 days"),
        ("maintenance search 2026-12-08 25:00 2h Upgrade", "Couldn't read the time"),
        ("maintenance cancel zzzz9999", "No maintenance 'zzzz9999'"),
    ],
)
def test_bad_maintenance_is_refused_ephemerally_and_changes_nothing(
    firebell: Firebell, text: str, message: str
) -> None:
    before = revision(firebell)
    assert message in answers(firebell, text)
    assert list_maintenances(firebell.runtime.ctx, everything=True) == []
    assert revision(firebell) == before


def test_help_lists_the_maintenance_subcommands(firebell: Firebell) -> None:
    shown: Any = answers(firebell, "help")
    assert "/incident maintenance <components> <from> <to> <text>" in shown
    assert "/incident maintenance cancel <id>" in shown
