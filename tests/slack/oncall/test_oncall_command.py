"""`/oncall`, `/oncall <schedule>`, `/oncall me`, overrides and covers: what the person is shown and what the
store holds."""

from datetime import UTC, datetime, timedelta

from firebell.emulator import SlackEmulator
from firebell.services.oncall.answers import on_call
from firebell.services.oncall.overrides import list_overrides
from tests.clock import Clock
from tests.harness import Firebell
from tests.slack.oncall.conftest import ALICE, BOB, DAVE, ERIN, oncall, oncall_answers


def utc(text: str) -> str:
    """The fallback of a Slack date token for a UTC moment (what the answer holds for every reader's zone)."""
    return f"|{text} UTC>"


def test_the_board_says_who_is_on_call_until_when_and_who_is_next(firebell: Firebell) -> None:
    answer = oncall(firebell, "")
    assert "On call now" in answer
    assert f"*checkout-primary*: <@{ALICE}> until <!date^" in answer
    assert f"{utc('2026-01-05 19:00')}, then <@{DAVE}>" in answer  # 20:00 in Berlin, the end of Alice's hours
    assert f"*search*: <@{ERIN}> until" in answer
    assert f"{utc('2026-01-06 09:00')}, then <@{BOB}>" in answer


def test_help_is_answered_in_the_ack_with_every_subcommand_and_how_times_are_read(firebell: Firebell) -> None:
    result = firebell.driver.slash_command("/oncall", "help", user="alice", channel="general")
    body = result.json()
    text = str(body)
    for syntax in ("override &lt;schedule&gt;", "cover &lt;schedule&gt;", "temporary &lt;schedule&gt;", "maintenance"):
        assert syntax in text
    assert "schedule's time zone" in text
    assert body["response_type"] == "ephemeral"


def test_an_override_is_made_marked_with_who_made_it_and_removed(firebell: Firebell, clock: Clock) -> None:
    made = oncall(firebell, "override checkout-primary @bob 2026-01-06 09:00 2026-01-06 12:00", user="carol")
    assert f"Override 1: <@{BOB}> is on call for *checkout-primary* from" in made
    assert utc("2026-01-06 08:00") in made and utc("2026-01-06 11:00") in made  # read in Berlin time
    [stored] = list_overrides(firebell.runtime.ctx, "checkout-primary")
    carol = firebell.emu.user_id("carol")
    assert (stored.user, stored.created_by) == (BOB, carol)
    assert (stored.start, stored.end) == (datetime(2026, 1, 6, 8, tzinfo=UTC), datetime(2026, 1, 6, 11, tzinfo=UTC))

    fortnight = oncall(firebell, "checkout-primary")
    assert "The next 14 days, shift by shift (the schedule runs in Europe/Berlin)" in fortnight
    assert f"<@{BOB}>  _(override 1 by <@{carol}>)_" in fortnight
    assert fortnight.count("(override") == 1

    listed = oncall(firebell, "overrides checkout-primary")
    assert f"*1*  <@{BOB}>" in listed and f"_by <@{carol}>_" in listed
    removed = oncall(firebell, "remove checkout-primary 1", user="bob")
    assert "Override 1 on *checkout-primary*" in removed and "is removed" in removed
    assert list_overrides(firebell.runtime.ctx, "checkout-primary") == []
    [kept] = list_overrides(firebell.runtime.ctx, "checkout-primary", everything=True)
    assert kept.removed_by == firebell.emu.user_id("bob")


def test_an_override_end_may_be_a_length_and_clock_times_are_the_next_ones(firebell: Firebell) -> None:
    oncall(firebell, "override search @bob 08:00 4h")  # 08:00 UTC has passed today: tomorrow's
    [stored] = list_overrides(firebell.runtime.ctx, "search")
    assert (stored.start, stored.end) == (datetime(2026, 1, 6, 8, tzinfo=UTC), datetime(2026, 1, 6, 12, tzinfo=UTC))
    oncall(firebell, "override search @dave from 22:00 to 06:00")  # an end before the start's clock: next day
    stored = list_overrides(firebell.runtime.ctx, "search")[0]
    assert (stored.start, stored.end) == (datetime(2026, 1, 5, 22, tzinfo=UTC), datetime(2026, 1, 6, 6, tzinfo=UTC))


def test_cover_takes_the_shift_until_it_ends_or_for_a_while(firebell: Firebell, clock: Clock) -> None:
    ctx = firebell.runtime.ctx
    covered = oncall(firebell, "cover search", user="dave")
    assert f"<@{DAVE}> is on call for *search* from" in covered
    now = on_call(ctx, "search", clock.now)
    assert (now.users, now.until) == ((DAVE,), datetime(2026, 1, 6, 9, tzinfo=UTC))
    [stored] = list_overrides(ctx, "search")
    assert (stored.start, stored.created_by) == (clock.now, DAVE)

    oncall(firebell, "cover checkout-primary for 2h", user="erin")
    assert on_call(ctx, "checkout-primary", clock.now + timedelta(minutes=119)).users == (ERIN,)
    assert on_call(ctx, "checkout-primary", clock.now + timedelta(hours=2)).users == (ALICE,)

    again = oncall(firebell, "cover search", user="dave")
    assert "You are already on call for search until 2026-01-06 09:00 UTC" in again


def test_me_says_whether_i_am_on_call_and_lists_my_next_shifts(firebell: Firebell) -> None:
    mine = oncall(firebell, "me", user="erin")
    assert f"<@{ERIN}>, you are on call now: *search* until" in mine
    assert mine.count("*search*") == 1 + 15  # now, then every other day over the next 30 days
    oncall(firebell, "override checkout-primary @erin 2026-01-07 09:00 2026-01-07 10:00")
    with_override = oncall(firebell, "me", user="erin")
    assert "*checkout-primary*  _(override)_" in with_override
    idle = oncall(firebell, "me", user="alice")
    assert "you are not on call now" not in idle  # Alice holds checkout-primary now
    nobody = oncall(firebell, "me", user="carol")  # carol is on the rotation by e-mail, not resolved here
    assert "you are not on call now" in nobody


def test_bad_input_is_refused_naming_what_is_wrong_and_nothing_changes(firebell: Firebell, emu: SlackEmulator) -> None:
    ctx = firebell.runtime.ctx
    cases = {
        "override nope @bob now 2h": "No schedule 'nope'. Schedules: checkout-primary, search.",
        "override search bob now 2h": "`bob` is not a user mention",
        "override search @bob 2026-01-05 12:00 2026-01-05 11:00": "is not after the start",
        "override search @bob 2026-01-01 09:00 2026-01-01 10:00": "lies in the past",
        "override search @bob tomorrow 2h": "Couldn't read the time `tomorrow`",
        "override search @bob now": "needs when it starts and when it ends",
        "override search @firebell now 2h": "Firebell cannot be on call; pick a person.",
        "cover search for ever": "`cover` takes an optional length like `for 4h`",
        "remove search twelve": "needs the override id (a number)",
        "remove search 99": "No override 99 on schedule 'search'.",
        "nope": "No schedule 'nope'. Schedules: checkout-primary, search.",
        "frobnicate the thing": "is not an /oncall subcommand",
    }
    for text, expected in cases.items():
        answer = oncall(firebell, text)
        assert ":warning:" in answer, text
        assert expected in answer, (text, answer)
    assert list_overrides(ctx, "search", everything=True) == []


def test_a_board_of_200_schedules_with_a_year_of_overrides_fits_slack(firebell: Firebell) -> None:
    """Covered in test_board_scale with its own policy; here: the two schedules' board is one message."""
    assert len(oncall_answers(firebell, "")) == 1
