"""Triage rules: which decisions still apply to a group, and which groups are alike."""

import pytest

from firebell.domain.alert_triage import TriageAction, TriageState, alert_set_of, available_actions, refusal


def state(**kw: object) -> TriageState:
    fields: dict[str, object] = {
        "group_id": 1,
        "source": "prometheus",
        "service": "checkout",
        "severity": "SEV3",
        "title": None,
        "status": "open",
        "firing": 1,
        "resolved": 0,
    }
    fields.update(kw)
    return TriageState(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "offered"),
    [
        ({}, ["declare", "attach", "decline", "acknowledge"]),
        ({"decision": "acknowledged"}, ["declare", "attach", "decline"]),
        ({"decision": "declined"}, ["declare", "attach"]),
        ({"status": "closed"}, ["declare", "attach", "decline"]),
        ({"decision": "declared", "incident_number": 12}, []),
        ({"decision": "attached", "incident_number": 9}, []),
    ],
)
def test_buttons_offered_by_state(kw: dict[str, object], offered: list[str]) -> None:
    assert [a.value for a in available_actions(state(**kw))] == offered


def test_a_linked_group_refuses_everything_naming_the_incident() -> None:
    for action in TriageAction:
        why = refusal(action, decision="attached", incident_number=9, status="open")
        assert why is not None and "attached to INC-9" in why
    why = refusal(TriageAction.DECLARE, decision="declared", incident_number=12, status="open")
    assert why is not None and "declared as INC-12" in why


def test_alike_groups_share_a_key_whatever_the_order_or_repeats() -> None:
    assert alert_set_of("prometheus", ["B", "A", "A"]) == alert_set_of("prometheus", ["A", "B"])
    assert alert_set_of("prometheus", ["A"]) != alert_set_of("grafana", ["A"])
    assert alert_set_of("prometheus", ["A"]) != alert_set_of("prometheus", ["A", "B"])
