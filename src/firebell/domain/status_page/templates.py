"""What a public update says by default: one template per public status, in plain customer language.

No internal jargon, no names, no incident titles: only the components the public sees and when they hear next.
Pure: the form prefills its text from here, and whoever writes the update may change every word.
"""

from collections.abc import Sequence
from datetime import timedelta

from firebell.domain.status_page.vocabulary import PublicStatus

_TEMPLATES = {
    PublicStatus.INVESTIGATING: (
        "We are investigating reports of problems with {components}. We will post an update within {interval}."
    ),
    PublicStatus.IDENTIFIED: (
        "We have identified the cause of the problems with {components} and are working on a fix. "
        "We will post an update within {interval}."
    ),
    PublicStatus.MONITORING: (
        "A fix has been put in place for {components} and we are monitoring the results. "
        "We will post an update within {interval}."
    ),
    PublicStatus.RESOLVED: "The problems with {components} have been resolved. Everything is working normally again.",
}
DEFAULT_INTERVAL = timedelta(hours=1)


def customer_duration(interval: timedelta) -> str:
    """`30 minutes`, `1 hour`, `1 hour 30 minutes`: how a customer reads a wait (at least a minute)."""
    minutes = max(1, round(interval.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def component_list(names: Sequence[str]) -> str:
    """`Checkout API`, `Checkout API and Payments`, `A, B and C`; `our services` when none are named."""
    if not names:
        return "our services"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def template_text(status: PublicStatus, components: Sequence[str], interval: timedelta | None) -> str:
    """The prefilled text of a public update with `status`, naming `components` (reader names)."""
    return _TEMPLATES[status].format(
        components=component_list(components), interval=customer_duration(interval or DEFAULT_INTERVAL)
    )


def incident_page_url(public_url: str, public_id: str) -> str:
    """A public incident's page under `status_page.public_url`, where the public reaches Firebell's `/status`
    (`https://status.acme.example` -> `https://status.acme.example/status/incidents/<id>`), as the page's own JSON
    and feeds link it."""
    return f"{public_url.rstrip('/')}/status/incidents/{public_id}"
