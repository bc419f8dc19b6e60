"""Configuration: the environment (pydantic-settings) and the YAML policy file (pydantic)."""

import logging
import os
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from firebell.domain.errors import FirebellError, PolicyError
from firebell.domain.policy import Policy

log = logging.getLogger(__name__)

DEFAULT_POLICY_FILE = Path("firebell.yaml")
DEFAULT_DATABASE_URL = "sqlite:///firebell.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_SECRETS = {
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "firebell_api_token",
    "firebell_slack_client_secret",
    "firebell_web_session_secret",
}
WEB_VIEW_MODES = ("off", "open", "slack")
MIN_SESSION_SECRET = 32


class SettingsError(FirebellError):
    """An environment variable holds a value Firebell cannot use; the message names it and what is valid."""


class Settings(BaseSettings):
    """The environment Firebell runs in. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    firebell_config: Path | None = None
    firebell_api_token: SecretStr | None = None
    firebell_log_level: str = "INFO"
    firebell_socket_mode: bool = False
    # The internal web view (/incidents): off, open (no sign-in; a trusted network only) or slack (Sign in with Slack).
    firebell_web_view: str = "off"
    firebell_web_base_url: str | None = None
    firebell_web_session_secret: SecretStr | None = None
    firebell_slack_client_id: str | None = None
    firebell_slack_client_secret: SecretStr | None = None
    firebell_slack_team_id: str | None = None  # unset: the bot token's workspace (auth.test)

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "firebell_api_token",
        "firebell_config",
        "firebell_web_base_url",
        "firebell_web_session_secret",
        "firebell_slack_client_id",
        "firebell_slack_client_secret",
        "firebell_slack_team_id",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker-compose passes unset variables as empty strings; an empty token is no token.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url", "firebell_log_level", "firebell_socket_mode", "firebell_web_view", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any, info: Any) -> Any:
        # As above: an empty variable from docker-compose means "not set", so the default applies.
        if isinstance(value, str) and not value.strip():
            return cls.model_fields[info.field_name].default
        return value

    @field_validator("firebell_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
        return level

    @field_validator("firebell_web_view")
    @classmethod
    def _web_view(cls, value: str) -> str:
        mode = value.strip().lower()
        if mode not in WEB_VIEW_MODES:
            raise ValueError(f"expected one of {', '.join(WEB_VIEW_MODES)}, got {value!r}")
        return mode

    def web_view_problem(self) -> str | None:
        """What FIREBELL_WEB_VIEW=slack still lacks (None when the web view can start as configured)."""
        if self.firebell_web_view != "slack":
            return None
        missing = []
        if self.firebell_slack_client_id is None:
            missing.append("FIREBELL_SLACK_CLIENT_ID (Basic Information > App Credentials > Client ID)")
        if self.firebell_slack_client_secret is None:
            missing.append("FIREBELL_SLACK_CLIENT_SECRET (Basic Information > App Credentials > Client Secret)")
        secret = self.firebell_web_session_secret
        if secret is None or len(secret.get_secret_value()) < MIN_SESSION_SECRET:
            missing.append(
                f"FIREBELL_WEB_SESSION_SECRET (at least {MIN_SESSION_SECRET} characters, e.g. `openssl rand -hex 32`)"
            )
        base = self.firebell_web_base_url
        if base is None or not base.startswith(("https://", "http://")):
            missing.append(
                "FIREBELL_WEB_BASE_URL (the URL people reach Firebell at, e.g. https://firebell.example.com)"
            )
        if not missing:
            return None
        return "FIREBELL_WEB_VIEW=slack needs " + "; ".join(missing) + ". See README: Internal web view."

    def require_slack(self, *, socket_mode: bool = False) -> tuple[str, str, str | None]:
        """The bot token, signing secret and (for Socket Mode) app token, or a clear error naming what is missing."""
        missing = []
        if self.slack_bot_token is None:
            missing.append("SLACK_BOT_TOKEN (the xoxb- bot token)")
        if self.slack_signing_secret is None and not socket_mode:
            missing.append("SLACK_SIGNING_SECRET (Basic Information > App Credentials)")
        if socket_mode and self.slack_app_token is None:
            missing.append("SLACK_APP_TOKEN (an xapp- token with connections:write, for --socket-mode)")
        if missing:
            raise PolicyError("Missing environment: " + "; ".join(missing) + ". See README: Connect a Slack workspace.")
        assert self.slack_bot_token is not None
        secret = self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""
        app_token = self.slack_app_token.get_secret_value() if self.slack_app_token else None
        return self.slack_bot_token.get_secret_value(), secret, app_token


def load_settings() -> Settings:
    """The environment as Settings, or a SettingsError naming each variable that is wrong (never a secret's value)."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "environment"
            message = str(error["msg"]).removeprefix("Value error, ")
            if field not in _SECRETS and "got" not in message:
                message += f", got {error['input']!r}"
            problems.append(f"{field.upper()}: {message}")
        raise SettingsError("; ".join(problems)) from None


def _location(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node):
                node = node[item]
                if isinstance(node, dict) and "name" in node:
                    label += f" ({node['name']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + item)
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _settings_at(loc: tuple[int | str, ...]) -> list[str]:
    """The setting names valid where `loc` points (a nested model's own fields, not the top level's)."""
    model: Any = Policy
    for item in loc:
        if isinstance(item, int):
            continue
        field = model.model_fields.get(item) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        model = _model_in(field.annotation)
    return list(model.model_fields) if hasattr(model, "model_fields") else []


def _model_in(annotation: Any) -> Any:
    # The pydantic model inside X, X | None or tuple[X, ...].
    if hasattr(annotation, "model_fields"):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def policy_from_mapping(raw: Any, *, source: str) -> Policy:
    """Validate a parsed policy document; errors name the key, the expectation and the value."""
    if raw is None:
        raw = {}
    known = ", ".join(Policy.model_fields)
    if not isinstance(raw, dict):
        raise PolicyError(
            f"{source} is not a Firebell policy: expected a mapping of settings at the top level, "
            f"got {type(raw).__name__}"
        )
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            where = _location(tuple(error["loc"]), raw)
            message = str(error["msg"]).removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                known = ", ".join(_settings_at(tuple(error["loc"])[:-1]))
                message = f"unknown setting (known settings: {known})"
            # A rule across settings (no single location) names its keys in the message itself.
            lines.append(f"{source}: {where}: {message}" if error["loc"] else f"{source}: {message}")
        # One line per problem, so a CLI prints each as its own `firebell: ...` line.
        raise PolicyError("\n".join(lines)) from None


@dataclass(frozen=True)
class PolicySource:
    """A policy as read: where from (None: the built-in defaults), what it left to the defaults, its warnings."""

    policy: Policy
    path: Path | None
    defaulted: tuple[str, ...]
    warnings: tuple[str, ...]


def read_policy(path: Path | None, *, named_by_env: bool = True) -> PolicySource:
    """The policy in `path` (from FIREBELL_CONFIG unless `named_by_env` is False), else ./firebell.yaml, else defaults."""
    if path is None:
        if not DEFAULT_POLICY_FILE.exists():
            return PolicySource(Policy(), None, tuple(Policy.model_fields), ())
        path, named_by_env = DEFAULT_POLICY_FILE, False
    subject = f"FIREBELL_CONFIG points at {path}, which" if named_by_env else str(path)
    if not path.exists():
        raise PolicyError(f"{subject} does not exist.")
    if path.is_dir():
        raise PolicyError(f"{subject} is a directory; name the policy file itself, e.g. {path / 'firebell.yaml'}.")
    if not path.is_file():
        raise PolicyError(f"{subject} is not a regular file (a device, pipe or socket); name a YAML policy file.")
    raw = _read_yaml(path)
    # The folder as named (`..` removed, symlinks not followed): a Kubernetes ConfigMap mounts each file as a
    # link into a timestamped folder that is swapped on every update.
    folder = Path(os.path.abspath(path)).parent
    policy = relative_to(policy_from_mapping(raw, source=str(path)), folder)
    warnings = []
    if not raw:
        warnings.append(f"{path} is empty: every setting is the built-in default.")
    if policy.runbooks_dir is not None:
        warnings += _runbooks_dir_warnings(raw["runbooks_dir"], policy.runbooks_dir, folder)
    defaulted = tuple(name for name in Policy.model_fields if not raw or name not in raw)
    return PolicySource(policy, path, defaulted, tuple(warnings))


def _read_yaml(path: Path) -> Any:
    # Never quote the file's lines back: a mistyped path may name a file of secrets, not a policy.
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"{path} is not a policy file: it is not UTF-8 text.") from None
    except OSError as exc:
        raise PolicyError(f"cannot read {path}: {exc.strerror or type(exc).__name__}.") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = ""
        if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
            where = f" at line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1}"
        problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) and exc.problem else "unreadable"
        raise PolicyError(f"{path}: not valid YAML: {problem}{where}.") from None


