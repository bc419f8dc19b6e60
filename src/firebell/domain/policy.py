"""The incident policy: severities (defined before anything happens), cadence, roles, channels."""

import re
from datetime import time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from firebell.domain.alert_sources import AlertSource, Window, check_alert_sources
from firebell.domain.durations import parse_duration
from firebell.domain.errors import UnknownRole, UnknownSeverity
from firebell.domain.oncall.config import EscalationPolicy, OnCallPolicy, Paging, ScheduleConfig, Service
from firebell.domain.permissions import ANYONE, DECLARER, Permissions
from firebell.domain.status_page.config import StatusPageConfig


def _duration(value: Any) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return parse_duration(value)


Duration = Annotated[timedelta | None, BeforeValidator(_duration)]

_CHANNEL_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
# ASCII digits, few of them: a severity number is small, and int() refuses thousands of digits.
_SEV_NUMBER = re.compile(r"^(?:sev)?\s*0*([0-9]{1,6})$", re.IGNORECASE)


class Severity(BaseModel):
    """One severity level, defined by its customer impact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=20)
    description: str = Field(min_length=1, max_length=300)
    update_interval: Duration = None
    # How often the public hears while an incident is on the status page (None: no public cadence).
    public_update_interval: Duration = None


DEFAULT_SEVERITIES = (
    Severity(
        name="SEV1",
        description="Significant customer-facing impact: a core journey is down or badly degraded for many",
        update_interval=timedelta(minutes=15),
        public_update_interval=timedelta(minutes=30),
    ),
    Severity(
        name="SEV2",
        description="Partial customer impact: a feature is degraded or some customers are affected",
        update_interval=timedelta(minutes=30),
        public_update_interval=timedelta(hours=1),
    ),
    Severity(
        name="SEV3",
        description="Minor customer impact with a workaround",
        update_interval=timedelta(hours=1),
    ),
    Severity(
        name="SEV4",
        description="No customer impact: internal tooling, a near miss, or risk of impact",
        update_interval=None,
    ),
)

DEFAULT_ROLES = ("commander", "deputy", "scribe", "comms", "ops")


class Escalation(StrEnum):
    """What a missed status update can trigger."""

    ROOM = "room"  # a reminder in the war room that mentions the IC
    MENTION_DEPUTY = "mention_deputy"  # the room reminder also mentions the deputy, if one is assigned
    DM_COMMANDER = "dm_commander"  # a direct message to the IC
    ANNOUNCEMENT = "announcement"  # tell the announcement channel the incident is without updates


DEFAULT_ESCALATION = (
    (Escalation.ROOM,),
    (Escalation.ROOM, Escalation.DM_COMMANDER, Escalation.MENTION_DEPUTY),
    (Escalation.ROOM, Escalation.ANNOUNCEMENT),
)


class CadencePolicy(BaseModel):
    """How the status-update cadence is enforced."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mitigated_factor: float = Field(default=2.0, ge=1.0, le=100.0)
    escalation: tuple[tuple[Escalation, ...], ...] = DEFAULT_ESCALATION
    snooze_options: tuple[Duration, ...] = (timedelta(minutes=15), timedelta(minutes=30))

    @field_validator("escalation")
    @classmethod
    def _escalation(cls, value: tuple[tuple[Escalation, ...], ...]) -> tuple[tuple[Escalation, ...], ...]:
        if not value or any(not step for step in value):
            raise ValueError(
                "list one or more steps, each a list of actions (room, mention_deputy, dm_commander, announcement)"
            )
        return value

    @field_validator("snooze_options")
    @classmethod
    def _snooze(cls, value: tuple[timedelta | None, ...]) -> tuple[timedelta | None, ...]:
        if not value or any(option is None for option in value) or len(value) > 4:
            raise ValueError("list one to four non-zero durations, e.g. [15m, 30m]")
        return value

    def step(self, miss: int) -> tuple[Escalation, ...]:
        """What the `miss`-th consecutive missed update does (past the ladder, the room is reminded only)."""
        if miss <= len(self.escalation):
            return self.escalation[miss - 1]
        # Past the ladder the last step repeats without its announcement: the announcement channel
        # hears once per silence, not every interval of a forgotten incident; the room (and the IC's
        # DM, if the step has one) keep reminding the people who can act.
        repeated = tuple(action for action in self.escalation[-1] if action is not Escalation.ANNOUNCEMENT)
        return repeated or (Escalation.ROOM,)


