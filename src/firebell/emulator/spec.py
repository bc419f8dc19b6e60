"""Loads the vendored docs.slack.dev method rules and checks a call's arguments against them."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .errors import SlackError

TIER_NAMES = {"t1": "Tier 1", "t2": "Tier 2", "t3": "Tier 3", "t4": "Tier 4", "t5": "Special"}

# Where Slack answers a missing required argument with something more specific than invalid_arguments.
_MISSING_ARG_ERRORS: dict[tuple[str, str], str] = {
    ("*", "channel"): "channel_not_found",
    ("*", "channel_id"): "channel_not_found",
    ("conversations.create", "name"): "invalid_name_required",
    ("conversations.rename", "name"): "invalid_name_required",
    ("users.info", "user"): "user_not_found",
    ("conversations.invite", "users"): "no_user",
    ("chat.update", "ts"): "message_not_found",
    ("chat.delete", "ts"): "message_not_found",
    ("chat.getPermalink", "message_ts"): "message_not_found",
    ("reactions.add", "name"): "invalid_name",
    ("reactions.remove", "name"): "invalid_name",
    ("reactions.add", "timestamp"): "no_item_specified",
    ("users.lookupByEmail", "email"): "users_not_found",
    ("files.info", "file"): "file_not_found",
}

_CHAT_TEXT_GROUP = frozenset({"text", "blocks", "attachments", "markdown_text"})
_EMPTY_ALLOWED = frozenset({"topic", "purpose"})  # an empty string clears them


@dataclass(frozen=True)
class ArgGroup:
    """A ``_patch`` arg group: at least one of ``args`` (if required) / at most one (if exclusive)."""

    args: tuple[str, ...]
    required: bool
    exclusive: bool
    desc: str


@dataclass(frozen=True)
class MethodSpec:
    """What the docs scrape says about one Web API method."""

    name: str
    http_method: str
    required: tuple[str, ...]
    arg_groups: tuple[ArgGroup, ...]
    errors: frozenset[str]
    tier: str | None
    json_supported: bool
    bot_scopes: tuple[str, ...]
    known_args: frozenset[str]

    def error_for_missing(self, arg: str) -> str:
        """The error code Slack answers when ``arg`` is missing."""
        specific = _MISSING_ARG_ERRORS.get((self.name, arg)) or _MISSING_ARG_ERRORS.get(("*", arg))
        if specific:
            return specific
        return "missing_argument" if "missing_argument" in self.errors else "invalid_arguments"


def _ref_dir() -> Any:
    return resources.files("firebell.emulator").joinpath("slack_api_ref", "methods")


@functools.cache
def load_specs() -> Mapping[str, MethodSpec]:
    """All method specs from the vendored scrape, keyed by method name."""
    specs: dict[str, MethodSpec] = {}
    ref = _ref_dir()
    patches: dict[str, list[dict[str, Any]]] = {}
    for entry in ref.iterdir():
        name = entry.name
        if name.startswith("_patch.") and name.endswith(".json"):
            patches[name[len("_patch.") : -len(".json")]] = json.loads(entry.read_text("utf-8")).get("arg_groups", [])
    for entry in ref.iterdir():
        name = entry.name
        if name.startswith("_") or not name.endswith(".json"):
            continue
        method = name[: -len(".json")]
        raw = json.loads(entry.read_text("utf-8"))
        args = raw.get("args", {})
        groups = tuple(
            ArgGroup(
                args=tuple(g["args"]),
                required=bool(g.get("required", True)),
                exclusive=bool(g.get("mutually_exclusive", False)),
                desc=str(g.get("desc", "")),
            )
            for g in patches.get(method, [])
        )
        specs[method] = MethodSpec(
            name=method,
            http_method=str(raw.get("http_method", "POST")),
            required=tuple(a for a in args.get("required", []) if a != "token"),
            arg_groups=groups,
            errors=frozenset(raw.get("errors", {})),
            tier=raw.get("rate_limits"),
            json_supported=raw.get("json_input_supported") is True,
            bot_scopes=tuple((raw.get("scope") or {}).get("bot") or ()),
            known_args=frozenset(args.get("properties", {})),
        )
    return specs


@functools.cache
def common_errors() -> frozenset[str]:
    """Error codes every method can return (``_common_errors.json``)."""
    raw = json.loads(_ref_dir().joinpath("_common_errors.json").read_text("utf-8"))
    return frozenset(raw.get("errors", {}))


def get_spec(method: str) -> MethodSpec | None:
    """The spec for a method, or None if Slack has no such method (per the scrape)."""
    return load_specs().get(method)


def check_arguments(spec: MethodSpec, present: Callable[[str], bool], given: Callable[[str], bool]) -> None:
    """Raise SlackError (with a violation) if a required argument or arg group is not satisfied.

    ``present`` says whether an argument has a non-empty value, ``given`` whether it was sent at all.
    """
    for arg in spec.required:
        if not (present(arg) or (arg in _EMPTY_ALLOWED and given(arg))):
            error = spec.error_for_missing(arg)
            raise SlackError(
                error,
                violation=f"{spec.name}: missing required argument '{arg}'",
                response_metadata={"messages": [f"[ERROR] missing required field: {arg}"]},
            )
    for group in spec.arg_groups:
        supplied = [a for a in group.args if present(a)]
        chat_group = _CHAT_TEXT_GROUP.issuperset(group.args)
        if group.required and not supplied:
            error = "no_text" if chat_group else "invalid_arguments"
            raise SlackError(
                error,
                violation=f"{spec.name}: needs one of {', '.join(group.args)} ({group.desc})",
                response_metadata={"messages": [f"[ERROR] missing one of: {', '.join(group.args)}"]},
            )
        if group.exclusive and len(supplied) > 1:
            error = "markdown_text_conflict" if chat_group else "invalid_arguments"
            raise SlackError(
                error,
                violation=f"{spec.name}: {' and '.join(supplied)} are mutually exclusive ({group.desc})",
                response_metadata={"messages": [f"[ERROR] only one of: {', '.join(group.args)}"]},
            )


def unknown_arguments(spec: MethodSpec, names: list[str]) -> list[str]:
    """Argument names the docs do not list for this method (Slack ignores them silently)."""
    return [n for n in names if n not in spec.known_args and n != "token"]
