"""files.* handlers: the v2 upload flow (getUploadURLExternal → POST bytes → completeUploadExternal)."""

from __future__ import annotations

from typing import Any

from .content import block_problems
from .models import Channel, File, Message
from .registry import Ctx, handler
from .shapes import file_json


@handler("files.getUploadURLExternal")
def files_get_upload_url(ctx: Ctx) -> dict[str, Any]:
    """Reserve a file id and an upload URL hosted by the emulator."""
    emu = ctx.emu
    length = ctx.args.integer("length", -1, error="invalid_arguments")
    if length < 0:
        ctx.fail("invalid_arguments", "length must be the file size in bytes")
    upload = File(
        id=emu.ids.next("F"),
        name=ctx.args.text("filename"),
        declared_length=length,
        user=emu.bot_user_id,
        created=int(emu.now()),
        alt_txt=ctx.args.string("alt_txt"),
        snippet_type=ctx.args.string("snippet_type"),
    )
    emu.uploads[upload.id] = upload
    return {"ok": True, "upload_url": f"{emu.base_url.rstrip('/')}/upload/{upload.id}", "file_id": upload.id}


def _targets(ctx: Ctx) -> list[Channel]:
    refs = [ctx.args.text("channel_id").strip()] if ctx.args.present("channel_id") else ctx.args.csv("channels")
    chosen = []
    for ref in refs:
        ch = ctx.emu.channels.get(ref)
        if ch is None and ref in ctx.emu.users:
            ch = ctx.emu.open_dm(ref)
        if ch is None or not ctx.visible(ch):
            ctx.fail("channel_not_found")
        ctx.require_member(ch)
        chosen.append(ch)
    return chosen


@handler("files.completeUploadExternal")
def files_complete_upload(ctx: Ctx) -> dict[str, Any]:
    """Finish uploads and share them (one message per channel, carrying every file)."""
    emu = ctx.emu
    items = ctx.args.decoded("files", error="invalid_arguments")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) and i.get("id") for i in items):
        ctx.fail("invalid_arguments", "files must be a JSON array of {id, title}")
    uploads: list[File] = []
    for item in items:
        upload = emu.uploads.get(str(item["id"]))
        if upload is None or upload.completed:
            ctx.fail("file_not_found")
        if upload.content is None:
            ctx.fail("file_not_found", f"file {upload.id}: its bytes were never POSTed to the upload_url")
        uploads.append(upload)
    channels = _targets(ctx)
    thread_ts = ctx.args.string("thread_ts")
    if thread_ts and len(channels) != 1:
        ctx.fail("invalid_arguments", "thread_ts needs exactly one channel")
    blocks = ctx.args.decoded("blocks", error="invalid_blocks") if not ctx.args.present("initial_comment") else None
    if blocks is not None:
        problem = block_problems(emu, blocks, ctx.method)
        if problem is not None:
            raise problem
    comment = ctx.args.string("initial_comment")
    for item, upload in zip(items, uploads, strict=True):
        upload.title = str(item.get("title") or upload.name)
        upload.completed = True
        upload.initial_comment = comment
        upload.thread_ts = thread_ts
        upload.channels = [c.id for c in channels]
    for ch in channels:
        message = emu.store_message(
            Message(
                ts=emu.next_ts(),
                channel=ch.id,
                user=emu.bot_user_id,
                bot_id=emu.bot_id,
                app_id=emu.app_id,
                text=comment or "",
                blocks=blocks or [],
                thread_ts=thread_ts,
                files=[u.id for u in uploads],
            )
        )
        for upload in uploads:
            upload.message_ts = upload.message_ts or message.ts
    return {"ok": True, "files": [file_json(emu, u) for u in uploads]}


@handler("files.info")
def files_info(ctx: Ctx) -> dict[str, Any]:
    """A completed file."""
    upload = ctx.emu.uploads.get(ctx.args.text("file").strip())
    if upload is None or not upload.completed:
        ctx.fail("file_not_found")
    return {
        "ok": True,
        "file": file_json(ctx.emu, upload),
        "comments": [],
        "response_metadata": {"next_cursor": ""},
    }
