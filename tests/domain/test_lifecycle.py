import itertools

import pytest

from firebell.domain.errors import IllegalTransition, IncidentClosed
from firebell.domain.lifecycle import (
    OPERATION_OF,
    Action,
    Operation,
    Status,
    allowed_actions,
    check_allowed,
    transition,
)

LEGAL = {
    (Status.INVESTIGATING, Action.MITIGATE): Status.MITIGATED,
    (Status.INVESTIGATING, Action.RESOLVE): Status.RESOLVED,
    (Status.MITIGATED, Action.RESOLVE): Status.RESOLVED,
    (Status.MITIGATED, Action.REOPEN): Status.INVESTIGATING,
    (Status.RESOLVED, Action.REOPEN): Status.INVESTIGATING,
    (Status.RESOLVED, Action.CLOSE): Status.CLOSED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_every_status_action_pair(status: Status, action: Action) -> None:
    if (status, action) in LEGAL:
        assert transition(status, action, label="INC-1") is LEGAL[(status, action)]
    else:
        with pytest.raises(IllegalTransition, match=r"^INC-1 .+\.$"):
            transition(status, action, label="INC-1")


def test_messages_explain() -> None:
    with pytest.raises(IllegalTransition, match=r"INC-7 is already mitigated\."):
        transition(Status.MITIGATED, Action.MITIGATE, label="INC-7")
    with pytest.raises(IllegalTransition, match="INC-7 is closed; its review is done"):
        transition(Status.CLOSED, Action.RESOLVE, label="INC-7")


def test_open_statuses_and_allowed_actions() -> None:
    assert Status.INVESTIGATING.is_open
    assert Status.MITIGATED.is_open
    assert not Status.RESOLVED.is_open
    assert allowed_actions(Status.INVESTIGATING) == [Action.MITIGATE, Action.RESOLVE]
    assert allowed_actions(Status.CLOSED) == []


# What a closed incident still allows: writing things down, following up, the postmortem. Nothing else.
CLOSED_STILL_ALLOWS = {Operation.NOTE, Operation.ACTION_ITEMS, Operation.POSTMORTEM, Operation.TIMES}


@pytest.mark.parametrize("operation", list(Operation))
def test_a_closed_incident_is_read_only_except_notes_action_items_and_the_postmortem(operation: Operation) -> None:
    if operation in CLOSED_STILL_ALLOWS:
        check_allowed(Status.CLOSED, operation, label="INC-4")
        return
    with pytest.raises(IncidentClosed) as refused:
        check_allowed(Status.CLOSED, operation, label="INC-4")
    message = refused.value.message
    assert message.startswith("INC-4 is closed, so ")
    assert "`/incident note <text>`" in message  # says what is still possible
    first = message.split(". ", 1)[0]
    assert first.endswith("notes, action items and the postmortem still work")
    assert len(first) < 150  # a form shows only the first sentence
    assert "declare a new incident" in message


@pytest.mark.parametrize(
    ("status", "operation"), list(itertools.product([s for s in Status if s is not Status.CLOSED], Operation))
)
def test_the_closed_rule_leaves_other_statuses_alone(status: Status, operation: Operation) -> None:
    check_allowed(status, operation, label="INC-4")


def test_every_lifecycle_action_is_an_operation() -> None:
    assert set(OPERATION_OF) == set(Action)
    assert {op.value for op in OPERATION_OF.values()} == {a.value for a in Action}


def test_a_mitigated_incident_can_be_reopened() -> None:
    assert allowed_actions(Status.MITIGATED) == [Action.RESOLVE, Action.REOPEN]
