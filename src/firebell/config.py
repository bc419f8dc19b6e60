"""Configuration: the environment (pydantic-settings) and the YAML policy file (pydantic)."""

import os
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from firebell.domain.errors import PolicyError
from firebell.domain.policy import Policy

DEFAULT_POLICY_FILE = Path("firebell.yaml")


class Settings(BaseSettings):
    """The environment Firebell runs in. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite:///firebell.db"
    firebell_config: Path | None = None
    firebell_api_token: SecretStr | None = None
    firebell_log_level: str = "INFO"

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "firebell_api_token",
        "firebell_config",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        # docker-compose passes unset variables as empty strings; an empty token is no token.
        return None if isinstance(value, str) and not value.strip() else value

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
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping of settings at the top level, got {type(raw).__name__}")
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
            lines.append(f"{source}: {where}: {message}")
        raise PolicyError("Invalid policy file:\n" + "\n".join(lines)) from None


def load_policy(path: Path | None) -> Policy:
    """The policy in `path`, else ./firebell.yaml if present, else the defaults; relative paths are from its folder."""
    if path is None:
        if not DEFAULT_POLICY_FILE.is_file():
            return Policy()
        path = DEFAULT_POLICY_FILE
    if not path.is_file():
        raise PolicyError(f"FIREBELL_CONFIG points at {path}, which does not exist.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML: {exc}") from None
    # The folder as named (`..` removed, symlinks not followed): a Kubernetes ConfigMap mounts each file as a
    # link into a timestamped folder that is swapped on every update.
    return relative_to(policy_from_mapping(raw, source=str(path)), Path(os.path.abspath(path)).parent)


def relative_to(policy: Policy, folder: Path) -> Policy:
    """The policy with every relative path in it (runbooks_dir) made absolute against `folder`."""
    paths = {name: folder / value for name, value in policy if isinstance(value, Path) and not value.is_absolute()}
    return policy.model_copy(update=paths)
