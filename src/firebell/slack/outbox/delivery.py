"""How each kind of queued effect is carried out against the Slack Web API."""

import http.client
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from firebell.domain.incident import IncidentSnapshot
from firebell.domain.naming import war_room_name
from firebell.notifiers.delivery import deliver_notice
from firebell.notifiers.statuspage_delivery import deliver_statuspage
from firebell.runbooks.shelf import Shelf
from firebell.services.context import Context
from firebell.services.effects import EffectKind, Target
from firebell.services.outbox.outcomes import Delivered, Failed, Job, Outcome, Retry
from firebell.services.pins import record_pin
from firebell.services.runbooks import checklist, record_message, run_message_ts
from firebell.slack.blocks.incident import Message, announcement_message, topic_text
from firebell.slack.blocks.notices import command_taken_dm, notice_message
from firebell.slack.blocks.oncall_handoff import handoff_message
from firebell.slack.blocks.reminders import reminder_message
from firebell.slack.blocks.replies import pin_recorded_reply
from firebell.slack.blocks.runbooks import checklist_message, review_message
from firebell.slack.blocks.status_maintenance import maintenance_announcement
from firebell.slack.mrkdwn import plain_from_slack
from firebell.slack.outbox.alert_notes import kickoff, post_alert_note
from firebell.slack.outbox.alert_triage import TriageDeliveries
from firebell.slack.outbox.directory import ChannelNotFound, SlackDirectory
from firebell.slack.outbox.outcomes import classify, slack_error
from firebell.slack.outbox.paging import post_page_dm, settle_page_dm
from firebell.slack.outbox.public_reminders import post_public_reminder
from firebell.slack.outbox.response_urls import respond
from firebell.slack.outbox.review import ReviewDeliveries

log = logging.getLogger(__name__)


METADATA_EVENT = "firebell_effect"
MAX_NAME_ATTEMPTS = 20


