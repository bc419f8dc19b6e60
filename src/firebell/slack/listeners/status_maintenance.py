"""`/incident maintenance …`: schedule, list and cancel status-page maintenance, from any channel.

Times are read in the status page's time zone (`status_page.timezone`), as `/oncall` reads them; the answer is for
the caller's eyes; the announcement channel hears of a new maintenance through the outbox.
"""

from zoneinfo import ZoneInfo

from firebell.domain.oncall.typed_times import parse_window
from firebell.services.context import Context
from firebell.services.status_page.maintenance import (
    cancel_maintenance,
    list_maintenances,
    schedule_maintenance,
)
from firebell.slack.blocks.incident import Message
from firebell.slack.blocks.status_maintenance import (
    maintenance_cancelled_reply,
    maintenance_list_reply,
    maintenance_scheduled_reply,
)
from firebell.slack.maintenance_grammar import (
    CancelMaintenance,
    ListMaintenance,
    MaintenanceCommand,
    ScheduleMaintenance,
)


class StatusMaintenanceCommands:
    """Carries out the maintenance subcommands of `/incident`."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def run(self, command: MaintenanceCommand, *, user: str) -> Message:
        """Carry out one subcommand; the ephemeral answer."""
        ctx = self.ctx
        match command:
            case ListMaintenance(everything=everything):
                return maintenance_list_reply(list_maintenances(ctx, everything=everything))
            case ScheduleMaintenance():
                zone = ZoneInfo(ctx.policy.status_page.timezone)
                window = parse_window(command.start, command.end, zone, now=ctx.clock())
                view = schedule_maintenance(
                    ctx,
                    components=command.components,
                    starts_at=window.start,
                    ends_at=window.end,
                    title=command.title,
                    body=command.text,
                    by=user,
                )
                return maintenance_scheduled_reply(view)
            case CancelMaintenance(public_id=public_id):
                view = cancel_maintenance(ctx, public_id, by=user)
                return maintenance_cancelled_reply(view, was_in_progress=view.starts_at <= ctx.clock())
        raise AssertionError(f"unhandled maintenance command {command!r}")
