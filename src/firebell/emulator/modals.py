"""View lifecycle: validating, opening, pushing, updating and closing modals; publishing Home tabs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .blocks import MAX_VIEW_BYTES, input_block_ids, validate_view, view_size, with_generated_ids
from .errors import SlackError
from .ids import token_hex
from .models import View

if TYPE_CHECKING:
    from .state import SlackEmulator

MAX_STACK = 3


def check_view(emu: SlackEmulator, view: Any, where: str) -> dict[str, Any]:
    """The view dict if valid; SlackError (view_too_large / invalid_arguments, with violation) if not."""
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", violation=f"{where}: 'view' must be a JSON object")
    size = view_size(view)
    if size > MAX_VIEW_BYTES:
        raise SlackError("view_too_large", violation=f"{where}: view JSON is {size} bytes; limit {MAX_VIEW_BYTES}")
    errors = validate_view(view, strict_action_ids=emu.strict_action_ids)
    if errors:
        raise SlackError(
            "invalid_arguments",
            violation=f"{where}: invalid view: " + "; ".join(errors),
            response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
        )
    return view


def _new_hash(emu: SlackEmulator) -> str:
    return f"{int(emu.now())}.{token_hex(4)}"


def _check_external_id(emu: SlackEmulator, view: dict[str, Any], own_id: str | None, where: str) -> None:
    external_id = view.get("external_id")
    if not external_id:
        return
    for other in emu.views.values():
        if other.external_id == external_id and other.id != own_id and not other.closed:
            raise SlackError("duplicate_external_id", violation=f"{where}: external_id {external_id!r} already in use")


def _stored(emu: SlackEmulator, view: dict[str, Any]) -> dict[str, Any]:
    stored = dict(view)
    stored["blocks"] = with_generated_ids(view.get("blocks") or [], emu.new_block_id)
    return stored


def create_view(
    emu: SlackEmulator,
    user: str,
    view: dict[str, Any],
    where: str,
    *,
    root: str | None = None,
    previous: str | None = None,
) -> View:
    """Store a brand-new view for a user."""
    _check_external_id(emu, view, None, where)
    created = View(
        id=emu.ids.next("V"),
        view=_stored(emu, view),
        user=user,
        type=str(view["type"]),
        hash=_new_hash(emu),
        callback_id=view.get("callback_id"),
        private_metadata=view.get("private_metadata"),
        external_id=view.get("external_id"),
        root_view_id=root,
        previous_view_id=previous,
    )
    emu.add_view(created)
    return created


def replace_view(emu: SlackEmulator, target: View, view: dict[str, Any], where: str) -> None:
    """Replace a view's content in place (same id, new hash); keeps input state still present."""
    _check_external_id(emu, view, target.id, where)
    target.view = _stored(emu, view)
    target.callback_id = view.get("callback_id")
    target.private_metadata = view.get("private_metadata")
    target.external_id = view.get("external_id") or target.external_id
    target.hash = _new_hash(emu)
    target.updates += 1
    target.errors = {}
    kept_blocks = {str(b.get("block_id")) for b in target.view["blocks"] if isinstance(b, dict)}
    target.state = {k: v for k, v in target.state.items() if k in kept_blocks}


def open_modal(emu: SlackEmulator, user: str, view: dict[str, Any], where: str) -> View:
    """views.open: a new modal stack for the user (any open modals are closed)."""
    for view_id in emu.modal_stacks.pop(user, []):
        emu.views[view_id].closed = True
    created = create_view(emu, user, view, where)
    emu.modal_stacks[user] = [created.id]
    return created


def push_modal(emu: SlackEmulator, user: str, view: dict[str, Any], where: str) -> View:
    """views.push / response_action push: on top of the user's open modal (at most 3 deep)."""
    stack = emu.modal_stacks.get(user) or []
    if not stack:
        raise SlackError("not_found", violation=f"{where}: no modal is open for {user}; use views.open")
    if len(stack) >= MAX_STACK:
        raise SlackError("push_limit_reached", violation=f"{where}: the modal stack already holds {MAX_STACK} views")
    created = create_view(emu, user, view, where, root=stack[0], previous=stack[-1])
    stack.append(created.id)
    return created


def close_view(emu: SlackEmulator, target: View) -> None:
    """Close a modal and anything stacked above it."""
    stack = emu.modal_stacks.get(target.user, [])
    if target.id in stack:
        for view_id in stack[stack.index(target.id) :]:
            emu.views[view_id].closed = True
        del stack[stack.index(target.id) :]
        if not stack:
            emu.modal_stacks.pop(target.user, None)
    target.closed = True


def clear_stack(emu: SlackEmulator, user: str) -> None:
    """Close every modal of the user (response_action clear)."""
    for view_id in emu.modal_stacks.pop(user, []):
        emu.views[view_id].closed = True


def apply_submission_ack(emu: SlackEmulator, target: View, status: int, elapsed: float, body: Any) -> str:
    """What Slack does with a view_submission ack; returns closed/errors/updated/pushed/cleared/failed."""
    where = f"view_submission ack for {target.id} ({target.callback_id})"
    with emu.lock:
        if status != 200 or elapsed > emu.ack_deadline:
            return "failed"
        action = body.get("response_action") if isinstance(body, dict) else None
        try:
            return _apply_action(emu, target, action, body, where)
        except SlackError as exc:
            emu.add_violation(exc.violation or f"{where}: {exc.error}")
            return "failed"


def _apply_action(emu: SlackEmulator, target: View, action: Any, body: Any, where: str) -> str:
    if action is None:
        close_view(emu, target)
        return "closed"
    if action == "errors":
        errors = body.get("errors")
        if not isinstance(errors, dict) or not errors:
            raise SlackError("invalid_arguments", violation=f"{where}: response_action errors needs an errors object")
        inputs = input_block_ids(target.view)
        unknown = [k for k in errors if k not in inputs]
        if unknown:
            raise SlackError(
                "invalid_arguments",
                violation=f"{where}: errors reference {unknown}, which are not input block_ids {sorted(inputs)}",
            )
        target.errors = {str(k): str(v) for k, v in errors.items()}
        return "errors"
    if action in ("update", "push"):
        view = check_view(emu, body.get("view"), where)
        if view.get("type") != "modal":
            raise SlackError("invalid_arguments", violation=f"{where}: response_action {action} needs a modal")
        if action == "update":
            replace_view(emu, target, view, where)
            return "updated"
        push_modal(emu, target.user, view, where)
        return "pushed"
    if action == "clear":
        clear_stack(emu, target.user)
        return "cleared"
    raise SlackError("invalid_arguments", violation=f"{where}: unknown response_action {action!r}")
