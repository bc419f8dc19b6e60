import itertools

import pytest

from firebell.domain.errors import IllegalTransition
from firebell.domain.lifecycle import Action, Status, allowed_actions, transition

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
