"""Who took part in an incident and how, read from what was recorded (roles, updates, notes, pins,
lifecycle and severity changes, runbook steps, action items). Pure."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from firebell.domain.action_items import ActionItemView
from firebell.domain.incident import IncidentSnapshot
from firebell.domain.timeline import BY_TIME, EventKind, TimelineEntry

COMMANDER_ROLE = "Incident Commander"

# What each kind of recorded event says its actor did, counted per person: {n} is the count, {s} the plural.
_DID = {
    EventKind.UPDATE: "posted {n} status update{s}",
    EventKind.NOTE: "added {n} note{s}",
    EventKind.PIN: "wrote {n} pinned message{s}",
    EventKind.STATUS_CHANGED: "changed the status {n} time{s}",
    EventKind.SEVERITY_CHANGED: "changed the severity {n} time{s}",
    EventKind.RUNBOOK_STEP: "ticked off {n} runbook step{s}",
}
PINNED = "pinned {n} message{s}"


@dataclass
class Responder:
    """One person who took part: the roles they held and what the record shows they did."""

    user_id: str
    roles: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    owns_items: list[int] = field(default_factory=list)

    def held(self, role: str) -> None:
        """Note a role they held (once, in the order they got it)."""
        if role not in self.roles:
            self.roles.append(role)

    def did(self, what: str) -> None:
        """Count one thing they did."""
        self.counts[what] = self.counts.get(what, 0) + 1

    def activity(self) -> list[str]:
        """What they did, as short phrases (`posted 2 status updates`, `owns action items #3, #4`)."""
        phrases = []
        for template in (*_DID.values(), PINNED):
            count = self.counts.get(template, 0)
            if count:
                phrase = template.format(n=count, s="" if count == 1 else "s")
                phrases.append(phrase.replace(" 1 time", " once"))
        if self.owns_items:
            noun = "action item" if len(self.owns_items) == 1 else "action items"
            phrases.append(f"owns {noun} {', '.join(f'#{i}' for i in self.owns_items)}")
        return phrases


def responders(
    incident: IncidentSnapshot, timeline: Sequence[TimelineEntry], items: Sequence[ActionItemView]
) -> list[Responder]:
    """Everyone who took part: Incident Commanders first, then other role holders, then everyone else,
    each group in the order they first appear in the record."""
    people: dict[str, Responder] = {}

    def person(user_id: str) -> Responder:
        return people.setdefault(user_id, Responder(user_id))

    for entry in sorted(timeline, key=BY_TIME):
        kind, actor, data = entry.kind, entry.actor, entry.data
        if kind is EventKind.DECLARED:
            if actor:
                person(actor).held("declarer")
            if isinstance(data.get("commander"), str):
                person(data["commander"]).held(COMMANDER_ROLE)
        elif kind is EventKind.COMMANDER_CHANGED and isinstance(data.get("user"), str):
            person(data["user"]).held(COMMANDER_ROLE)
        elif kind is EventKind.ROLE_ASSIGNED and isinstance(data.get("user"), str):
            person(data["user"]).held(str(data.get("role") or "role"))
        elif kind is EventKind.PIN and isinstance(data.get("pinned_by"), str):
            person(data["pinned_by"]).did(PINNED)
        elif kind in (EventKind.ACTION_ADDED, EventKind.ACTION_REASSIGNED) and isinstance(data.get("owner"), str):
            person(data["owner"])
        if actor and kind in _DID:
            person(actor).did(_DID[kind])
    declarer = [("declarer", incident.declared_by)] if incident.declared_by else []  # alert-born: none
    for role, user_id in [*declarer, *incident.roles.items()]:
        person(user_id).held(COMMANDER_ROLE if role == "commander" else role)
    for item in items:
        if item.owner:
            person(item.owner).owns_items.append(item.id)
    order = {user_id: index for index, user_id in enumerate(people)}

    def group(responder: Responder) -> int:
        if COMMANDER_ROLE in responder.roles:
            return 0
        return 1 if responder.roles else 2

    return sorted(people.values(), key=lambda r: (group(r), order[r.user_id]))
