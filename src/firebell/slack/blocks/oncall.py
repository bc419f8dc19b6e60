"""What `/oncall` answers, for the eyes of whoever asked: the board of every schedule, one schedule's shifts,
someone's shifts, overrides, temporary schedules and maintenance windows, and help.

Long answers (200 schedules, a busy fortnight) are split into several messages, each within Slack's limits
(50 blocks, 3000 characters a section, about 12,000 in all), at most RESPONSE_URL_USES of them (what one
response_url takes); what is left over is counted, with where to see it all.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from firebell.domain.durations import format_duration
from firebell.services.oncall.answers import ShiftView
from firebell.services.oncall.board import BoardRow, MyShift
from firebell.services.oncall.maintenance import WindowView
from firebell.services.oncall.overrides import OverrideView
from firebell.services.oncall.temporaries import TemporaryView
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.kit import SECTION_TEXT_LIMIT, Block, context, date_token, header, mention, section
from firebell.slack.mrkdwn import escape_mrkdwn, truncate
from firebell.slack.oncall_grammar import USAGE

RESPONSE_URL_USES = 5
MESSAGE_TEXT_BUDGET = 10_000
MAX_SECTIONS = 40
_WHEN = "{date_short_pretty} {time}"


def who(users: Iterable[str]) -> str:
    """People as live mentions (only user ids become mentions; an unresolved e-mail is shown as text)."""
    shown = [mention(u) if u[:1] in "UW" and "@" not in u else escape_mrkdwn(u) for u in users]
    return ", ".join(shown) if shown else "_nobody_"


def at(moment: datetime | None) -> str:
    """A moment every reader sees in their own time zone."""
    return "later than 100 days from now" if moment is None else date_token(moment, fmt=_WHEN)


def paged(title: str, intro: str, lines: Sequence[str], *, what: str, more: str) -> list[Message]:
    """A header, an intro and lines packed into sections and messages within Slack's limits; lines left over
    are counted in a last note that says where to see them (`more`)."""
    messages: list[Message] = []
    blocks: list[Block] = [header(title)]
    current, used, shown = intro, len(intro), 0
    for raw in lines:
        line = truncate(raw, SECTION_TEXT_LIMIT - 1)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= SECTION_TEXT_LIMIT and used + len(line) + 1 <= MESSAGE_TEXT_BUDGET:
            current, used, shown = candidate, used + len(line) + 1, shown + 1
            continue
        if current:
            blocks.append(section(current))
        if used + len(line) + 1 > MESSAGE_TEXT_BUDGET or len(blocks) >= MAX_SECTIONS:
            if len(messages) + 2 > RESPONSE_URL_USES:
                current = ""
                break
            messages.append(Message(text=title, blocks=blocks))
            blocks, used = [], 0
        current, used, shown = line, used + len(line) + 1, shown + 1
    if current:
        blocks.append(section(current))
    if shown < len(lines):
        blocks.append(context(f"+{len(lines) - shown} more {what} not shown here: {more}"))
    messages.append(Message(text=title, blocks=blocks))
    return messages


def help_reply() -> Message:
    """Every subcommand with its syntax, and how times are written."""
    lines = "\n".join(f"`{escape_mrkdwn(f'/oncall {syntax}'.strip())}`: {summary}" for syntax, summary in USAGE)
    times = (
        "*Times*: `now`, `HH:MM` (the next time it is that time), `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, or RFC 3339 "
        "like `2026-12-08T09:00:00+01:00`; an end may be a length instead (`4h`, `2d`, `1h30m`). Times without "
        "an offset are in the *schedule's time zone* (UTC for maintenance windows). `from` and `to` may be "
        "written between them."
    )
    blocks: list[Block] = [header("Firebell: /oncall"), section(lines), section(times)]
    return Message(text="Firebell /oncall help", blocks=blocks)


def board_reply(rows: Sequence[BoardRow], *, total_hint: str = "GET /api/v1/schedules") -> list[Message]:
    """Every schedule: who is on call now and until when, and who is next."""
    if not rows:
        text = "No on-call schedules are configured (`schedules` in the policy file)."
        return [Message(text=text, blocks=[section(text)])]
    lines = []
    for row in rows:
        line = f"*{escape_mrkdwn(row.schedule)}*: {who(row.users)} until {at(row.until)}"
        if row.next_users is not None:
            line += f", then {who(row.next_users)}"
            if row.next_from is not None and row.next_from != row.until:
                line += f" from {at(row.next_from)}"
        lines.append(line)
    return paged(
        "On call now",
        "",
        lines,
        what="schedules",
        more=f"`/oncall <schedule>` shows one, {total_hint} lists them",
    )


def schedule_reply(
    name: str,
    zone: str,
    shifts: Sequence[ShiftView],
    *,
    override_makers: dict[int, str],
    temporary_makers: dict[int, str],
    days: int,
) -> list[Message]:
    """One schedule's shifts over the next `days` days; overrides and temporary schedules marked with who
    made them."""
    lines = []
    for shift in shifts:
        line = f"{at(shift.start)} – {at(shift.end)}  {who(shift.users)}"
        for override_id in shift.override_ids:
            line += f"  _(override {override_id} by {mention(override_makers.get(override_id))})_"
        if shift.temporary_id is not None:
            made_by = mention(temporary_makers.get(shift.temporary_id))
            line += f"  _(temporary schedule {shift.temporary_id} by {made_by})_"
        lines.append(line)
    intro = f"The next {days} days, shift by shift (the schedule runs in {escape_mrkdwn(zone)}):"
    return paged(
        f"On call: {name}",
        intro,
        lines or ["_nobody is on call_"],
        what="shifts",
        more=f"GET /api/v1/schedules/{escape_mrkdwn(name)}/shifts",
    )


def my_shifts_reply(user: str, shifts: Sequence[MyShift], *, now: datetime, days: int) -> list[Message]:
    """Someone's shifts across schedules in the next `days` days, and whether they are on call now."""
    current = [s for s in shifts if s.start <= now < s.end]
    if current:
        names = ", ".join(f"*{escape_mrkdwn(s.schedule)}* until {at(s.end)}" for s in current)
        intro = f":large_green_circle: {mention(user)}, you are on call now: {names}."
    else:
        intro = f":white_circle: {mention(user)}, you are not on call now."
    lines = [
        f"{at(s.start)} – {at(s.end)}  *{escape_mrkdwn(s.schedule)}*" + ("  _(override)_" if s.override else "")
        for s in shifts
        if s.start > now or s.end <= now
    ]
    if not lines:
        lines = [f"_No {'further ' if current else ''}shifts in the next {days} days._"]
    else:
        intro += f"\nYour shifts in the next {days} days:"
    return paged("Your shifts", intro, lines, what="shifts", more="`/oncall <schedule>` shows each schedule")