_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")  # as runbook owners and mentions check them
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _clock_time(value: Any) -> time:
    # Only "HH:MM" strings: YAML reads an unquoted 9:30 as the number 570 (base 60), which pydantic
    # would otherwise accept as 00:09:30.
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'expected a UTC time as a quoted "HH:MM" string, e.g. "09:30", got {value!r}')
    return time(int(match.group(1)), int(match.group(2)))


class ReviewPolicy(BaseModel):
    """Postmortem reviews and the follow-up of their action items."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    review_within: Duration = timedelta(days=5)
    nudge_time: Annotated[time, BeforeValidator(_clock_time)] = time(9, 0)  # UTC, daily: DM owners of overdue items

    @field_validator("review_within")
    @classmethod
    def _review_within(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < timedelta(hours=1):
            raise ValueError("expected at least 1h (or 0 for no review date)")
        return value


class Policy(BaseModel):
    """Everything an organisation decides about incidents before one happens."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    announcement_channel: str | None = Field(
        default="incidents", description="Channel name or ID where incidents are announced; empty disables."
    )
    channel_prefix: str = "inc"
    default_severity: str = "SEV3"
    bridge_url: str | None = None
    severities: tuple[Severity, ...] = DEFAULT_SEVERITIES
    roles: tuple[str, ...] = DEFAULT_ROLES
    cadence: CadencePolicy = CadencePolicy()
    postmortem: ReviewPolicy = ReviewPolicy()
    permissions: Permissions = Permissions()
    # None: the runbooks shipped with Firebell (firebell.runbooks.location). A relative path read from a policy file
    # is made absolute against the file's folder by config.load_policy, as Prometheus does for rule files.
    runbooks_dir: Path | None = None
    # Alerts: who may send them (POST /api/v1/alerts/{name}), where groups below a declare rule are triaged, and
    # how long a service's open group keeps taking alerts from other sender groups.
    alert_sources: tuple[AlertSource, ...] = ()
    triage_channel: str | None = None
    alert_grouping_window: Window = timedelta(minutes=5)
    # The Slack user id who becomes Incident Commander of an alert-born incident; None: it starts unassigned.
    triage_owner: str | None = None
    # On-call (domain/oncall/config.py): services, rotation schedules, escalation policies and paging.
    services: tuple[Service, ...] = ()
    schedules: tuple[ScheduleConfig, ...] = ()
    escalation_policies: tuple[EscalationPolicy, ...] = ()
    paging: Paging = Paging()
    # The public status page (domain/status_page/config.py): components, title, public URL and time zone.
    status_page: StatusPageConfig = StatusPageConfig()

    @field_validator("announcement_channel", "triage_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().lstrip("#")
        return value or None

    @field_validator("triage_owner")
    @classmethod
    def _triage_owner(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not _SLACK_USER_ID.match(value):
            raise ValueError(f"expected a Slack user id such as U012AB3CD (not a name or @handle), got {value!r}")
        return value

    @field_validator("runbooks_dir", mode="before")
    @classmethod
    def _runbooks_dir(cls, value: Any) -> Any:
        # An empty value means "not configured" (the shipped runbooks), not the policy file's own folder.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("channel_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _CHANNEL_PREFIX.match(value):
            raise ValueError(
                "expected 1-20 characters of lowercase letters, digits, '-' or '_', "
                f"starting with a letter or digit, got {value!r}"
            )
        return value

    @field_validator("bridge_url")
    @classmethod
    def _bridge(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL (may contain {{number}}), got {value!r}")
        try:
            value.format(number=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"only {{number}} may be substituted in the URL, got {value!r}") from exc
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        roles = tuple(role.strip().lower() for role in value)
        bad = [role for role in roles if not re.match(r"^[a-z][a-z0-9_-]*$", role)]
        if bad:
            raise ValueError(f"role names are lowercase words (letters, digits, '-', '_'), got {bad}")
        if "commander" not in roles:
            raise ValueError("the roles must include 'commander' (the Incident Commander)")
        if len(set(roles)) != len(roles):
            raise ValueError(f"role names must be unique, got {list(roles)}")
        return roles

    @model_validator(mode="after")
    def _severities(self) -> "Policy":
        if not self.severities:
            raise ValueError("severities: define at least one severity, most severe first")
        names = [sev.name.upper() for sev in self.severities]
        if len(set(names)) != len(names):
            raise ValueError(f"severities: names must be unique, got {names}")
        if self.default_severity.upper() not in names:
            raise ValueError(f"default_severity: {self.default_severity!r} is not one of {names}")
        for key, unknown in self.permissions.unknown_names(self.roles).items():
            raise ValueError(
                f"permissions.{key}: {', '.join(unknown)} {'is not a role' if len(unknown) == 1 else 'are not roles'}; "
                f"use {ANYONE}, {DECLARER} "
                f"or roles from `roles` ({', '.join(self.roles)})"
            )
        check_alert_sources(self.alert_sources, self.severity_names)
        self.oncall.check(self.severity_names)
        self.status_page.check_services({service.name for service in self.services})
        return self

    @property
    def oncall(self) -> OnCallPolicy:
        """The on-call keys together, as the on-call use cases read them."""
        return OnCallPolicy(
            services=self.services,
            schedules=self.schedules,
            escalation_policies=self.escalation_policies,
            paging=self.paging,
        )

    @property
    def severity_names(self) -> list[str]:
        """Severity names, most severe first."""
        return [sev.name for sev in self.severities]

    def severity(self, token: str) -> Severity:
        """Find a severity by name (`SEV1`, `sev1`) or number (`1`); raise UnknownSeverity otherwise."""
        wanted = token.strip()
        for sev in self.severities:
            if sev.name.lower() == wanted.lower():
                return sev
        match = _SEV_NUMBER.match(wanted)
        if match:
            for sev in self.severities:
                sev_match = _SEV_NUMBER.match(sev.name)
                if sev_match and int(sev_match.group(1)) == int(match.group(1)):
                    return sev
        valid = ", ".join(self.severity_names)
        shown = wanted if len(wanted) <= 40 else f"{wanted[:40]}…"
        raise UnknownSeverity(f"Unknown severity `{shown}`. Valid severities: {valid}.")

    def known(self, name: str) -> Severity:
        """The severity an incident was recorded with. Never raises: a level removed from the policy
        since is shown as such, with no update cadence, rather than breaking that incident."""
        try:
            return self.severity(name)
        except UnknownSeverity:
            return Severity(name=name, description="(no longer defined in the policy)", update_interval=None)

    def rank(self, name: str) -> int:
        """0 for the most severe level, increasing as impact falls (levels no longer defined rank last)."""
        names = [n.lower() for n in self.severity_names]
        return names.index(name.lower()) if name.lower() in names else len(names)

    @property
    def default(self) -> Severity:
        """The severity used when a declare names none."""
        return self.severity(self.default_severity)

    def role(self, token: str) -> str:
        """Find a configured role by name; raise UnknownRole listing the valid ones."""
        wanted = token.strip().lower()
        if wanted in ("ic", "incident-commander"):
            wanted = "commander"
        if wanted in self.roles:
            return wanted
        raise UnknownRole(f"Unknown role `{token}`. Valid roles: {', '.join(self.roles)}.")

    def alert_source(self, name: str) -> AlertSource | None:
        """The configured alert source called `name`, if any."""
        return next((source for source in self.alert_sources if source.name == name), None)

    def bridge_for(self, number: int) -> str | None:
        """The video-bridge URL for an incident, if one is configured."""
        return self.bridge_url.format(number=number) if self.bridge_url else None
