"""ntfy: a plain-text push to a topic (self-hosted phone alarms). A page is `Priority: urgent` (5); an
acknowledgement or a resolve, when a team topic asks for them, is `low` (2), so it does not ring."""

import base64
from datetime import datetime

from firebell.domain.oncall.notifiers import NotifierConfig
from firebell.domain.paging import NotifyEvent, PageNotice
from firebell.notifiers.outgoing import USER_AGENT, Outgoing, clip, headline, one_line

MAX_BODY_BYTES = 4000  # ntfy keeps messages up to 4096 bytes as text (longer ones become attachments)
PRIORITY = {NotifyEvent.NOTIFY: "urgent", NotifyEvent.ACKNOWLEDGE: "low", NotifyEvent.RESOLVE: "low"}
TAGS = {
    NotifyEvent.NOTIFY: "rotating_light",
    NotifyEvent.ACKNOWLEDGE: "white_check_mark",
    NotifyEvent.RESOLVE: "heavy_check_mark",
}


def header_text(text: str) -> str:
    """ASCII as it is; anything else as one RFC 2047 encoded word, which ntfy decodes (HTTP headers are not UTF-8)."""
    text = one_line(text)
    if text.isascii():
        return text
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def message(config: NotifierConfig, notice: PageNotice) -> str:
    """The plain-text body."""
    about = f"Severity {notice.severity}" + (f", service {notice.service}" if notice.service else "")
    if notice.event is NotifyEvent.NOTIFY:
        who = "You are" if config.users else f"{notice.user or 'Someone'} is"
        lines = [f"{who} paged for INC-{notice.incident_number}: {notice.title}", about]
        if notice.reason:
            lines.append(f"Why: {notice.reason}")
        lines.append("Acknowledge in Slack" + (f": {notice.room_url}" if notice.room_url else "."))
    elif notice.event is NotifyEvent.ACKNOWLEDGE:
        lines = [f"{notice.user or 'Someone'} acknowledged INC-{notice.incident_number}: {notice.title}", about]
    else:
        lines = [f"INC-{notice.incident_number} is resolved: {notice.title}", about]
    text = "\n".join(lines)
    encoded = text.encode()
    if len(encoded) <= MAX_BODY_BYTES:
        return text
    return encoded[: MAX_BODY_BYTES - 3].decode(errors="ignore") + "…"


def build(config: NotifierConfig, notice: PageNotice, secret: str | None, now: datetime) -> Outgoing:
    """A POST to the topic URL: the message as the body, the rest in ntfy's headers."""
    del now
    assert config.url is not None
    tags = [TAGS[notice.event]]
    if notice.severity.replace("-", "").replace("_", "").isalnum() and notice.severity.isascii():
        tags.append(notice.severity.lower())
    headers = {
        "Content-Type": "text/plain; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Title": header_text(clip(headline(notice), 250)),
        "Priority": PRIORITY[notice.event],
        "Tags": ",".join(tags),
    }
    if notice.room_url and notice.room_url.isascii() and notice.room_url.startswith(("https://", "http://")):
        headers["Click"] = one_line(notice.room_url)
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return Outgoing("POST", config.url, headers, message(config, notice).encode())
