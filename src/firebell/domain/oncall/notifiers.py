"""The policy's outside notifiers (`paging.notifiers`): a signed webhook, an ntfy topic, a PagerDuty bridge.

Validated like the rest of the policy: an error names the key, what is expected and what was found. Secrets
stay in the environment: the policy names the variable, never holds the value.
"""

import re
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from firebell.domain.paging import NotifyEvent

NOTIFIER_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"  # part of an outbox lane: kept short
_NOTIFIER_NAME = re.compile(NOTIFIER_NAME_PATTERN)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_NTFY_TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")  # ntfy's own rule for topic names
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


class NotifierKind(StrEnum):
    """How a notifier reaches people outside Slack."""

    WEBHOOK = "webhook"
    NTFY = "ntfy"
    PAGERDUTY = "pagerduty"


class PagerDutySeverity(StrEnum):
    """The four severities PagerDuty's Events API v2 accepts."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def _env(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and _ENV_NAME.match(value.strip()):
        return value.strip()
    raise ValueError(f"expected the name of an environment variable (letters, digits, '_'), got {value!r}")


def _user(value: Any) -> Any:
    if isinstance(value, str) and _USER_ID.match(value.strip()):
        return value.strip()
    raise ValueError(f"expected a Slack user id like U01ALICE, got {value!r}")


def _choice(kind: type[StrEnum]) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in set(kind):
            return value.strip().lower()
        raise ValueError(f"expected one of {', '.join(k.value for k in kind)}, got {value!r}")

    return BeforeValidator(check)


EnvName = Annotated[str, BeforeValidator(_env)]
UserId = Annotated[str, BeforeValidator(_user)]
Event = Annotated[NotifyEvent, _choice(NotifyEvent)]
PdSeverity = Annotated[PagerDutySeverity, _choice(PagerDutySeverity)]
_NEEDS = {
    "url": "an http:// or https:// URL",
    "secret_env": "the environment variable holding the signing secret",
    "routing_key_env": "the environment variable holding the integration's routing key",
}


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return value


class NotifierConfig(BaseModel):
    """One outside notifier, as written under `paging.notifiers`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Annotated[NotifierKind, _choice(NotifierKind)]
    # webhook: where to POST; ntfy: the topic URL; pagerduty: the Events API endpoint (default PagerDuty's own).
    url: str | None = None
    secret_env: EnvName | None = None  # webhook: the HMAC-SHA256 signing secret
    token_env: EnvName | None = None  # ntfy: an access token sent as Authorization: Bearer
    routing_key_env: EnvName | None = None  # pagerduty: the integration (routing) key
    users: tuple[UserId, ...] = Field(default=(), max_length=200)  # ntfy: only pages of these people
    events: tuple[Event, ...] | None = None  # webhook, ntfy: which events are sent (None: the default)
    # pagerduty: Firebell severity -> PagerDuty severity; unnamed levels map by rank (most severe: critical).
    severities: dict[str, PdSeverity] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NOTIFIER_NAME.match(value):
            raise ValueError(f"expected 1-40 characters of lowercase letters, digits, '-' or '_', got {value!r}")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value.strip())

    @model_validator(mode="after")
    def _fits_its_kind(self) -> "NotifierConfig":
        kind = self.kind
        wanted = {
            NotifierKind.WEBHOOK: ("url", "secret_env"),
            NotifierKind.NTFY: ("url",),
            NotifierKind.PAGERDUTY: ("routing_key_env",),
        }[kind]
        for key in wanted:
            if getattr(self, key) is None:
                raise ValueError(f"{key}: a {kind} notifier needs it ({_NEEDS[key]})")
        allowed = {
            NotifierKind.WEBHOOK: {"secret_env", "events"},
            NotifierKind.NTFY: {"token_env", "users", "events"},
            NotifierKind.PAGERDUTY: {"routing_key_env", "severities"},
        }[kind]
        for key in ("secret_env", "token_env", "routing_key_env", "users", "events", "severities"):
            if key not in allowed and key in self.model_fields_set:
                raise ValueError(f"{key}: not a setting of a {kind} notifier (its settings: url, {', '.join(allowed)})")
        if kind is NotifierKind.NTFY:
            self._check_ntfy()
        if self.events is not None and not self.events:
            raise ValueError("events: list at least one of notify, acknowledge, resolve (or leave events out)")
        return self

    def _check_ntfy(self) -> None:
        topic = urlsplit(self.url or "").path.rstrip("/").rpartition("/")[2]
        if not _NTFY_TOPIC.match(topic):
            raise ValueError(
                f"url: expected an ntfy topic URL like https://ntfy.example.com/oncall-alice (the topic is 1-64 "
                f"letters, digits, '-' or '_'), got {self.url!r}"
            )
        if self.users and set(self.wanted_events) - {NotifyEvent.NOTIFY}:
            raise ValueError(
                "events: a topic of chosen users hears only their pages (notify); acknowledge and resolve go to a "
                "team topic (one without users)"
            )

    @property
    def wanted_events(self) -> tuple[NotifyEvent, ...]:
        """The page events this notifier is told about."""
        if self.events is not None:
            return self.events
        if self.kind is NotifierKind.NTFY:
            return (NotifyEvent.NOTIFY,)  # ntfy wakes people; acknowledge and resolve are opt-in
        return tuple(NotifyEvent)

    @property
    def secret_name(self) -> str | None:
        """The environment variable holding this notifier's secret (None: it needs none)."""
        return self.secret_env or self.token_env or self.routing_key_env

    @property
    def endpoint(self) -> str:
        """Where requests go."""
        return self.url or PAGERDUTY_EVENTS_URL

    def check(self, where: str, severity_names: list[str]) -> None:
        """Raise ValueError (naming `where`) when a severity named in `severities` is not one of the policy's."""
        known = {n.lower() for n in severity_names}
        for name in self.severities:
            if name.lower() not in known:
                raise ValueError(f"{where}.severities: {name!r} is not one of {severity_names}")


def with_all_severities(config: NotifierConfig, severity_names: list[str]) -> NotifierConfig:
    """The config with a PagerDuty severity for every level of the policy: as configured, else by rank (the
    most severe critical, the next error, then warning, the rest info)."""
    ladder = list(PagerDutySeverity)
    ranked = {name: ladder[min(rank, len(ladder) - 1)] for rank, name in enumerate(severity_names)}
    configured = {name.lower(): mapped for name, mapped in config.severities.items()}
    full = {name: configured.get(name.lower(), mapped) for name, mapped in ranked.items()}
    return config.model_copy(update={"severities": full})
