"""The composition root: builds the store, the Slack client, the gateway and the Bolt app from settings."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from firebell.config import Settings
from firebell.domain.policy import Policy
from firebell.runbooks.location import runbooks_dir
from firebell.runbooks.shelf import Shelf
from firebell.scheduler.runner import Scheduler
from firebell.services.context import Context, utc_now
from firebell.services.oncall.anchors import sync_all_anchors
from firebell.services.oncall.emails import resolve_emails
from firebell.services.people.time_zones import learn_members_time_zones
from firebell.slack.listeners.ack_priority import AckPriority
from firebell.slack.listeners.after_ack import AfterAck
from firebell.slack.listeners.app import build_bolt_app
from firebell.slack.listeners.inbox import InboxRecorder, InboxWorker
from firebell.slack.outbox.delivery import Deliverer
from firebell.slack.outbox.directory import SlackDirectory
from firebell.slack.outbox.gateway import Gateway
from firebell.store.database import Database
from firebell.store.engine import make_engine
from firebell.store.migrate import upgrade

log = logging.getLogger(__name__)

COMMAND_THREADS = 4


def slack_client(token: str, api_url: str, *, timeout: int = 15) -> WebClient:
    """A Web API client that never retries in-call: the outbox retries (honouring Retry-After, and
    checking for an earlier copy when an attempt may have reached Slack), so a blind in-call retry
    after a dropped connection cannot post twice or outlive the delivery's lease."""
    base_url = api_url if api_url.endswith("/") else api_url + "/"
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[])


@dataclass
class Runtime:
    """Everything a running Firebell holds."""

    settings: Settings
    ctx: Context
    client: WebClient
    directory: SlackDirectory
    gateway: Gateway
    scheduler: Scheduler
    bolt: AsyncApp
    after_ack: AfterAck
    inbox: InboxWorker
    priority: AckPriority
    shelf: Shelf
    _warmup: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start delivering queued Slack effects and carrying out recorded requests (those a crash left first),
        and learn the bot's identity (and resolve on-call members written as e-mails) in the background. First, every on-call schedule's rotation is brought in step
        with the policy (a changed layer is reanchored now, so whoever is on call keeps the shift)."""
        sync_all_anchors(self.ctx)
        self.gateway.start()
        self.scheduler.start()
        self.inbox.start()
        self._warmup = threading.Thread(target=self._warm_up, name="firebell-warmup", daemon=True)
        self._warmup.start()

    def _warm_up(self) -> None:
        self.directory.identity()
        resolve_emails(self.ctx, self.directory.user_id_by_email)  # on-call members written as e-mails
        learn_members_time_zones(self.ctx, self.directory.user_time_zone)  # working hours in people's load

    def stop(self) -> None:
        """Stop the scheduler, the inbox's workers and the gateway, and release database connections."""
        self.scheduler.stop()
        self.inbox.stop()
        self.after_ack.shutdown()
        self.gateway.stop()
        self.ctx.db.dispose()


def build_runtime(
    settings: Settings,
    policy: Policy,
    *,
    clock: Callable[[], datetime] = utc_now,
    migrate: bool = True,
    gateway_options: dict[str, Any] | None = None,
    scheduler_options: dict[str, Any] | None = None,
    inbox_options: dict[str, Any] | None = None,
) -> Runtime:
    """Wire Firebell together; with `migrate`, bring the schema up to date first."""
    token, signing_secret, _ = settings.require_slack(socket_mode=settings.slack_signing_secret is None)
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    ctx = Context(db=Database(engine), policy=policy, clock=clock)
    client = slack_client(token, settings.slack_api_url)
    directory = SlackDirectory(client)
    shelf = Shelf(runbooks_dir(policy))
    # Acknowledging Slack goes first: work after acks (commands, outbox deliveries) waits for a lull.
    priority = AckPriority()
    gateway = Gateway(
        ctx,
        Deliverer(ctx, client, directory, shelf),
        before_each=priority.wait_for_quiet,
        **(gateway_options or {}),
    )
    scheduler = Scheduler(ctx, shelf, zone_lookup=directory.user_time_zone, **(scheduler_options or {}))
    # Listener calls (views.open) must land inside the trigger_id's 3 seconds or not at all.
    listener_client = slack_client(token, settings.slack_api_url, timeout=2)
    # Replies and modals after acks: mostly waiting on Slack, and only ever after work that waited.
    after_ack = AfterAck()
    # Commands are recorded as they are acknowledged and carried out here: in the order they came within a
    # war room, several rooms at once (a room waiting on a database lock holds up no other room).
    inbox = InboxWorker(ctx, {}, workers=COMMAND_THREADS, before_each=priority.wait_for_quiet, **(inbox_options or {}))
    recorder = InboxRecorder(ctx, on_recorded=inbox.wake)
    inbox.outstanding_records = lambda: recorder.outstanding
    wiring = build_bolt_app(
        ctx,
        client=listener_client,
        async_client=AsyncWebClient(token=token, base_url=listener_client.base_url, timeout=15),
        signing_secret=signing_secret,
        directory=directory,
        after_ack=after_ack,
        recorder=recorder,
        shelf=shelf,
    )
    inbox.handlers.update(wiring.inbox_handlers)
    return Runtime(
        settings=settings,
        ctx=ctx,
        client=client,
        directory=directory,
        gateway=gateway,
        scheduler=scheduler,
        bolt=wiring.app,
        after_ack=after_ack,
        inbox=inbox,
        priority=priority,
        shelf=shelf,
    )
