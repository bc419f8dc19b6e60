"""The REST API keeps its OpenAPI document: schemathesis fuzzes every documented operation in-process.

A bounded, deterministic run here (valid and invalid requests for each operation, every check); the live
service is fuzzed harder by `.ci/api_contract.py` (a fixed and a random seed). An endpoint added later is
fuzzed by being documented.
"""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from firebell.api.app import create_app
from tests.harness import API_TOKEN, Firebell

EXAMPLES = 15


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_every_operation_keeps_its_document(firebell: Firebell, mode: GenerationMode) -> None:
    for n in (1, 2):
        firebell.driver.slash_command("/incident", f"declare sev{n} Contract {n}", user="alice", channel="general")
    # The runtime is already running: the app under test only serves requests in-process.
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(firebell.runtime, manage_runtime=False))
    # As `schemathesis run -H`: the token is the schema's credentials, so negated auth is sent as negated.
    schema.config.update(headers={"Authorization": f"Bearer {API_TOKEN}"})
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the document has an invalid operation: {result.err()}"
        operations.append(result.ok())
    assert {op.path for op in operations} >= {"/api/v1/incidents", "/api/v1/action-items/completion", "/readyz"}
    for operation in operations:
        # The token is sent as configured, never negated: an operation with nothing else has nothing to send wrong.
        if mode.is_negative and not [p for p in operation.iter_parameters() if p.name != "Authorization"]:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def keeps_its_document(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate()

        keeps_its_document()
