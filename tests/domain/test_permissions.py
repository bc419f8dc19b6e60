"""Who may do what: the defaults, the policy's `permissions` section, and refusals that say who may."""

import pytest

from firebell.config import policy_from_mapping
from firebell.domain.errors import NotPermitted, PolicyError
from firebell.domain.lifecycle import Operation
from firebell.domain.permissions import Permissions, check_permitted, describe, is_permitted

ROLES = {"commander": "UIC", "deputy": "UDEPUTY"}
DECLARER = "UDECLARER"


def may(permissions: Permissions, operation: Operation, actor: str) -> bool:
    return is_permitted(permissions, operation, actor=actor, roles=ROLES, declarer=DECLARER)


def test_every_operation_has_a_policy_key() -> None:
    assert set(Permissions.model_fields) == {op.value for op in Operation}


@pytest.mark.parametrize("operation", [op for op in Operation if op not in (Operation.CLOSE, Operation.PUBLISH)])
def test_by_default_anyone_in_the_room_may_act(operation: Operation) -> None:
    assert may(Permissions(), operation, "USOMEONE")


@pytest.mark.parametrize(("actor", "allowed"), [("UIC", True), (DECLARER, False), ("UX", False)])
def test_by_default_only_the_commander_publishes(actor: str, allowed: bool) -> None:
    assert may(Permissions(), Operation.PUBLISH, actor) is allowed


@pytest.mark.parametrize(("actor", "allowed"), [("UIC", True), (DECLARER, True), ("UDEPUTY", False), ("UX", False)])
def test_by_default_only_the_commander_or_the_declarer_close(actor: str, allowed: bool) -> None:
    assert may(Permissions(), Operation.CLOSE, actor) is allowed


def test_a_refusal_says_who_may_and_which_key_decides() -> None:
    with pytest.raises(NotPermitted) as refused:
        check_permitted(Permissions(), Operation.CLOSE, actor="UX", roles=ROLES, declarer=DECLARER, label="INC-9")
    assert refused.value.message == (
        "Only the Incident Commander or the declarer may close the review of INC-9 "
        "(the policy's `permissions.close`). Ask one of them or have command handed to you."
    )


def test_restricting_severity_to_the_commander_and_deputy() -> None:
    policy = policy_from_mapping({"permissions": {"severity": ["commander", "deputy"]}}, source="p.yaml")
    assert may(policy.permissions, Operation.SEVERITY, "UDEPUTY")
    assert not may(policy.permissions, Operation.SEVERITY, DECLARER)
    with pytest.raises(NotPermitted, match=r"^Only the Incident Commander or the deputy may change the severity of"):
        check_permitted(
            policy.permissions, Operation.SEVERITY, actor=DECLARER, roles=ROLES, declarer=DECLARER, label="INC-1"
        )


def test_a_single_name_may_be_written_without_a_list() -> None:
    policy = policy_from_mapping({"permissions": {"close": "Commander"}}, source="p.yaml")
    assert policy.permissions.close == ("commander",)
    assert describe(("commander", "declarer", "scribe")) == "the Incident Commander, the declarer or the scribe"


@pytest.mark.parametrize(
    ("section", "error"),
    [
        ({"sevrity": ["commander"]}, "p.yaml: permissions.sevrity: unknown setting (known settings: update, note,"),
        ({"severity": ["captain"]}, "p.yaml: permissions.severity: captain is not a role; use anyone, declarer or"),
        ({"close": []}, "p.yaml: permissions.close: expected a list such as [commander, declarer], or anyone"),
        ({"close": [1]}, "p.yaml: permissions.close: expected names of roles (or anyone, declarer), got [1]"),
        ({"update": None}, "p.yaml: permissions.update: expected a list such as [commander, declarer], or anyone"),
    ],
)
def test_invalid_permissions_name_the_key(section: dict[str, object], error: str) -> None:
    with pytest.raises(PolicyError) as invalid:
        policy_from_mapping({"permissions": section}, source="p.yaml")
    assert error in invalid.value.message


def test_a_permission_may_name_a_custom_role() -> None:
    raw = {"roles": ["commander", "captain"], "permissions": {"severity": ["captain"]}}
    assert policy_from_mapping(raw, source="p.yaml").permissions.severity == ("captain",)
    with pytest.raises(PolicyError, match=r"permissions\.severity: deputy is not a role"):
        policy_from_mapping({**raw, "permissions": {"severity": ["deputy"]}}, source="p.yaml")
