"""What follows an ingest, inside its transaction: each step looks at the group and what changed, and
enqueues what it wants (an alert-born declare, the triage message, a war-room note) so it commits with
the alerts or not at all.

Steps run in order: a group that is declared by the first is linked when the next ones look at it.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

from firebell.services.alerts.ingest import AfterIngest, IngestResult
from firebell.services.alerts.triage import triage_step
from firebell.services.alerts.war_room import declare_from_alerts, note_alert_changes
from firebell.services.context import Context
from firebell.store.models import AlertGroup

Step = Callable[[Session, Context, AlertGroup, IngestResult], None]

# Filled in as the Slack half lands: alert-born declares, then war-room notes, then the triage message.
STEPS: tuple[Step, ...] = (declare_from_alerts, note_alert_changes, triage_step)


def follow_up(ctx: Context) -> AfterIngest:
    """The `then` hook `ingest_alerts` runs inside its transaction."""

    def then(session: Session, group: AlertGroup, result: IngestResult) -> None:
        for step in STEPS:
            step(session, ctx, group, result)

    return then
