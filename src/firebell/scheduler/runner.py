"""APScheduler inside `firebell serve`: a short tick that sends overdue-update reminders.

APScheduler only drives time; the schedule itself is the incidents' `next_update_due_at` column, so a
restart resumes where it left off and several processes can run the tick against one database.
"""

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from firebell.runbooks.shelf import Shelf
from firebell.scheduler.pager import Pager
from firebell.services.action_items import nudge_overdue
from firebell.services.cadence import follow_policy, send_due_reminders
from firebell.services.context import Context
from firebell.services.inbox import prune_done
from firebell.services.oncall.handoffs import send_handoffs
from firebell.services.outbox.admin import prune_delivered
from firebell.services.paging.pages import retarget_pages
from firebell.services.people.time_zones import ZoneLookup, learn_notified_time_zones
from firebell.services.runbooks import remind_stale_runbooks
from firebell.services.status_page.maintenance_boundaries import announce_maintenance_boundaries
from firebell.services.status_page.public_cadence import send_due_public_reminders

log = logging.getLogger(__name__)

OUTBOX_RETENTION = timedelta(days=7)
INBOX_RETENTION = timedelta(days=1)
HANDOFF_SECONDS = 30  # how often schedules are looked at for a handoff (a DM up to this late is fine)
TIME_ZONE_MINUTES = 5  # how often people newly notified of pages have their Slack time zone asked for


class Scheduler:
    """Runs the cadence tick every `tick` seconds in a background thread.

    With `tick=None` nothing ticks the cadence in the background and the owner calls `tick()` itself: tests
    on a hand-moved clock decide exactly when time has passed and when the scheduler looks.
    """

    def __init__(
        self, ctx: Context, shelf: Shelf, *, tick: float | None = 0.25, zone_lookup: ZoneLookup | None = None
    ) -> None:
        self.ctx = ctx
        self.shelf = shelf
        self.zone_lookup = zone_lookup
        self.tick_seconds = tick
        self.last_tick_at: datetime | None = None  # when a tick last finished (real time), for readiness
        self.started_at: datetime | None = None  # when ticking started (real time): a first tick is due soon after
        # Pages: looked at when a commit makes one due, and by every tick (steps whose wait ran out).
        self.pager = Pager(ctx, poll=None)
        self._catch_up: threading.Thread | None = None
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        )

    def start(self) -> None:
        """Set open incidents' due points by the policy in force, then start ticking."""
        moved = follow_policy(self.ctx)
        if moved:
            log.info("rescheduled the update cadence of %d open incidents by the policy in force", moved)
        retargeted = retarget_pages(self.ctx)
        if retargeted:
            log.info("%d open pages follow their service's changed escalation policy", retargeted)
        self.pager.start()
        self.started_at = datetime.now(UTC)
        if self.tick_seconds is not None:
            self._scheduler.add_job(
                self.tick, "interval", seconds=self.tick_seconds, id="cadence", next_run_time=datetime.now(UTC)
            )
            # Like the cadence tick, these run in the background only on the real clock (tests call them).
            self._scheduler.add_job(
                self.handoffs, "interval", seconds=HANDOFF_SECONDS, id="handoffs", next_run_time=datetime.now(UTC)
            )
            self._scheduler.add_job(self.learn_time_zones, "interval", minutes=TIME_ZONE_MINUTES, id="time-zones")
        self._scheduler.add_job(self.prune, "interval", hours=6, id="prune-outbox")
        nudge = self.ctx.policy.postmortem.nudge_time
        self._scheduler.add_job(self.nudge, "cron", hour=nudge.hour, minute=nudge.minute, id="action-item-nudges")
        self._scheduler.add_job(
            self.review_runbooks, "cron", day_of_week="mon", hour=nudge.hour, minute=nudge.minute, id="runbook-reviews"
        )
        self._scheduler.add_job(self.shelf.reload, "interval", minutes=5, id="reload-runbooks")
        self._scheduler.start()
        # Cron jobs live in memory: a process that was down at their time runs them now instead. Both are
        # safe to repeat (follow-ups are claimed per item per day, runbook reminders once a week each). On a
        # thread of their own, not as one-shot scheduler jobs: APScheduler 3 removes a one-shot job after
        # running it, and a shutdown in between killed its thread with JobLookupError.
        self._catch_up = threading.Thread(
            target=self._run_catch_up, args=(datetime.now(UTC).time() >= nudge,), name="firebell-catch-up", daemon=True
        )
        self._catch_up.start()

    def _run_catch_up(self, nudge: bool) -> None:
        if nudge:
            self.nudge()
        self.review_runbooks()

    @property
    def running(self) -> bool:
        """Whether the background scheduler is running."""
        return bool(self._scheduler.running)

    def stop(self) -> None:
        """Stop ticking (waits for a tick in progress) and paging."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        if self._catch_up is not None:
            self._catch_up.join(10)
        self.pager.stop()

    def prune(self) -> int:
        """Forget effects delivered more than a week ago (the timeline keeps what happened), and Slack
        requests carried out more than a day ago (a replay that old fails its signature timestamp check)."""
        now = self.ctx.clock()
        try:
            return prune_delivered(self.ctx, before=now - OUTBOX_RETENTION) + prune_done(
                self.ctx, before=now - INBOX_RETENTION
            )
        except Exception:
            log.exception("pruning the outbox failed")
            return 0

    def nudge(self) -> int:
        """The daily follow-up of overdue action items; returns how many items were nudged."""
        try:
            return nudge_overdue(self.ctx)
        except Exception:
            log.exception("following up overdue action items failed")
            return 0

    def review_runbooks(self) -> int:
        """The weekly reminder to owners of runbooks past their review date; returns how many are stale."""
        try:
            return remind_stale_runbooks(self.ctx, self.shelf.library)
        except Exception:
            log.exception("reminding runbook owners failed")
            return 0

    def handoffs(self) -> int:
        """DM whoever came on call and went off at each schedule's latest handoff, once; returns how many DMs
        this process queued."""
        try:
            return send_handoffs(self.ctx)
        except Exception:
            log.exception("on-call handoffs failed")
            return 0

    def learn_time_zones(self) -> int:
        """Ask Slack for the time zones of people notified of pages and not asked yet; returns how many."""
        if self.zone_lookup is None:
            return 0
        try:
            return learn_notified_time_zones(self.ctx, self.zone_lookup)
        except Exception:
            log.exception("learning people's time zones failed")
            return 0

    def tick(self) -> int:
        """Send every overdue reminder and notify every due page step now; returns how many due points and page
        moves this process claimed."""
        try:
            reminded = send_due_reminders(self.ctx)
        except Exception:  # the database may be briefly unavailable; the next tick tries again
            log.exception("cadence tick failed")
            reminded = 0
        try:
            reminded += send_due_public_reminders(self.ctx)
        except Exception:  # the public cadence failing never holds the internal one or pages back
            log.exception("public cadence tick failed")
        try:
            announce_maintenance_boundaries(self.ctx)
        except Exception:  # telling Slack a window opened never holds reminders or pages back
            log.exception("maintenance announcements failed")
        try:
            return reminded + self.pager.look()  # a failing cadence never holds escalations back
        finally:
            self.last_tick_at = datetime.now(UTC)
