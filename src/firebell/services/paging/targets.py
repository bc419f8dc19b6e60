"""Where a page goes: the escalation steps of its target under the policy in force, and who is on call for a
step's targets at an instant."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from firebell.domain.errors import UsageError
from firebell.domain.oncall.config import EscalationPolicy
from firebell.domain.oncall.escalation import Step
from firebell.domain.paging import DIRECT_REPEAT, PageTarget, TargetKind, direct_steps
from firebell.domain.policy import Policy
from firebell.services.context import Context
from firebell.services.oncall.answers import ScheduleNotFound, on_call
from firebell.services.oncall.emails import as_user_ids


@dataclass(frozen=True)
class Route:
    """The steps a page runs through: its escalation policy's (named), or one repeating step for a page aimed
    straight at a schedule or a person."""

    policy: str | None
    steps: tuple[Step, ...]
    repeat: int


def _policy_route(policy: EscalationPolicy) -> Route:
    steps = tuple(Step(s.notify, s.escalate_after) for s in policy.steps)
    return Route(policy.name, steps, policy.repeat)


def route(policy: Policy, target: PageTarget) -> Route:
    """The route of `target` now; UsageError when the policy no longer has it (or the service pages nobody)."""
    if target.kind is TargetKind.SERVICE:
        service = next((s for s in policy.services if s.name == target.name), None)
        if service is None:
            raise UsageError(f"No service {target.name!r}. Services: {_names(s.name for s in policy.services)}.")
        if service.escalation_policy is None:
            raise UsageError(f"Service {target.name!r} has no escalation_policy in the policy file: nobody to page.")
        return route(policy, PageTarget(TargetKind.POLICY, service.escalation_policy))
    if target.kind is TargetKind.POLICY:
        found = next((p for p in policy.escalation_policies if p.name == target.name), None)
        if found is None:
            names = _names(p.name for p in policy.escalation_policies)
            raise UsageError(f"No escalation policy {target.name!r}. Escalation policies: {names}.")
        return _policy_route(found)
    if target.kind is TargetKind.SCHEDULE and policy.oncall.schedule(target.name) is None:
        raise UsageError(f"No schedule {target.name!r}. Schedules: {_names(s.name for s in policy.schedules)}.")
    return Route(None, direct_steps(target), DIRECT_REPEAT)


def _names(names: Iterable[str]) -> str:
    return ", ".join(names) or "none are configured"


def parse_target(policy: Policy, text: str) -> PageTarget:
    """What `/incident page <text>` names: a service, a schedule, an escalation policy or a Slack user id, tried in
    that order; UsageError listing what can be paged."""
    name = text.strip()
    if any(s.name == name for s in policy.services):
        return PageTarget(TargetKind.SERVICE, name)
    if policy.oncall.schedule(name) is not None:
        return PageTarget(TargetKind.SCHEDULE, name)
    if any(p.name == name for p in policy.escalation_policies):
        return PageTarget(TargetKind.POLICY, name)
    if name[:1] in ("U", "W") and name[1:].isalnum() and name.isupper() and 3 <= len(name) <= 21:
        return PageTarget(TargetKind.USER, name)
    shown = name if len(name) <= 60 else f"{name[:60]}…"
    raise UsageError(
        f"Nothing to page called {shown!r}. Page a service ({_names(s.name for s in policy.services)}), "
        f"a schedule ({_names(s.name for s in policy.schedules)}) or a person (@someone)."
    )


def people_of(ctx: Context, targets: tuple[str, ...], at: datetime) -> list[tuple[str, str]]:
    """(person, the target that reached them) for a step's targets at `at`, each person once, in order.

    A schedule nobody covers at `at` reaches nobody; a member written as an e-mail Slack could not resolve is
    left out (it was logged at start): neither stalls the page, which moves on when a step reaches nobody.
    """
    found: dict[str, str] = {}
    for target in targets:
        kind, _, name = target.partition(":")
        if kind == "schedule":
            try:
                users: tuple[str, ...] = on_call(ctx, name, at).users
            except ScheduleNotFound:
                continue
        else:
            users = (as_user_ids(ctx, [name]).get(name, name),)
        for user in users:
            if "@" not in user:
                found.setdefault(user, target)
    return list(found.items())
