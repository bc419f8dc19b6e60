"""Message content rules shared by chat.* and response_url: text, blocks, attachments, metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .args import Args
from .blocks import blocks_text_length, validate_blocks, with_generated_ids
from .errors import SlackError

if TYPE_CHECKING:
    from .state import SlackEmulator

MAX_TEXT = 40_000
MAX_MARKDOWN_TEXT = 12_000
MAX_ATTACHMENTS = 100


@dataclass
class Content:
    """Decoded message content. ``blocks``/``attachments`` are None when the caller did not send them."""

    text: str
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    markdown_text: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """No text, blocks, attachments or markdown_text at all (Slack's ``no_text``)."""
        return not (self.text.strip() or self.blocks or self.attachments or self.markdown_text)


def block_problems(emu: SlackEmulator, blocks: Any, where: str) -> SlackError | None:
    """The SlackError for invalid or over-budget message blocks, or None if they are fine."""
    errors = validate_blocks(blocks, strict_action_ids=emu.strict_action_ids)
    if errors:
        return SlackError(
            "invalid_blocks",
            violation=f"{where}: invalid blocks: " + "; ".join(errors),
            errors=errors,
            response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
        )
    used = blocks_text_length(blocks)
    if used > emu.msg_blocks_limit:
        return SlackError(
            "msg_blocks_too_long",
            violation=f"{where}: blocks hold {used} characters of text; the limit is {emu.msg_blocks_limit}",
        )
    return None


def _json_list(args: Args, name: str, error: str) -> list[dict[str, Any]] | None:
    value = args.decoded(name, error=error)
    if value is None:
        return None
    if not isinstance(value, list):
        raise SlackError(error, violation=f"{args.method}: '{name}' must be a JSON array")
    return value


def read_content(emu: SlackEmulator, args: Args, *, max_text: int | None = None, truncate: bool = True) -> Content:
    """Decode and check text/blocks/attachments/markdown_text of a chat.* call."""
    where = args.method
    content = Content(
        text=args.string("text") or "",
        blocks=_json_list(args, "blocks", "invalid_blocks_format"),
        attachments=_json_list(args, "attachments", "invalid_attachments"),
        markdown_text=args.string("markdown_text"),
    )
    if content.markdown_text and (content.text or content.blocks):
        raise SlackError(
            "markdown_text_conflict", violation=f"{where}: markdown_text cannot be combined with text/blocks"
        )
    if content.markdown_text and len(content.markdown_text) > MAX_MARKDOWN_TEXT:
        raise SlackError("msg_too_long", violation=f"{where}: markdown_text exceeds {MAX_MARKDOWN_TEXT} characters")
    if content.empty:
        raise SlackError("no_text", violation=f"{where}: no text, blocks, attachments or markdown_text")
    if content.blocks is not None:
        problem = block_problems(emu, content.blocks, where)
        if problem is not None:
            raise problem
        content.blocks = with_generated_ids(content.blocks, emu.new_block_id)
    if content.attachments is not None and len(content.attachments) > MAX_ATTACHMENTS:
        raise SlackError("too_many_attachments", violation=f"{where}: more than {MAX_ATTACHMENTS} attachments")
    if max_text is not None and len(content.text) > max_text:
        raise SlackError("msg_too_long", violation=f"{where}: text is {len(content.text)} chars; limit {max_text}")
    if truncate and len(content.text) > MAX_TEXT:
        emu.add_violation(f"{where}: text of {len(content.text)} characters was truncated to {MAX_TEXT} by Slack")
        content.text = content.text[:MAX_TEXT]
        content.warnings.append("message_truncated")
    if (content.blocks or content.attachments) and not content.text.strip() and not content.markdown_text:
        emu.add_warning(
            f"{where}: blocks/attachments without top-level text: notifications and screen readers get no fallback"
        )
    return content


def read_metadata(args: Args) -> dict[str, Any] | None:
    """Decode the ``metadata`` argument ({event_type, event_payload}); None when absent."""
    raw = args.decoded("metadata", error="invalid_metadata_format")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SlackError("invalid_metadata_format", violation=f"{args.method}: metadata must be a JSON object")
    if "entities" in raw and "event_type" not in raw:
        return raw
    event_type, payload = raw.get("event_type"), raw.get("event_payload")
    if not isinstance(event_type, str) or not event_type or not isinstance(payload, dict):
        raise SlackError(
            "invalid_metadata_schema",
            violation=f"{args.method}: metadata needs a non-empty string event_type and an object event_payload",
        )
    return {"event_type": event_type, "event_payload": payload}
