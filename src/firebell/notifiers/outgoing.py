"""The one interface every notifier implements, and the page notice as it travels in an outbox payload."""

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from firebell.domain.oncall.notifiers import NotifierConfig
from firebell.domain.paging import NotifyEvent, PageNotice


@dataclass(frozen=True)
class Outgoing:
    """One HTTP request a notifier wants made."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


# (config, notice, secret or None, now) -> the request. Pure: no I/O, no clock (`now` is when it is sent).
Builder = Callable[[NotifierConfig, PageNotice, str | None, datetime], Outgoing]

USER_AGENT = "Firebell"


def notice_id(notice: PageNotice) -> str:
    """A stable id of one page event for one person, the same on every retry (receivers dedupe on it)."""
    again = f"-e{notice.epoch}" if notice.epoch else ""  # told afresh after maintenance or a re-target
    return f"{notice.page_id}-{notice.event.value}-{notice.user or 'all'}-{notice.round}-{notice.step}{again}"


def notice_payload(notice: PageNotice) -> dict[str, Any]:
    """The notice as JSON-friendly data, for an outbox payload."""
    data = dataclasses.asdict(notice)
    data["event"] = notice.event.value
    data["at"] = notice.at.isoformat()
    return data


def notice_from_payload(data: dict[str, Any]) -> PageNotice:
    """The notice back from an outbox payload."""
    fields = {f.name for f in dataclasses.fields(PageNotice)}
    values = {k: v for k, v in data.items() if k in fields}
    values["event"] = NotifyEvent(values["event"])
    values["at"] = datetime.fromisoformat(str(values["at"]))
    return PageNotice(**values)


def headline(notice: PageNotice) -> str:
    """`INC-42 SEV1: Checkout is down`, on one line."""
    return one_line(f"INC-{notice.incident_number} {notice.severity}: {notice.title}")


def one_line(text: str) -> str:
    """The text with control characters (newlines, tabs) turned into spaces: safe in a header."""
    return "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text).strip()


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
