"""Alert-born incidents and the war room's alert notes: the titles and counts, pure.

An incident declared by a source's declare rule is titled from its alerts; a linked group's alerts that keep
arriving are told to the war room as one note per burst ("3 more alerts, 2 resolved"), counted from the
timeline events recorded since the previous note.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

MAX_TITLE = 200  # as a person's declare (services/incidents.MAX_TITLE)


def alert_born_title(names: list[str], *, service: str | None, sender_title: str | None = None) -> str:
    """`HighErrorRate on checkout (+2 more alerts)`: the most frequent alert name, or the sender's own title."""
    if sender_title and sender_title.strip():
        return _cut(" ".join(sender_title.split()))
    counted = Counter(name for name in names if name.strip())
    head = "Alerts firing" if not counted else " ".join(counted.most_common(1)[0][0].split())
    on = f" on {' '.join(service.split())}" if service and service.strip() else ""
    others = len(names) - 1
    more = f" (+{others} more alert{'s' if others != 1 else ''})" if others > 0 else ""
    return _cut(f"{head}{on}{more}")


def _cut(text: str) -> str:
    text = text.replace("\x00", "")  # never refused for a NUL: the declare must not fail the webhook
    if len(text) <= MAX_TITLE:
        return text
    cut = text[: MAX_TITLE - 1].rsplit(" ", 1)[0] if " " in text[: MAX_TITLE - 1] else text[: MAX_TITLE - 1]
    return cut + "…"


@dataclass(frozen=True)
class AlertNote:
    """What changed in an incident's alerts since the war room was last told, and where they stand now."""

    fired: int  # alerts that fired for the first time
    refired: int  # alerts that fired again after resolving
    resolved: int
    firing_now: int  # firing across every group linked to the incident, at delivery
    names: tuple[str, ...]  # the names of the alerts that changed, most frequent first (a few)
    last_resolved_at: datetime | None  # the latest resolve among the changes

    @property
    def empty(self) -> bool:
        """Nothing to tell."""
        return not (self.fired or self.refired or self.resolved)

    @property
    def all_resolved(self) -> bool:
        """Every alert of the incident has resolved, and the last of them among these changes: say so once."""
        return self.firing_now == 0 and self.resolved > 0


def note_summary(note: AlertNote) -> str:
    """`3 more alerts, 1 firing again, 2 resolved`."""
    parts = []
    if note.fired:
        parts.append(f"{note.fired} more alert{'s' if note.fired != 1 else ''}")
    if note.refired:
        parts.append(f"{note.refired} firing again")
    if note.resolved:
        parts.append(f"{note.resolved} resolved")
    return ", ".join(parts) if parts else "No change"
