"""The status page's part of the policy file: title, components (by group), public URL and time zone.

```yaml
status_page:
  title: Acme status
  public_url: https://status.acme.example
  timezone: Europe/Berlin
  components:
    - name: Checkout API
      group: Payments
      description: Card payments and the checkout pages
      services: [checkout]        # incidents of these services affect this component
```

A component is named for readers ("Checkout API"); commands may also use its slug (`checkout-api`). Names are
validated here (printable, unique by slug) because they reach HTML, Atom, JSON and Slack.
"""

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from firebell.domain.status_page.statuspage_io import StatuspageIoConfig

_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f<>]{1,60}$")
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug_of(name: str) -> str:
    """`Checkout API` -> `checkout-api`: how a command names a component."""
    return _SLUG_DROP.sub("-", name.lower()).strip("-")


def _display_name(value: Any, what: str) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else value
    if not isinstance(text, str) or not _PRINTABLE.match(text) or not slug_of(text):
        raise ValueError(
            f"expected a {what} of 1-60 printable characters with a letter or digit (no '<' or '>'), got {value!r}"
        )
    return text


class Component(BaseModel):
    """One thing customers use, shown with its status on the page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    group: str | None = None
    description: str | None = Field(default=None, max_length=300)
    services: tuple[str, ...] = ()

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        return _display_name(value, "component name")

    @field_validator("group", mode="before")
    @classmethod
    def _group(cls, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return _display_name(value, "group name")

    @property
    def slug(self) -> str:
        """How commands name it: `checkout-api`."""
        return slug_of(self.name)


class StatusPageConfig(BaseModel):
    """The public status page: what it is called, where it lives and what it shows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(default="Status", min_length=1, max_length=100)
    public_url: str | None = None
    timezone: str = "UTC"
    components: tuple[Component, ...] = Field(default=(), max_length=200)
    statuspage_io: StatuspageIoConfig | None = None  # the optional bridge to Atlassian Statuspage

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL where the public reaches the page, got {value!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"expected an IANA time zone such as Europe/Berlin or UTC, got {value!r}") from None
        return value

    @model_validator(mode="after")
    def _unique(self) -> "StatusPageConfig":
        seen: dict[str, str] = {}
        for component in self.components:
            if component.slug in seen:
                raise ValueError(
                    f"components: {component.name!r} and {seen[component.slug]!r} are the same name to a command "
                    f"({component.slug!r}); make them differ in letters or digits"
                )
            seen[component.slug] = component.name
        if self.statuspage_io is not None:
            unknown = [slug for slug in self.statuspage_io.components if slug not in seen]
            if unknown:
                valid = ", ".join(seen) or "none are configured (status_page.components)"
                raise ValueError(
                    f"statuspage_io.components: {', '.join(map(repr, unknown))} is not one of our components; "
                    f"components (by slug): {valid}"
                )
        return self

    def component(self, token: str) -> Component:
        """The component a command names (its name in any case, or its slug); ValueError naming the valid ones."""
        wanted = slug_of(token)
        for component in self.components:
            if component.slug == wanted:
                return component
        valid = ", ".join(c.slug for c in self.components) or "none are configured (status_page.components)"
        shown = token if len(token) <= 60 else f"{token[:60]}…"
        raise ValueError(f"Unknown component {shown!r}. Components: {valid}.")

    def components_of(self, service: str | None) -> tuple[Component, ...]:
        """The components an incident of `service` affects (none for no service)."""
        if service is None:
            return ()
        return tuple(c for c in self.components if service in c.services)

    def check_services(self, services: set[str]) -> None:
        """Raise ValueError when a component names a service the policy does not define."""
        for component in self.components:
            unknown = [s for s in component.services if s not in services]
            if unknown:
                valid = ", ".join(sorted(services)) or "none are configured (services)"
                raise ValueError(
                    f"status_page.components[{component.name!r}].services: {', '.join(map(repr, unknown))} "
                    f"is not a service; services: {valid}"
                )
