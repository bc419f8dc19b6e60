"""Setting key times on the real store: one timeline event per change, the same rules from the command and
the postmortem form, and who may (the policy's `permissions.times`)."""

from dataclasses import replace
from datetime import timedelta

import pytest

from firebell.domain.errors import NotPermitted
from firebell.domain.incident_times import TimeField, TimeRefused
from firebell.domain.lifecycle import Action
from firebell.domain.permissions import Permissions
from firebell.services.context import Context
from firebell.services.incident_times import set_time, times_of
from firebell.services.incidents import get_incident
from firebell.services.lifecycle import change_status
from firebell.services.postmortem import save_sections
from firebell.services.timeline import timeline_of
from tests.clock import Clock
from tests.services.test_use_cases import ALICE, BOB, declare_with_room

ROOM = "C0ROOM001"
M = timedelta(minutes=1)


def times_events(ctx: Context) -> list[str]:
    incident = get_incident(ctx, 1)
    with ctx.db.read() as session:
        return [e.text for e in timeline_of(session, incident.id) if e.kind.value == "times_changed"]


def save_impact(ctx: Context, impact: object) -> None:
    save_sections(
        ctx,
        number=1,
        actor=BOB,
        summary=None,
        contributing_factors=None,
        lessons=None,
        impact_started_at=impact,  # type: ignore[arg-type]
        review_on=None,
    )


def test_command_and_form_write_the_same_moment_once(ctx: Context, clock: Clock) -> None:
    declare_with_room(ctx)
    declared = clock.now
    done = set_time(ctx, channel_id=ROOM, actor=ALICE, field=TimeField.IMPACT, text="08:40")
    assert done.moment == declared - 20 * M and done.previous is None and done.warnings == ()
    assert times_of(ctx, channel_id=ROOM).times.time_to_detect == 20 * M
    clock.advance(10 * M)
    change_status(ctx, channel_id=ROOM, actor=ALICE, action=Action.RESOLVE)
    clock.advance(5 * M)

    save_impact(ctx, declared - 20 * M + 30 * timedelta(seconds=1))  # the same minute, as a picker sends it back
    assert times_events(ctx) == ["Impact start set to 2026-11-24 08:40 UTC (was not set)"]
    save_impact(ctx, declared - 25 * M)
    assert get_incident(ctx, 1).impact_started_at == declared - 25 * M
    with pytest.raises(TimeRefused, match=r"after the incident was (mitigated|resolved) \(2026-11-24 09:10 UTC\)"):
        save_impact(ctx, declared + 12 * M)
    save_impact(ctx, None)  # cleared in the form: back to "taken as the detection"
    assert get_incident(ctx, 1).impact_started_at is None
    assert times_events(ctx) == [
        "Impact start set to 2026-11-24 08:40 UTC (was not set)",
        "Impact start set to 2026-11-24 08:35 UTC (was 2026-11-24 08:40 UTC)",
        "Impact start cleared (was 2026-11-24 08:35 UTC)",
    ]


def test_who_may_set_times_is_the_policys_call(ctx: Context) -> None:
    ctx = replace(ctx, policy=ctx.policy.model_copy(update={"permissions": Permissions(times=("commander",))}))
    declare_with_room(ctx)
    with pytest.raises(NotPermitted, match="set the impact start or detection time of INC-1"):
        set_time(ctx, channel_id=ROOM, actor=BOB, field=TimeField.IMPACT, text="10m ago")
    assert set_time(ctx, channel_id=ROOM, actor=ALICE, field=TimeField.DETECTED, text="5m ago").previous is not None
