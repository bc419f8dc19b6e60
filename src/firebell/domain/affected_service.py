"""The service an incident affects: one of the policy's `services`, named by a person or an alert group. Pure."""

from firebell.domain.errors import UsageError
from firebell.domain.oncall.config import Service
from firebell.domain.policy import Policy

SHOWN_NAME = 40  # what is echoed back of a name that matched nothing


class UnknownService(UsageError):
    """A service the policy does not define."""


def service_named(policy: Policy, token: str) -> Service:
    """The policy's service called `token` (any case); UnknownService naming the valid ones otherwise."""
    wanted = token.strip().lower()
    for service in policy.services:
        if service.name == wanted:
            return service
    shown = token.strip() if len(token.strip()) <= SHOWN_NAME else f"{token.strip()[:SHOWN_NAME]}…"
    if not policy.services:
        raise UnknownService(
            f"Unknown service `{shown}`: no services are defined in the policy file (`services:`), "
            "so an incident cannot name one. Declare without `--service`."
        )
    valid = ", ".join(s.name for s in policy.services)
    raise UnknownService(f"Unknown service `{shown}`. Valid services: {valid}.")


def alert_service(policy: Policy, label: str | None) -> str | None:
    """The policy's service an alert group's `service_label` value names (any case), or None: an alert-born
    declare is never refused for a service the policy does not know."""
    if not label:
        return None
    wanted = label.strip().lower()
    return next((s.name for s in policy.services if s.name == wanted), None)