def _runbooks_dir_warnings(written: Any, directory: Path, folder: Path) -> list[str]:
    resolved = Path(os.path.normpath(directory))
    warnings = []
    if not Path(str(written)).is_absolute() and not resolved.is_relative_to(folder):
        warnings.append(
            f"runbooks_dir {written} leads out of the policy file's folder {folder} (to {resolved}): a deployment "
            "that ships only that folder (docker-compose.yml mounts config/) will not have it; keep the runbooks "
            "in a folder beside the policy file, or give an absolute path."
        )
    if not resolved.is_dir():
        warnings.append(
            f"runbooks_dir {resolved} is not a directory: no runbooks will be suggested "
            "(remove runbooks_dir to use the runbooks shipped with Firebell)."
        )
    return warnings


def require_notifier_secrets(policy: Policy) -> None:
    """Raise PolicyError naming every environment variable a notifier needs and does not find (never a value)."""
    missing = [
        f"paging.notifiers[{i}] ({notifier.name}).{_secret_key(notifier.secret_env, notifier.routing_key_env)}: "
        f"environment variable {notifier.secret_name} is not set"
        for i, notifier in enumerate(policy.paging.notifiers)
        if notifier.secret_name and not os.environ.get(notifier.secret_name, "").strip()
    ]
    if missing:
        raise PolicyError("\n".join(missing))


def _secret_key(secret_env: str | None, routing_key_env: str | None) -> str:
    return "secret_env" if secret_env else "routing_key_env" if routing_key_env else "token_env"


def load_policy(path: Path | None) -> Policy:
    """The policy as `read_policy` finds it; its warnings are logged."""
    source = read_policy(path)
    for warning in source.warnings:
        log.warning("policy: %s", warning)
    return source.policy


def relative_to(policy: Policy, folder: Path) -> Policy:
    """The policy with every relative path in it (runbooks_dir) made absolute against `folder`."""
    paths = {name: folder / value for name, value in policy if isinstance(value, Path) and not value.is_absolute()}
    return policy.model_copy(update=paths)
