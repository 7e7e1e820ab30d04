"""Schema fuzzing: schemathesis drives every operation of the OpenAPI document against the
real server, signed in, and checks for no 5xx, documented statuses and content types, and
responses that match their schemas: each operation on its own, then in scenarios that follow
the document's links from what they create to the operations its id opens.

Operations are driven from a plain loop (schemathesis' pytest plugin does not load under
pytest 9); a failure reports the operation and hypothesis' minimal failing case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.api import Api, assert_nothing_private, create_project, create_task, unique
from tests.support.deployment import Deployment
from tests.support.faults import database_of_its_own, running_server
from tests.support.reliability import attack_figures, record
from tests.support.server import Server

EXAMPLES_PER_OPERATION = 25
# Stateful, on a server and database of its own, so that what it meets there is only what it made.
# Each hypothesis example is a scenario of calls that create things and follow the
# links of their responses, e.g. createWorkspace -> createProject -> createTask -> getTask.
SCENARIOS = 60
STEPS_PER_SCENARIO = 50
# A success of each, on a call a link led to, proves that links were followed with ids taken
# from earlier responses, along workspace -> project -> task -> comment: createComment's only link
# comes from createTask, so a 201 there is the task level's proof. (getTask was a second witness of
# that level, reached or not by luck: the derandomized walk still varies with the test process's
# history, and in some histories deleted every task before a link led to getTask, 3 CI runs so far.)
MUST_FOLLOW_TO = {"getProject", "createTask", "createComment", "updateComment"}


@pytest.mark.security
def test_following_the_documents_links_finds_no_server_errors(deployment: Deployment, tmp_path: Path) -> None:
    with (
        database_of_its_own(deployment, tmp_path) as own,
        running_server(own, tmp_path / "server.log") as server,
        httpx.Client(base_url=server.url, timeout=30, event_hooks={"response": [assert_nothing_private]}) as http,
    ):
        walk_the_links(server, Api(http).register("Walker"), deployment)


def walk_the_links(server: Server, user: Api, deployment: Deployment) -> None:
    stateful = {
        "inference": {"algorithms": []},  # only the links the document declares
        # Invalid data meets Litestar's validation before any handler, whatever exists (the
        # per-operation test's ground): scenarios are for what only existing data reaches.
        "generation": {"mode": "positive"},
        # The contract answers 400 to schema-valid data naming what does not exist: an email
        # with no account, an assignee outside the workspace, a tag of another workspace.
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
    config = schemathesis.config.SchemathesisConfig.from_dict(
        {"auth": {"openapi": {"BearerToken": {"bearer": user.token}}}, "phases": {"stateful": stateful}}
    )
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json", config=config)
    followed: Counter[tuple[str, int]] = Counter()  # (operation id, status) of the calls links led to
    answered: Counter[str] = Counter()

    class Scenario(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Schemathesis starts scenarios with any creation; one under a random parent id would
            # only meet 404 (the per-operation test's ground), so it starts under these instead.
            workspace_id = user.create_workspace()["id"]
            project_id = create_project(user, workspace_id)["id"]
            task_id = create_task(user, project_id)["id"]
            self.parents = {"workspace_id": workspace_id, "project_id": project_id, "task_id": task_id}

        def step(self, input: StepInput) -> StepOutput:
            case = input.case
            parents = {name: self.parents[name] for name in case.path_parameters or {} if name in self.parents}
            if input.transition is None and parents:  # a scenario's start, not a link's target
                case.path_parameters = {**case.path_parameters, **parents}
            if operation_id(case) == "createWorkspace":
                # Slugs are unique server-wide: one drawn again in a later scenario would meet 409
                # where it met 201, and hypothesis, replaying scenarios, needs the same answers.
                case.body = {**case.body, "slug": unique("walk")}
            output = super().step(input)
            answered[str(output.response.status_code)] += 1
            if input.transition is not None:
                followed[operation_id(case), output.response.status_code] += 1
            return output

    Scenario.run(
        settings=hypothesis.settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS_PER_SCENARIO,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )

    # A 304 proves it as well as a 200: the server answers one only for what exists (its
    # If-None-Match named the current version), so the id came from an earlier response.
    missed = MUST_FOLLOW_TO - {operation for operation, status in followed if status < 300 or status == 304}
    assert not missed, f"no link led to a success of {missed}: {followed}"
    injected = f"{SCENARIOS} scenarios of up to {STEPS_PER_SCENARIO} calls following the document's links"
    reproduce = f"python3 dev.py test tests/test_schema_fuzzing.py -k 'links and {deployment.target.id}'"
    figures = attack_figures(deployment.target.id, "Stateful schema fuzzing", injected, answered, reproduce)
    record(replace(figures, client_saw=f"{figures.client_saw}; {followed.total()} calls reached by a link"))


#: Operations without a parent id in their path whose schema-valid bodies may name what is not the
#: caller's (a token's ``workspace_ids``): the contract answers those 400, which schemathesis'
#: positive-data check would call a rejected valid request. Elsewhere a random parent id is a 404.
NAME_IDS_IN_THE_BODY = {"createApiToken"}
#: An event stream's 200 never ends, so a fuzzer would wait on it forever; its answers are
#: tested in tests/test_event_stream.py and by the authorization matrix.
NEVER_ENDING = {"streamEvents"}


@pytest.mark.security
def test_no_server_errors_and_responses_match_the_schema(server: Server, api: Api, deployment: Deployment) -> None:
    user = api.register("Fuzzer")
    project = create_project(user, user.create_workspace()["id"])
    create_task(user, project["id"])
    headers = {"Authorization": f"Bearer {user.token}"}
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")

    every_operation = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in every_operation if op.definition.raw.get("operationId") not in NEVER_ENDING]
    assert len(operations) >= 30
    answered: Counter[str] = Counter()
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
            excluded = (
                [positive_data_acceptance]
                if case.operation.definition.raw.get("operationId") in (NAME_IDS_IN_THE_BODY)
                else []
            )
            answered[str(case.call_and_validate(headers=headers, excluded_checks=excluded).status_code)] += 1

        try:
            fuzz()
        except Exception as failure:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {failure}") from failure
    injected = f"up to {EXAMPLES_PER_OPERATION} generated requests on each of {len(operations)} operations"
    reproduce = f"python3 dev.py test tests/test_schema_fuzzing.py -k 'match_the_schema and {deployment.target.id}'"
    record(
        attack_figures(deployment.target.id, "Schema fuzzing, operation by operation", injected, answered, reproduce)
    )


def operation_id(case: schemathesis.Case) -> str:
    return case.operation.definition.raw["operationId"]
