"""Domain errors: each carries a message a responder can act on."""


class FirebellError(Exception):
    """Base class for errors whose message is safe and useful to show a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(FirebellError):
    """A command was malformed; the message names what was wrong and the valid form."""


class UnknownSeverity(UsageError):
    """A severity that the policy does not define."""


class UnknownRole(UsageError):
    """A role that the policy does not define."""


class IllegalTransition(FirebellError):
    """A lifecycle action that the incident's current status does not allow."""


class IncidentClosed(IllegalTransition):
    """A closed incident is read-only except notes, action items and the postmortem."""


class NotPermitted(FirebellError):
    """The person may not do this; the message says who may."""


class NotAnIncidentChannel(UsageError):
    """A channel command used outside an incident's war room."""


class IncidentNotFound(FirebellError):
    """No incident with that number."""


class PolicyError(FirebellError):
    """The policy file is invalid; the message names the key and what is expected."""
