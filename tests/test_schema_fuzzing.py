"""Schema fuzzing: schemathesis drives every operation of the OpenAPI document against the
real server, signed in, and checks for no 5xx, documented statuses and content types, and
responses that match their schemas.

Operations are driven from a plain loop (schemathesis' pytest plugin does not load under
pytest 9); a failure reports the operation and hypothesis' minimal failing case.
"""

from __future__ import annotations

import hypothesis
import schemathesis

from tests.contract.api import Api, create_project, create_task
from tests.server import Server

EXAMPLES_PER_OPERATION = 25


def test_no_server_errors_and_responses_match_the_schema(server: Server, api: Api) -> None:
    user = api.register("Fuzzer")
    project = create_project(user, user.create_workspace()["id"])
    create_task(user, project["id"])
    headers = {"Authorization": f"Bearer {user.token}"}
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers)

        try:
            fuzz()
        except Exception as failure:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {failure}") from failure
