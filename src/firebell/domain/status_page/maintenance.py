"""Scheduled maintenance of components: its status follows the clock, and a window is checked before it is kept.

Pure: `now` is passed in. A maintenance is scheduled before its start, in progress inside [start, end), and
completed from its end on, or from when it was cancelled (called off before it began, or ended early).
"""

from datetime import datetime, timedelta

from firebell.domain.errors import UsageError
from firebell.domain.free_text import refuse_nul
from firebell.domain.status_page.vocabulary import MaintenanceStatus

MAX_LENGTH = timedelta(days=7)  # longer is not maintenance but a migration: say so on the page some other way
MAX_AHEAD = timedelta(days=366)
MAX_TITLE = 200
MAX_BODY = 5000


def maintenance_status(
    starts_at: datetime, ends_at: datetime, cancelled_at: datetime | None, now: datetime
) -> MaintenanceStatus:
    """Where a maintenance window stands at `now`."""
    if cancelled_at is not None and cancelled_at <= now:
        return MaintenanceStatus.COMPLETED
    if now < starts_at:
        return MaintenanceStatus.SCHEDULED
    if now < ends_at:
        return MaintenanceStatus.IN_PROGRESS
    return MaintenanceStatus.COMPLETED


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def check_window(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """UsageError when the window ends before it starts, lies entirely in the past, lasts too long or is too far
    ahead."""
    if ends_at <= starts_at:
        raise UsageError(f"The maintenance ends ({_when(ends_at)}) before it starts ({_when(starts_at)}).")
    if ends_at <= now:
        raise UsageError(f"The maintenance lies in the past: it ends at {_when(ends_at)}; it is now {_when(now)}.")
    if ends_at - starts_at > MAX_LENGTH:
        raise UsageError(
            f"The maintenance lasts {_length(ends_at - starts_at)}; at most {MAX_LENGTH.days} days. "
            "Schedule longer work as several windows."
        )
    if starts_at - now > MAX_AHEAD:
        raise UsageError(f"The maintenance starts more than a year ahead ({_when(starts_at)}); schedule it nearer.")


def _length(length: timedelta) -> str:
    hours = int(length.total_seconds() // 3600)
    return f"{hours // 24} days {hours % 24} h" if hours >= 24 else f"{hours} h"


def clean_text(title: str, body: str) -> tuple[str, str]:
    """The title on one line and the text trimmed; UsageError when either is empty or too long."""
    refuse_nul(title, "maintenance title")
    refuse_nul(body, "maintenance text")
    title = " ".join(title.split())
    body = body.strip()
    if not title:
        raise UsageError("A maintenance needs a title: say what customers will notice, e.g. “Database upgrade”.")
    if len(title) > MAX_TITLE:
        raise UsageError(f"A maintenance title holds at most {MAX_TITLE} characters; this one has {len(title)}.")
    if any(ord(c) < 32 for c in title):
        raise UsageError("A maintenance title is one line of printable text.")
    if not body:
        raise UsageError("A maintenance needs text: say what happens and what customers may notice.")
    if len(body) > MAX_BODY:
        raise UsageError(f"A maintenance's text holds at most {MAX_BODY} characters; this one has {len(body)}.")
    return title, body