def _length(start: datetime, end: datetime) -> str:
    return format_duration(end - start)


def override_added_reply(view: OverrideView) -> Message:
    """An override was made."""
    text = (
        f":white_check_mark: Override {view.id}: {who([view.user])} is on call for *{escape_mrkdwn(view.schedule)}* "
        f"from {at(view.start)} to {at(view.end)} ({_length(view.start, view.end)}). "
        f"Undo with `/oncall remove {escape_mrkdwn(view.schedule)} {view.id}`."
    )
    return Message(text=text, blocks=[section(text)])


def overrides_reply(schedule: str, views: Sequence[OverrideView]) -> list[Message]:
    """A schedule's overrides that have not ended."""
    lines = [f"*{v.id}*  {who([v.user])}  {at(v.start)} – {at(v.end)}  _by {mention(v.created_by)}_" for v in views]
    if not lines:
        lines = [f"_No overrides on {escape_mrkdwn(schedule)} that have not ended._"]
    more = f"GET /api/v1/schedules/{escape_mrkdwn(schedule)}/overrides"
    return paged(f"Overrides: {schedule}", "", lines, what="overrides", more=more)


def override_removed_reply(view: OverrideView) -> Message:
    """An override was removed (or had been)."""
    text = (
        f":wastebasket: Override {view.id} on *{escape_mrkdwn(view.schedule)}* ({who([view.user])}, "
        f"{at(view.start)} to {at(view.end)}) is removed; the rotation decides again."
    )
    return Message(text=text, blocks=[section(text)])


