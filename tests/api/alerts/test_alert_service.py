"""An alert-born incident names the service its alerts come from (their `service_label`), when the policy knows it,
and pages that service's on-call like a person's declare does."""

import pytest

from firebell.domain.policy import Policy
from tests.api.alerts.payloads import am_alert, am_group
from tests.api.alerts.test_alerts import post
from tests.harness import Firebell
from tests.slack.paging.conftest import BOB, block_text, paging_policy, wait_for_dm


@pytest.fixture
def policy(policy: Policy) -> Policy:
    paging = paging_policy()
    keys = ("services", "schedules", "escalation_policies", "paging")
    return policy.model_copy(update={key: getattr(paging, key) for key in keys})


def _critical(name: str, service: str) -> dict[str, object]:
    alert = am_alert(name, service=service)
    alert["labels"] = {**alert["labels"], "severity": "critical"}
    return alert


def test_alert_born_incidents_take_their_groups_service_and_page_it(firebell: Firebell) -> None:
    assert post(firebell, "prometheus", am_group(_critical("HighErrorRate", "Checkout"))).status_code == 200
    assert post(firebell, "prometheus", am_group(_critical("DiskFull", "ledger"), key="ledger")).status_code == 200
    listed = {i["title"].split(" ")[0]: i for i in firebell.api("/api/v1/incidents").json()}
    assert listed["HighErrorRate"]["service"] == "checkout"  # the policy's spelling of the label's value
    assert listed["DiskFull"]["service"] is None  # a service the policy does not define is not the incident's
    [dm] = wait_for_dm(firebell, BOB)  # SEV2 meets page_on_declare: checkout's on-call is paged
    assert f"INC-{listed['HighErrorRate']['number']}" in block_text(dm) and "HighErrorRate" in block_text(dm)
