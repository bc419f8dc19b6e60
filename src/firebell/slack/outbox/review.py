"""Delivering the review: the postmortem draft (file, summary, announcement link) and follow-up DMs."""

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx
from slack_sdk.errors import SlackApiError

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import incident_label
from firebell.domain.postmortem import PostmortemDraft, render_postmortem
from firebell.services.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry
from firebell.services.people.names import remember_names
from firebell.services.postmortem import build_draft, people_in
from firebell.slack.blocks.review import draft_failed, nudge_message, postmortem_link, postmortem_summary
from firebell.slack.outbox.outcomes import slack_error
from firebell.store.models import Incident, Postmortem

if TYPE_CHECKING:
    from firebell.slack.outbox.delivery import Deliverer

log = logging.getLogger(__name__)


class UploadExpired(Exception):
    """The uploaded file is gone before it could be shared: upload it again."""


MAX_NAME_LOOKUPS = 50


class ReviewDeliveries:
    """The review's effects, delivered with the Deliverer's Slack client and duplicate checks."""

    def __init__(self, deliverer: "Deliverer") -> None:
        self.d = deliverer
        self.ctx = deliverer.ctx
        self.client = deliverer.client

    def post_postmortem(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        """Draft, store, upload and share the postmortem, then present it in the war room and the
        announcement's thread. Each step is checkpointed so a retry redoes only what is missing."""
        assert incident is not None
        assert incident.channel_id is not None
        if job.attempts > 1:
            # This effect posts several messages: on any retry, each is looked for before it is posted
            # again (a 429 on the last one must not repeat the first).
            job = replace(job, uncertain=True)
        try:
            draft, markdown = self._draft(incident.id)
        except Exception:  # a drafting bug must not stop the incident: say so once, then retry
            log.exception("effect %s: drafting the %s postmortem failed", job.id, incident.label)
            self.d.post(job, incident.channel_id, draft_failed(incident), part="failed")
            return Retry(error="postmortem draft failed (see log)", uncertain=True)
        try:
            file_id = self._uploaded(job, incident, markdown)
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            if status == 429 or status >= 500:
                return Retry(error=f"file upload: HTTP {status}", uncertain=True)
            return Failed(error=f"file upload refused: HTTP {status}")
        except httpx.TransportError as exc:
            return Retry(error=f"file upload: {type(exc).__name__}", uncertain=True)
        try:
            permalink = self._shared(job, incident, file_id)
        except UploadExpired:
            self._forget_file(incident.id)
            return Retry(error="the uploaded file expired before it was shared; uploading again", after=0)
        summary = postmortem_summary(
            incident,
            cadence=draft.cadence,
            events=len(draft.timeline),
            items=draft.action_items,
            detection=draft.detection,
            file_permalink=permalink,
        )
        self.d.post(job, incident.channel_id, summary, part="summary")
        if incident.announcement_channel_id and incident.announcement_ts:
            self.d.post(
                job,
                incident.announcement_channel_id,
                postmortem_link(incident, permalink),
                thread_ts=incident.announcement_ts,
                part="announce",
            )
        return Delivered()

    def _draft(self, incident_id: int) -> tuple[PostmortemDraft, str]:
        """Build the draft once, asking Slack for the names it needs that Firebell has not seen yet;
        store its Markdown."""
        now = self.ctx.clock()
        workspace_url = self._workspace_url()  # before the read: no Slack call while a session is open
        with self.ctx.db.read() as session:
            row = session.get(Incident, incident_id)
            assert row is not None
            draft = build_draft(session, row, self.ctx.policy, now=now, workspace_url=workspace_url)
        wanted = people_in(draft.incident, draft.timeline, draft.action_items)
        learned = {}
        for user_id in sorted(wanted - set(draft.names))[:MAX_NAME_LOOKUPS]:
            name = self.d.directory.user_name(user_id)
            if name:
                learned[user_id] = name
        remember_names(self.ctx, learned)
        draft = replace(draft, names={**draft.names, **learned})
        markdown = render_postmortem(draft)
        with self.ctx.db.transaction(background=True) as session:
            pm = session.get(Postmortem, incident_id)
            assert pm is not None
            pm.markdown, pm.generated_at = markdown, now
        return draft, markdown

    def _workspace_url(self) -> str | None:
        """The workspace's address from auth.test (cached), so the draft links the war room directly."""
        identity = self.d.directory.identity()
        url = identity.get("url") if identity else None
        return str(url) if url else None

    def _uploaded(self, job: Job, incident: IncidentSnapshot, markdown: str) -> str:
        """The file of this effect's draft, uploaded once: a retry reuses the recorded file."""
        with self.ctx.db.read() as session:
            pm = session.get(Postmortem, incident.id)
            if pm is not None and pm.file_effect_id == job.id and pm.file_id:
                return pm.file_id
        content = markdown.encode("utf-8")
        filename = f"{incident.label.lower()}-postmortem.md"
        reserved = self.client.files_getUploadURLExternal(filename=filename, length=len(content))
        response = httpx.post(str(reserved["upload_url"]), content=content, timeout=30)
        response.raise_for_status()
        file_id = str(reserved["file_id"])
        with self.ctx.db.transaction(background=True) as session:
            pm = session.get(Postmortem, incident.id)
            assert pm is not None
            pm.file_id, pm.file_effect_id, pm.file_permalink = file_id, job.id, None
        return file_id

    def _shared(self, job: Job, incident: IncidentSnapshot, file_id: str) -> str | None:
        """Share the file into the war room once (files.info tells whether an earlier attempt did);
        returns its permalink."""
        assert incident.channel_id is not None
        shared, permalink = self._share_of(file_id, incident.channel_id) if job.uncertain else (False, None)
        if not shared:
            try:
                response = self.client.files_completeUploadExternal(
                    files=[{"id": file_id, "title": f"{incident_label(incident.number)} postmortem draft"}],
                    channel_id=incident.channel_id,
                    initial_comment=f"{incident_label(incident.number)} postmortem draft (Markdown)",
                )
                files = response.get("files") or [{}]
                permalink = str(files[0].get("permalink") or "") or None
            except SlackApiError as exc:
                # Completed by an attempt whose answer was lost? Then the file is already shared.
                # Otherwise the upload expired unshared: start again with a fresh one.
                if slack_error(exc) != "file_not_found":
                    raise
                shared, permalink = self._share_of(file_id, incident.channel_id)
                if not shared:
                    raise UploadExpired(file_id) from exc
        with self.ctx.db.transaction(background=True) as session:
            pm = session.get(Postmortem, incident.id)
            if pm is not None:
                pm.file_permalink = permalink
        return permalink

    def _forget_file(self, incident_id: int) -> None:
        with self.ctx.db.transaction(background=True) as session:
            pm = session.get(Postmortem, incident_id)
            if pm is not None:
                pm.file_id, pm.file_effect_id, pm.file_permalink = None, None, None

    def _share_of(self, file_id: str, channel: str) -> tuple[bool, str | None]:
        """Whether the file is shared in the channel, and its permalink."""
        try:
            info = self.client.files_info(file=file_id)
        except SlackApiError as exc:
            if slack_error(exc) == "file_not_found":
                return False, None
            raise
        file = info.get("file") or {}
        places = [*(file.get("channels") or []), *(file.get("groups") or [])]
        return channel in places, str(file.get("permalink") or "") or None

    def dm(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        """A direct message (the daily follow-up of overdue action items)."""
        payload = job.payload
        if payload.get("message") != "action_nudge":
            return Failed(error=f"unknown direct message {payload.get('message')!r}")
        self.d.post(job, self.d.directory.dm_channel(str(payload["user"])), nudge_message(payload))
        return Delivered()