class Deliverer:
    """Carries out one effect: a few Slack calls, with the duplicate checks an uncertain retry needs."""

    def __init__(self, ctx: Context, client: WebClient, directory: SlackDirectory, shelf: Shelf) -> None:
        self.ctx = ctx
        self.client = client
        self.directory = directory
        self.shelf = shelf
        self.review = ReviewDeliveries(self)
        self.triage = TriageDeliveries(self)
        self._handlers: dict[str, Callable[[Job, IncidentSnapshot | None], Outcome]] = {
            EffectKind.CREATE_CHANNEL: self._create_channel,
            EffectKind.INVITE: self._invite,
            EffectKind.SYNC_TOPIC: self._sync_topic,
            EffectKind.POST_KICKOFF: self._post_kickoff,
            EffectKind.PIN_KICKOFF: self._pin_kickoff,
            EffectKind.SYNC_KICKOFF: self._sync_kickoff,
            EffectKind.ADD_BOOKMARK: self._add_bookmark,
            EffectKind.POST_ANNOUNCEMENT: self._post_announcement,
            EffectKind.SYNC_ANNOUNCEMENT: self._sync_announcement,
            EffectKind.POST_NOTICE: self._post_notice,
            EffectKind.RESPOND: self._respond,
            EffectKind.EPHEMERAL: self._ephemeral,
            EffectKind.CAPTURE_PIN: self._capture_pin,
            EffectKind.POST_REMINDER: self._post_reminder,
            EffectKind.POST_POSTMORTEM: self.review.post_postmortem,
            EffectKind.DM: self.dm,
            EffectKind.POST_RUNBOOK: self._post_runbook,
            EffectKind.SYNC_RUNBOOK: self._sync_runbook,
            EffectKind.SYNC_TRIAGE: self.triage.sync,
            EffectKind.POST_ALERT_NOTE: lambda job, incident: post_alert_note(self, job, incident),
            EffectKind.PAGE_DM: lambda job, incident: post_page_dm(self, job, incident),
            EffectKind.SETTLE_PAGE_DM: lambda job, incident: settle_page_dm(self, job, incident),
            EffectKind.NOTIFY: lambda job, incident: deliver_notice(self.ctx, job, incident),  # HTTP, not Slack
            EffectKind.STATUSPAGE: lambda job, incident: deliver_statuspage(self.ctx, job),  # HTTP, not Slack
            EffectKind.POST_MAINTENANCE: self._post_maintenance,
            EffectKind.POST_PUBLIC_REMINDER: lambda job, incident: post_public_reminder(self, job, incident),
        }

    # -- delivery ----------------------------------------------------------------------------------

    def deliver(self, job: Job) -> Outcome:
        """Carry out one effect; Slack failures become Retry or Failed outcomes, never exceptions."""
        incident = job.incident
        handler = self._handlers.get(job.kind)
        if handler is None:
            return Failed(error=f"unknown effect kind {job.kind!r}")
        try:
            return handler(job, incident)
        except (SlackApiError, OSError, http.client.HTTPException) as exc:
            return classify(exc)
        except ChannelNotFound as exc:
            # The policy names a channel that does not exist (yet): someone can create it, so keep trying.
            return Retry(error=f"announcement channel: {exc}", after=60, alarm=True)

    def post(
        self,
        job: Job,
        channel: str,
        message: Message,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
        part: str | None = None,
    ) -> str:
        """Post once: after an uncertain attempt, look for the earlier copy (by its metadata key) first.
        An effect that posts several messages names each with `part`."""
        key = f"{job.idem_key}:{part}" if part else job.idem_key
        if job.uncertain:
            found = self._find_posted(job, channel, thread_ts=thread_ts, key=key)
            if found is not None:
                log.info("effect %s: found the message an earlier attempt posted (%s)", job.id, found)
                return found
        response = self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            reply_broadcast=broadcast or None,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"key": key}},
            unfurl_links=False,
            unfurl_media=False,
            **message.as_args(),
        )
        return str(response["ts"])

    def _find_posted(self, job: Job, channel: str, *, thread_ts: str | None, key: str) -> str | None:
        """Page through everything posted since the effect was queued, looking for its metadata key."""
        oldest = f"{(job.created_at - timedelta(minutes=1)).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(100):  # 100 pages of 200 messages
            if thread_ts:
                response = self.client.conversations_replies(
                    channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
                )
            else:
                response = self.client.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
                )
            messages: list[dict[str, Any]] = response.get("messages") or []
            for message in messages:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                if payload.get("key") == key:
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def _create_channel(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        attempt = int(job.payload.get("name_attempt", 0))
        name = war_room_name(self.ctx.policy.channel_prefix, incident.number, incident.title, attempt=attempt)
        try:
            response = self.client.conversations_create(name=name)
        except SlackApiError as exc:
            if slack_error(exc) != "name_taken":
                raise
            if job.uncertain:
                existing = self.directory.find_channel(name)
                if existing is not None and existing.get("creator") == self.directory.bot_user_id:
                    log.info("effect %s: adopting #%s, created by an earlier attempt", job.id, name)
                    return Delivered(incident={"channel_id": existing["id"], "channel_name": name})
            if attempt + 1 >= MAX_NAME_ATTEMPTS:
                return Failed(error=f"name_taken for {MAX_NAME_ATTEMPTS} candidate names")
            return Retry(error=f"name_taken: #{name}", after=0, payload={**job.payload, "name_attempt": attempt + 1})
        channel = response["channel"]
        return Delivered(incident={"channel_id": channel["id"], "channel_name": channel["name"]})

    def _invite(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None and incident.channel_id is not None
        bot = self.directory.bot_user_id
        retry: Outcome | None = None
        for user in job.payload.get("users", []):
            if user == bot:
                continue
            try:
                self.client.conversations_invite(channel=incident.channel_id, users=user)
            except SlackApiError as exc:
                error = slack_error(exc)
                if error in ("already_in_channel", "cant_invite_self"):
                    continue
                outcome = classify(exc)
                if isinstance(outcome, Retry):
                    retry = outcome  # invites are idempotent: the retry redoes them all
                else:  # one person who cannot be invited must not stop the others being invited
                    log.warning("effect %s: could not invite %s: %s", job.id, user, error)
        return retry or Delivered()

    def _sync_topic(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None and incident.channel_id is not None
        self.client.conversations_setTopic(channel=incident.channel_id, topic=topic_text(incident))
        return Delivered()

    def _post_kickoff(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None and incident.channel_id is not None
        ts = self.post(job, incident.channel_id, self._kickoff(incident))
        return Delivered(incident={"kickoff_ts": ts})

    def _pin_kickoff(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None and incident.channel_id is not None
        try:
            self.client.pins_add(channel=incident.channel_id, timestamp=incident.kickoff_ts)
        except SlackApiError as exc:
            if slack_error(exc) != "already_pinned":
                raise
        return Delivered()

    def _sync_kickoff(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None and incident.channel_id is not None and incident.kickoff_ts is not None
        message = self._kickoff(incident)
        self.client.chat_update(channel=incident.channel_id, ts=incident.kickoff_ts, **message.as_args())
        return Delivered()

    def _add_bookmark(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None and incident.channel_id is not None
        link, title = str(job.payload["link"]), str(job.payload["title"])
        if job.uncertain:
            existing = self.client.bookmarks_list(channel_id=incident.channel_id)
            bookmarks: list[dict[str, Any]] = existing.get("bookmarks") or []
            if any(b.get("link") == link for b in bookmarks):
                return Delivered()
        self.client.bookmarks_add(channel_id=incident.channel_id, title=title, type="link", link=link)
        return Delivered()

    def _announcement_channel(self) -> str | None:
        name = self.ctx.policy.announcement_channel
        return self.directory.channel_id(name) if name else None

    def _post_announcement(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        posted = self.announce(job, announcement_message(incident, self.ctx.policy))
        if isinstance(posted, Retry):
            return posted
        if posted is None:
            return Delivered()
        channel, ts = posted
        return Delivered(incident={"announcement_channel_id": channel, "announcement_ts": ts})

    def announce(self, job: Job, message: Message) -> tuple[str, str] | Retry | None:
        """Post in the announcement channel (joining it if public); (channel, ts), or None when disabled."""
        channel = self._announcement_channel()
        if channel is None:
            return None
        try:
            return channel, self.post(job, channel, message)
        except SlackApiError as exc:
            if slack_error(exc) in ("channel_not_found", "is_archived") and self.ctx.policy.announcement_channel:
                # Renamed, archived or deleted since it was looked up: look it up again next time.
                self.directory.forget(self.ctx.policy.announcement_channel)
                return Retry(error=f"announcement channel: {slack_error(exc)}", after=60, alarm=True)
            if slack_error(exc) != "not_in_channel":
                raise
        # Public channels can be joined; a private one needs a person to invite the bot.
        self.client.conversations_join(channel=channel)
        return channel, self.post(job, channel, message)

    def _post_maintenance(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        """Tell the announcement channel a status-page maintenance was scheduled, called off or ended early."""
        posted = self.announce(job, maintenance_announcement(job.payload))
        return posted if isinstance(posted, Retry) else Delivered()

    def _sync_announcement(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        if incident.announcement_ts is None or incident.announcement_channel_id is None:
            return Delivered()
        message = announcement_message(incident, self.ctx.policy)
        self.client.chat_update(
            channel=incident.announcement_channel_id, ts=incident.announcement_ts, **message.as_args()
        )
        return Delivered()

    def _post_notice(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        message = notice_message(job.payload, self.ctx.policy)
        if job.payload.get("target") == Target.ANNOUNCEMENT_THREAD:
            if incident.announcement_ts is None or incident.announcement_channel_id is None:
                return Delivered()
            self.post(job, incident.announcement_channel_id, message, thread_ts=incident.announcement_ts)
            return Delivered()
        assert incident.channel_id is not None
        self.post(job, incident.channel_id, message)
        return Delivered()

    def _post_reminder(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        target = job.payload.get("target")
        if not incident.status.is_open:
            return Delivered()  # resolved while the reminder was queued: nothing is due any more
        due = job.payload.get("due_at")
        if due and incident.last_update_at and incident.last_update_at >= datetime.fromisoformat(str(due)):
            return Delivered()  # an update was posted meanwhile (Slack was down, say): this one is stale
        if int(job.payload.get("miss", 0)) < incident.missed_updates and target == "room":
            return Delivered()  # a later reminder is queued behind this one: say it once
        message = reminder_message(incident, self.ctx.policy, job.payload)
        if target == "room":
            assert incident.channel_id is not None
            self.post(job, incident.channel_id, message)
        elif target == "dm":
            if incident.commander is None:
                return Delivered()  # an alert-born incident nobody has taken yet: the room's reminder says so
            self.post(job, self.directory.dm_channel(incident.commander), message)
        elif incident.announcement_channel_id and incident.announcement_ts:
            self.post(
                job, incident.announcement_channel_id, message, thread_ts=incident.announcement_ts, broadcast=True
            )
        return Delivered()

    def _kickoff(self, incident: IncidentSnapshot) -> Message:
        return kickoff(self.ctx, self.shelf, incident)

    def _post_runbook(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        assert incident.channel_id is not None
        run = checklist(self.ctx, int(job.payload["run"]))
        if run is None:
            return Delivered()
        run = replace(run, owner=self.directory.owner_mention(run.owner))
        ts = self.post(job, incident.channel_id, checklist_message(run))
        record_message(self.ctx, run.run_id, ts)
        return Delivered()

    def _sync_runbook(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        assert incident.channel_id is not None
        run = checklist(self.ctx, int(job.payload["run"]))
        ts = run_message_ts(self.ctx, int(job.payload["run"]))
        if run is None or ts is None:
            return Delivered()  # the checklist was never posted (that failure was reported already)
        run = replace(run, owner=self.directory.owner_mention(run.owner))
        self.client.chat_update(channel=incident.channel_id, ts=ts, **checklist_message(run).as_args())
        return Delivered()

    def dm(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        """A direct message: the daily action item follow-up, or the weekly runbook review reminder (sent to
        the announcement channel when the owner is a team handle rather than a person)."""
        payload = job.payload
        if payload.get("message") == "action_nudge":
            return self.review.dm(job, incident)
        if payload.get("message") == "oncall_handoff":
            self.post(job, self.directory.dm_channel(str(payload["user"])), handoff_message(payload))
            return Delivered()
        if payload.get("message") == "command_taken" and incident is not None:
            self.post(job, self.directory.dm_channel(str(payload["user"])), command_taken_dm(incident, payload))
            return Delivered()
        if payload.get("message") != "runbook_review":
            return Failed(error=f"unknown direct message {payload.get('message')!r}")
        if not payload.get("user"):
            payload = {**payload, "owner": self.directory.owner_mention(str(payload.get("owner")))}
        message = review_message(payload)
        if payload.get("user"):
            self.post(job, self.directory.dm_channel(str(payload["user"])), message)
        else:
            posted = self.announce(job, message)
            if isinstance(posted, Retry):
                return posted
        return Delivered()

    def _respond(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert incident is not None
        return respond(job, incident, now=self.ctx.clock())

    def _ephemeral(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        payload = job.payload
        if payload.get("message") == "pin_recorded":
            message = pin_recorded_reply(payload.get("author"))
        else:
            return Failed(error=f"unknown ephemeral message {payload.get('message')!r}")
        try:
            self.client.chat_postEphemeral(channel=payload["channel"], user=payload["user"], **message.as_args())
        except SlackApiError as exc:
            if slack_error(exc) not in ("user_not_in_channel", "channel_not_found", "is_archived"):
                raise
        return Delivered()

    def _capture_pin(self, job: Job, incident: IncidentSnapshot | None) -> Outcome:
        assert job.incident_id is not None
        channel, ts = str(job.payload["channel"]), str(job.payload["ts"])
        message = self._fetch_message(channel, ts)
        if message is None:
            log.info("effect %s: pinned message %s in %s is gone; nothing to copy", job.id, ts, channel)
            return Delivered()
        record_pin(
            self.ctx,
            incident_id=job.incident_id,
            channel_id=channel,
            message_ts=ts,
            author=message.get("user") or message.get("bot_id"),
            text=plain_from_slack(str(message.get("text") or "")),
            reactor=str(job.payload["reactor"]),
        )
        return Delivered()

    def _fetch_message(self, channel: str, ts: str) -> dict[str, Any] | None:
        response = self.client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
        top: list[dict[str, Any]] = response.get("messages") or []
        for message in top:
            if message.get("ts") == ts:
                return dict(message)
        # Not top-level: a reply in a thread. conversations.replies returns the thread's parent first,
        # then the replies in the [oldest, latest] window, so ask for two and pick the one with our ts.
        try:
            replies = self.client.conversations_replies(
                channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=2
            )
        except SlackApiError as exc:
            if slack_error(exc) in ("thread_not_found", "message_not_found"):
                return None
            raise
        thread: list[dict[str, Any]] = replies.get("messages") or []
        for message in thread:
            if message.get("ts") == ts:
                return dict(message)
        return None
