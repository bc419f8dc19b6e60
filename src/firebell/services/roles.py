"""Who does what: handing over command and assigning roles."""

from firebell.domain.errors import UsageError
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.lifecycle import Operation, Status, check_allowed
from firebell.domain.naming import incident_label
from firebell.domain.timeline import EventKind
from firebell.services.changes import Change, incident_change
from firebell.services.context import Context
from firebell.services.effects import EffectKind, Target
from firebell.services.incidents import snapshot
from firebell.store.models import RoleAssignment


def assign_role(ctx: Context, *, channel_id: str, actor: str, role: str, user_id: str) -> IncidentSnapshot:
    """Give `role` to `user_id`; for `commander` this is a handover, announced as one."""
    role = ctx.policy.role(role)
    with incident_change(ctx, channel_id=channel_id) as change:
        incident = change.incident
        change.guard(Operation.COMMAND if role == "commander" else Operation.ROLES, actor=actor)
        holder = next((r for r in incident.roles if r.role == role), None)
        if holder is not None and holder.user_id == user_id:
            who = "the Incident Commander" if role == "commander" else f"the {role}"
            raise UsageError(f"They are already {who} of {incident_label(incident.number)}.")
        previous = holder.user_id if holder is not None else None
        if holder is None:
            incident.roles.append(RoleAssignment(role=role, user_id=user_id, assigned_at=change.now))
        else:
            holder.user_id = user_id
            holder.assigned_at = change.now
        _record(change, role=role, user_id=user_id, previous=previous, actor=actor)
        return snapshot(incident)


def hand_over(ctx: Context, *, channel_id: str, actor: str, user_id: str) -> IncidentSnapshot:
    """Hand incident command to `user_id`."""
    return assign_role(ctx, channel_id=channel_id, actor=actor, role="commander", user_id=user_id)


class AlreadyCommanded(UsageError):
    """Someone pressed "I'm the IC" on an incident somebody already leads (`commander`: who)."""

    def __init__(self, message: str, *, commander: str, label: str) -> None:
        super().__init__(message)
        self.commander = commander
        self.label = label


def claim_command(ctx: Context, *, number: int, actor: str) -> IncidentSnapshot:
    """ "I'm the IC" on an alert-born kick-off: whoever presses first takes command, as a handover from nobody.

    Open to anyone while nobody leads it (the status still has to allow it); once someone does, a second
    press is told who, and command moves only by `/incident commander @someone` under the policy's rules.
    """
    with incident_change(ctx, number=number) as change:
        incident = change.incident
        holder = next((r for r in incident.roles if r.role == "commander"), None)
        current = holder.user_id if holder is not None else incident.declared_by
        if current == actor:
            raise UsageError(f"You are already the Incident Commander of {incident_label(incident.number)}.")
        if current is not None:
            label = incident_label(incident.number)
            raise AlreadyCommanded(
                f"Someone already is the Incident Commander of {label}.", commander=current, label=label
            )
        check_allowed(Status(incident.status), Operation.COMMAND, label=incident_label(incident.number))
        incident.roles.append(RoleAssignment(role="commander", user_id=actor, assigned_at=change.now))
        _record(change, role="commander", user_id=actor, previous=None, actor=actor)
        return snapshot(incident)


def take_command(change: Change, *, user_id: str, actor: str) -> None:
    """Within a change: `user_id` becomes the Incident Commander (an acknowledged Incident Commander page)."""
    incident = change.incident
    holder = next((r for r in incident.roles if r.role == "commander"), None)
    previous = holder.user_id if holder is not None else incident.declared_by
    if previous == user_id:
        return
    if holder is None:
        incident.roles.append(RoleAssignment(role="commander", user_id=user_id, assigned_at=change.now))
    else:
        holder.user_id, holder.assigned_at = user_id, change.now
    _record(change, role="commander", user_id=user_id, previous=previous, actor=actor)


def _record(change: Change, *, role: str, user_id: str, previous: str | None, actor: str) -> None:
    incident = change.incident
    # Command moved by someone other than the IC it is taken from: announced to them, loudly.
    taken = role == "commander" and previous is not None and actor != previous
    if role == "commander":
        kind, notice = EventKind.COMMANDER_CHANGED, "handover"
        text = "Incident Commander taken over" if taken else "Incident Commander handed over"
        targets: tuple[Target, ...] = (Target.ROOM, Target.ANNOUNCEMENT_THREAD)
    else:
        kind, notice, text = EventKind.ROLE_ASSIGNED, "role_assigned", f"Role assigned: {role}"
        targets = (Target.ROOM,)
    event = change.record(
        kind=kind,
        actor=actor,
        text=text,
        data={"role": role, "user": user_id, "previous": previous, "taken": taken},
        notice=notice,
        notice_data={"role": role, "user": user_id, "previous": previous, "actor": actor, "taken": taken},
        targets=targets,
        sync=True,
    )
    if taken:
        change.enqueue(
            EffectKind.DM,
            "command-taken",
            key=f"inc:{incident.id}:command-taken:{event.id}",
            payload={"message": "command_taken", "user": previous, "new": user_id, "actor": actor},
        )
    change.enqueue(
        EffectKind.INVITE, "members", key=f"inc:{incident.id}:invite:{event.id}", payload={"users": [user_id]}
    )
