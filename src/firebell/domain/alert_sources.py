"""The policy's alert sources: who may send alerts, in which dialect, and what their alerts decide."""

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from firebell.domain.alerts.shapes import AlertKind
from firebell.domain.durations import parse_duration

SOURCE_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_SOURCE_NAME = re.compile(SOURCE_NAME_PATTERN)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,80}$")


def _window(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    parsed = parse_duration(value)
    if parsed is None:
        raise ValueError(f"expected a duration like 30s, 5m or 1h (not zero), got {value!r}")
    return parsed


Window = Annotated[timedelta, BeforeValidator(_window)]


def _env_name(value: str | None, what: str) -> str | None:
    if value is None or not value.strip():
        return None
    if not _ENV_NAME.match(value.strip()):
        raise ValueError(f"expected the name of an environment variable holding the {what}, got {value!r}")
    return value.strip()


class SeverityFrom(BaseModel):
    """Which alert label gives the severity, and how its values map to incident severities."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(default="severity", min_length=1, max_length=200)
    map: dict[str, str] = Field(default_factory=dict)


class DeclareRule(BaseModel):
    """When a group declares an incident at once: its severity is `min_severity` or more severe."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_severity: str = Field(min_length=1, max_length=20)


class AlertSource(BaseModel):
    """One sender of alerts, served at `POST /api/v1/alerts/{name}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: AlertKind
    # The secret stays in the environment; no token (and no HMAC secret) configured: the source refuses everything.
    token_env: str | None = None
    # Grafana only: verify X-Grafana-Alerting-Signature (hex HMAC-SHA256) with the secret in this variable.
    hmac_secret_env: str | None = None
    # Grafana's optional timestamp header: then the signature covers "timestamp:body", and stale ones are refused.
    hmac_timestamp_header: str | None = None
    hmac_max_age: Window = timedelta(minutes=5)
    service_label: str | None = "service"
    severity_from: SeverityFrom | None = None
    declare: DeclareRule | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _SOURCE_NAME.match(value):
            raise ValueError(
                "expected 1-40 characters of lowercase letters, digits, '-' or '_' (it is part of the URL), "
                f"got {value!r}"
            )
        return value

    @field_validator("token_env")
    @classmethod
    def _token_env(cls, value: str | None) -> str | None:
        return _env_name(value, "bearer token")

    @field_validator("hmac_secret_env")
    @classmethod
    def _hmac_env(cls, value: str | None) -> str | None:
        return _env_name(value, "HMAC secret")

    @field_validator("hmac_timestamp_header")
    @classmethod
    def _timestamp_header(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _HEADER_NAME.match(value.strip()):
            raise ValueError(f"expected an HTTP header name such as X-Grafana-Alerting-Timestamp, got {value!r}")
        return value.strip()

    @model_validator(mode="after")
    def _hmac_for_grafana(self) -> "AlertSource":
        if self.hmac_secret_env and self.kind is not AlertKind.GRAFANA:
            raise ValueError(f"hmac_secret_env: only a grafana source signs its requests; this one is {self.kind}")
        if self.hmac_timestamp_header and not self.hmac_secret_env:
            raise ValueError("hmac_timestamp_header: set hmac_secret_env too (the timestamp is part of the signature)")
        return self

    def severities_named(self) -> list[tuple[str, str]]:
        """(where in the policy, severity name) for each severity this source names."""
        named = [
            (f"severity_from.map.{value}", sev) for value, sev in (self.severity_from or SeverityFrom()).map.items()
        ]
        if self.declare is not None:
            named.append(("declare.min_severity", self.declare.min_severity))
        return named


def check_alert_sources(sources: tuple[AlertSource, ...], severity_names: list[str]) -> None:
    """Raise ValueError naming the key when source names repeat or a source names an undefined severity."""
    names = [source.name for source in sources]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"alert_sources: names must be unique, {repeated} repeat")
    known = {name.lower() for name in severity_names}
    for i, source in enumerate(sources):
        for where, severity in source.severities_named():
            if severity.lower() not in known:
                raise ValueError(
                    f"alert_sources[{i}] ({source.name}).{where}: {severity!r} is not one of {severity_names}"
                )