def temporary_added_reply(view: TemporaryView) -> Message:
    """A temporary schedule was made."""
    turns = "together" if len(view.shifts) == 1 else f"in {len(view.shifts)} turns"
    text = (
        f":white_check_mark: Temporary schedule {view.id} replaces the rotation of *{escape_mrkdwn(view.schedule)}* "
        f"from {at(view.start)} to {at(view.end)}: {who(view.users)} ({turns}). "
        f"Undo with `/oncall temporary {escape_mrkdwn(view.schedule)} remove {view.id}`."
    )
    return Message(text=text, blocks=[section(text)])


def temporaries_reply(schedule: str, views: Sequence[TemporaryView]) -> list[Message]:
    """A schedule's temporary schedules that have not ended."""
    lines = [f"*{v.id}*  {at(v.start)} – {at(v.end)}  {who(v.users)}  _by {mention(v.created_by)}_" for v in views]
    if not lines:
        lines = [f"_No temporary schedules on {escape_mrkdwn(schedule)} that have not ended._"]
    return paged(f"Temporary schedules: {schedule}", "", lines, what="temporary schedules", more="")


def temporary_removed_reply(view: TemporaryView) -> Message:
    """A temporary schedule was removed (or had been)."""
    text = (
        f":wastebasket: Temporary schedule {view.id} on *{escape_mrkdwn(view.schedule)}* ({at(view.start)} to "
        f"{at(view.end)}) is removed; the rotation decides again."
    )
    return Message(text=text, blocks=[section(text)])


def maintenance_started_reply(view: WindowView, *, now: datetime) -> Message:
    """A maintenance window was made."""
    when = "now" if view.start <= now else f"from {at(view.start)}"
    text = (
        f":construction: *{escape_mrkdwn(view.service)}* is in maintenance {when} until {at(view.end)} "
        f"({_length(view.start, view.end)}): alerts and declares are recorded, nobody is paged. "
        f"End it early with `/oncall maintenance {escape_mrkdwn(view.service)} end`."
    )
    return Message(text=text, blocks=[section(text)])


def maintenance_reply(service: str | None, views: Sequence[WindowView], *, now: datetime) -> list[Message]:
    """Maintenance windows that have not ended."""
    lines = []
    for v in views:
        state = ":construction: now" if v.start <= now else "planned"
        lines.append(
            f"*{escape_mrkdwn(v.service)}*  {state}  {at(v.start)} – {at(v.end)}  _by {mention(v.created_by)}_"
        )
    if not lines:
        lines = [f"_{'No service is' if service is None else escape_mrkdwn(service) + ' is not'} in maintenance._"]
    title = "Maintenance" if service is None else f"Maintenance: {service}"
    return paged(title, "", lines, what="windows", more="")


def maintenance_ended_reply(service: str, views: Sequence[WindowView], *, now: datetime) -> Message:
    """A service's maintenance was ended."""
    if not views:
        text = f"*{escape_mrkdwn(service)}* was not in maintenance, and none was planned; nothing changed."
    else:
        was_open = any(v.start < now for v in views)
        text = f":white_check_mark: *{escape_mrkdwn(service)}* is out of maintenance" + (
            ": paging is back on." if was_open else ": its planned maintenance is called off."
        )
    return Message(text=text, blocks=[section(text)])


def cover_length(length: timedelta | None) -> str:
    """How long a cover lasts, for its answer."""
    return "until the current shift ends" if length is None else f"for {format_duration(length)}"
