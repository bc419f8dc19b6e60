"""views.* handlers: open/push need a fresh, unused trigger_id; update honours hash; publish is Home."""

from __future__ import annotations

from typing import Any

from .errors import SlackError
from .modals import check_view, create_view, open_modal, push_modal, replace_view
from .models import Trigger, View
from .registry import Ctx, handler
from .shapes import view_json


def _view_arg(ctx: Ctx, kind: str) -> dict[str, Any]:
    view = check_view(ctx.emu, ctx.args.decoded("view", error="invalid_arguments"), ctx.method)
    if view.get("type") != kind:
        ctx.fail("invalid_arguments", f"{ctx.method} needs a view of type {kind!r}, got {view.get('type')!r}")
    return view


def consume_trigger(ctx: Ctx) -> Trigger:
    """Exchange the call's trigger_id (or interactivity_pointer): unknown, reused and stale ones fail."""
    emu = ctx.emu
    trigger_id = ctx.args.text("trigger_id").strip() or ctx.args.text("interactivity_pointer").strip()
    trigger = emu.triggers.get(trigger_id)
    if trigger is None:
        ctx.fail("invalid_trigger_id", f"trigger_id {trigger_id!r} was never issued")
    if trigger.used_at is not None:
        ctx.fail("exchanged_trigger_id", f"trigger_id {trigger_id} was already used (single use)")
    age = emu.now() - trigger.issued_at
    if age > emu.trigger_ttl:
        ctx.fail("expired_trigger_id", f"trigger_id used {age:.2f}s after issue; limit {emu.trigger_ttl:g}s")
    trigger.used_at = emu.now()
    return trigger


@handler("views.open")
def views_open(ctx: Ctx) -> dict[str, Any]:
    """Open a modal for the trigger's user."""
    view = _view_arg(ctx, "modal")
    trigger = consume_trigger(ctx)
    opened = open_modal(ctx.emu, trigger.user, view, ctx.method)
    return {"ok": True, "view": view_json(ctx.emu, opened)}


@handler("views.push")
def views_push(ctx: Ctx) -> dict[str, Any]:
    """Push a modal onto the trigger user's stack (≤3)."""
    view = _view_arg(ctx, "modal")
    trigger = consume_trigger(ctx)
    pushed = push_modal(ctx.emu, trigger.user, view, ctx.method)
    return {"ok": True, "view": view_json(ctx.emu, pushed)}


def _find_view(ctx: Ctx) -> View:
    view_id = ctx.args.text("view_id").strip()
    external_id = ctx.args.text("external_id").strip()
    for candidate in ctx.emu.views.values():
        matches = (view_id and candidate.id == view_id) or (external_id and candidate.external_id == external_id)
        if matches and not candidate.closed:
            return candidate
    raise SlackError("not_found")


@handler("views.update")
def views_update(ctx: Ctx) -> dict[str, Any]:
    """Replace an open view (by view_id or external_id); a stale ``hash`` is a hash_conflict."""
    target = _find_view(ctx)
    view = _view_arg(ctx, target.type)
    given_hash = ctx.args.text("hash").strip()
    if given_hash and given_hash != target.hash:
        ctx.fail("hash_conflict")
    replace_view(ctx.emu, target, view, ctx.method)
    return {"ok": True, "view": view_json(ctx.emu, target)}


@handler("views.publish")
def views_publish(ctx: Ctx) -> dict[str, Any]:
    """Publish a user's Home tab."""
    emu = ctx.emu
    user_id = ctx.args.text("user_id").strip()
    if user_id not in emu.users or emu.users[user_id].is_bot:
        ctx.fail("invalid_arguments", f"user_id {user_id!r} is not a workspace member")
    view = _view_arg(ctx, "home")
    existing = emu.views.get(emu.home_views.get(user_id, ""))
    given_hash = ctx.args.text("hash").strip()
    if existing is not None and given_hash and given_hash != existing.hash:
        ctx.fail("hash_conflict")
    if existing is None:
        existing = create_view(emu, user_id, view, ctx.method)
        emu.home_views[user_id] = existing.id
    else:
        replace_view(emu, existing, view, ctx.method)
    return {"ok": True, "view": view_json(emu, existing)}
