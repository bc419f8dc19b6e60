"""The on-call part of the policy file: services, schedules, escalation policies and paging.

Validated like the rest of the policy: an error names the key, what is expected and what was found.
"""

import re
from datetime import date, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from firebell.domain.durations import parse_duration
from firebell.domain.oncall.notifiers import NotifierConfig
from firebell.domain.oncall.restrictions import Restriction, parse_restriction
from firebell.domain.oncall.rotation import Layer, parse_handoff, parse_period
from firebell.domain.oncall.schedule import Schedule

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,59}$"
_NAME = re.compile(NAME_PATTERN)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,255}\.[^@\s<>]{1,63}$")
# The start of a layer of one member that names none: long before any schedule Firebell will answer for.
ALWAYS = date(2000, 1, 3)
_NAME_EXPECTED = "expected 1-60 characters of lowercase letters, digits, '-' or '_'"


def _name(value: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(f"{_NAME_EXPECTED}, got {value!r}")
    return value


def _member(value: Any) -> str:
    text = str(value).strip() if isinstance(value, str) else value
    if isinstance(text, str) and (_USER_ID.match(text) or _EMAIL.match(text)):
        return text
    raise ValueError(f"expected a Slack user id like U01ALICE or an e-mail address, got {value!r}")


def _step_wait(value: Any) -> timedelta:
    parsed = value if isinstance(value, timedelta) else parse_duration(value)
    # Half a minute at the least: a step is how long one person has to answer their phone.
    if parsed is None or parsed < timedelta(seconds=30):
        raise ValueError(f"expected a wait of at least 30s, like 5m or 10m, got {value!r}")
    return parsed


Name = Annotated[str, BeforeValidator(_name)]
Member = Annotated[str, BeforeValidator(_member)]
StepWait = Annotated[timedelta, BeforeValidator(_step_wait)]


class LayerConfig(BaseModel):
    """One rotation layer as written in the policy file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    members: tuple[Member, ...] = Field(min_length=1, max_length=200)
    rotate_every: str = "1w"
    handoff: str = "mon 09:00"
    # When the first member's first turn begins; a layer of one member needs none (it is always their turn).
    start: date | None = None
    only: str | None = None

    @model_validator(mode="after")
    def _parses(self) -> "LayerConfig":
        if self.start is None and len(set(self.members)) > 1:
            raise ValueError(
                "start: needed when members take turns: the date the first member's first turn begins, "
                "e.g. start: 2026-01-05"
            )
        self.layer()  # raises ValueError naming the bad value
        return self

    def layer(self) -> Layer:
        """The domain layer."""
        period = parse_period(self.rotate_every)
        handoff = parse_handoff(self.handoff, period)
        only = parse_restriction(self.only) if self.only else None
        return Layer(tuple(dict.fromkeys(self.members)), period, handoff, self.start or ALWAYS, only)


class ScheduleConfig(BaseModel):
    """A schedule: layers in a time zone; a later layer covers what the earlier ones leave uncovered."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    time_zone: str = "UTC"
    layers: tuple[LayerConfig, ...] = Field(min_length=1, max_length=20)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"expected an IANA time zone like Europe/Berlin or UTC, got {value!r}") from exc
        return value

    def schedule(self) -> Schedule:
        """The domain schedule."""
        return Schedule(self.name, ZoneInfo(self.time_zone), tuple(layer.layer() for layer in self.layers))


class EscalationStep(BaseModel):
    """Who one step notifies (`schedule:<name>` or `user:<id or e-mail>`) and how long it waits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notify: tuple[str, ...] = Field(min_length=1, max_length=20)
    escalate_after: StepWait = timedelta(minutes=5)

    @field_validator("notify")
    @classmethod
    def _targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for target in value:
            kind, _, name = str(target).partition(":")
            if kind == "schedule" and _NAME.match(name):
                continue
            if kind == "user":
                _member(name)
                continue
            raise ValueError(f"expected targets like schedule:checkout-primary or user:U04ERIN, got {target!r}")
        return value


class EscalationPolicy(BaseModel):
    """Steps notified one after another until someone acknowledges; `repeat` more rounds, then give up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    steps: tuple[EscalationStep, ...] = Field(min_length=1, max_length=20)
    repeat: int = Field(default=0, ge=0, le=10)


class Service(BaseModel):
    """Something that can break, and who answers for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Name
    description: str | None = Field(default=None, max_length=300)
    escalation_policy: Name | None = None


class Paging(BaseModel):
    """When declares page, and who is paged for the Incident Commander."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    page_on_declare: str | None = None
    incident_commanders: Name | None = None
    # Outside notifiers (webhook, ntfy, PagerDuty) told about every page event besides the Slack DM.
    notifiers: tuple[NotifierConfig, ...] = Field(default=(), max_length=50)
    # Local hours in each person's own Slack time zone; a page outside them counts as out of hours (people's load).
    working_hours: str = "mon-fri 09:00-18:00"

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parse_restriction(value)  # raises ValueError naming what is wrong
        return value

    def working(self) -> Restriction:
        """The working hours as a restriction (days and local hours)."""
        return parse_restriction(self.working_hours)


class OnCallPolicy(BaseModel):
    """The four on-call keys of the policy file, checked against each other."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    services: tuple[Service, ...] = ()
    schedules: tuple[ScheduleConfig, ...] = ()
    escalation_policies: tuple[EscalationPolicy, ...] = ()
    paging: Paging = Paging()

    def check(self, severity_names: list[str]) -> None:
        """Raise ValueError naming the key when names repeat or a reference points at nothing."""
        for key, names in (
            ("services", [s.name for s in self.services]),
            ("schedules", [s.name for s in self.schedules]),
            ("escalation_policies", [p.name for p in self.escalation_policies]),
            ("paging.notifiers", [n.name for n in self.paging.notifiers]),
        ):
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{key}: names must be unique, {repeated} repeat")
        schedules = {s.name for s in self.schedules}
        policies = {p.name for p in self.escalation_policies}
        for i, service in enumerate(self.services):
            if service.escalation_policy is not None and service.escalation_policy not in policies:
                raise ValueError(
                    f"services[{i}] ({service.name}).escalation_policy: {service.escalation_policy!r} is not an "
                    f"escalation policy; defined: {sorted(policies) or 'none'}"
                )
        for p, policy in enumerate(self.escalation_policies):
            for s, step in enumerate(policy.steps):
                for target in step.notify:
                    kind, _, name = target.partition(":")
                    if kind == "schedule" and name not in schedules:
                        raise ValueError(
                            f"escalation_policies[{p}] ({policy.name}).steps[{s}].notify: schedule {name!r} does not "
                            f"exist; defined: {sorted(schedules) or 'none'}"
                        )
        if self.paging.incident_commanders is not None and self.paging.incident_commanders not in schedules:
            raise ValueError(
                f"paging.incident_commanders: schedule {self.paging.incident_commanders!r} does not exist; "
                f"defined: {sorted(schedules) or 'none'}"
            )
        for i, notifier in enumerate(self.paging.notifiers):
            notifier.check(f"paging.notifiers[{i}] ({notifier.name})", severity_names)
        known = {n.lower(): n for n in severity_names}
        wanted = self.paging.page_on_declare
        if wanted is not None and wanted.lower() not in known:
            raise ValueError(f"paging.page_on_declare: {wanted!r} is not one of {severity_names}")

    def schedule(self, name: str) -> ScheduleConfig | None:
        """The schedule of this name, if any."""
        return next((s for s in self.schedules if s.name == name), None)
