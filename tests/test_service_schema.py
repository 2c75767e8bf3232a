"""The service against its own OpenAPI schema: schemathesis generates requests from it, valid and not, and sends them
to a running server, which must never answer with a server error (5xx)."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from helpers import Server
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

EXAMPLES = 100  # per operation and mode


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with Server(tmp_path_factory.mktemp("schema")) as running:
        client = httpx.Client(base_url=running.url, timeout=120)
        small = {"futures": 20, "packages": ["current_course"], "sobol_base": 4}
        run_id = client.post("/api/runs", json=small).json()["id"]
        with client.stream("GET", f"/api/runs/{run_id}/progress") as stream:
            assert '"finished"' in "".join(stream.iter_text())
        yield running, run_id


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gets_a_server_error(server, mode):
    running, finished_run = server
    schema = schemathesis.openapi.from_url(running.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,  # the same requests on every CI run
        )
        def no_server_error(case):
            if "run_id" in (case.path_parameters or {}):
                case.path_parameters["run_id"] = finished_run  # reach the results, not only the 404s
            case.call_and_validate(base_url=running.url, checks=[not_a_server_error], timeout=120)

        try:
            no_server_error()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without inputs has no invalid ones to send
