"""The web service through its HTTP API: what it lists, a run from submission to results, bad input, the token."""

from __future__ import annotations

import io
import json
import re
import shutil
import threading

import httpx
import pandas as pd
import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import Server, cli, free_port

from alliance_futures import api
from alliance_futures.analysis.findings import STAGES as ANALYSIS_STAGES
from alliance_futures.case import builtin_policy_names
from alliance_futures.case.observations import Observation
from alliance_futures.limits import SERVICE_MAX_BODY
from alliance_futures.limits import SERVICE_MAX_CELLS as MAX_CELLS
from alliance_futures.limits import SERVICE_MAX_FUTURES as MAX_FUTURES
from alliance_futures.service import create_app, results
from alliance_futures.service.jobs import STAGES
from alliance_futures.service.routes import runs as runs_routes
from alliance_futures.service.schemas import NegotiationRequest, RunRequest
from alliance_futures.store import Catalogue

SMALL = {"futures": 150, "packages": ["current_course", "reciprocal_strengthening"], "sobol_base": 8, "seed": 7}


def stream_events(client, run_id):
    """The run's progress stream as (event, data) pairs, as they come."""
    name = None
    with client.stream("GET", f"/api/runs/{run_id}/progress") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                yield name, json.loads(line.removeprefix("data: "))


def events(client, run_id):
    """The run's progress stream, read to its end."""
    return list(stream_events(client, run_id))


def finish(client, request):
    response = client.post("/api/runs", json=request)
    assert response.status_code == 202, response.text
    run_id = response.json()["id"]
    return run_id, events(client, run_id)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    data = tmp_path_factory.mktemp("service")
    with TestClient(create_app(data)) as client:
        run_id, stream = finish(client, SMALL)
        yield client, data, run_id, stream


def test_lists_cases_packages_and_parameters_with_their_provenance(service):
    client, *_ = service
    assert [c["name"] for c in client.get("/api/cases").json()] == ["us_rok"]
    parameters = client.get("/api/cases/us_rok/parameters").json()
    assert len(parameters) > 100
    for p in parameters:
        assert p["unit"] and p["meaning"] and p["source"]
        assert p["allowed"][0] <= (p["value"] if p["value"] is not None else p["range"][0]) <= p["allowed"][1]
    packages = {p["name"]: p for p in client.get("/api/packages").json()}
    assert set(packages) == set(api.builtin_policy_names())
    settings = packages["reciprocal_strengthening"]["levers"]
    assert settings and all(s["source"] and s["unit"] and s["meaning"] for s in settings)
    assert all(lever["source"] for lever in client.get("/api/cases/us_rok/levers").json())
    assert client.get("/api/cases/elsewhere/parameters").status_code == 404


def test_progress_runs_from_simulating_to_finished_and_ends(service):
    _, _, _, stream = service
    kinds = [name for name, _ in stream]
    assert kinds[-1] == "end" and set(kinds[:-1]) == {"progress"}
    phases = [data["phase"] for name, data in stream if name == "progress"]
    # the stream may join after a small run's first phases, but it never goes back and always ends finished
    order = ["queued", *STAGES, "finished"]
    assert [order.index(x) for x in phases] == sorted(order.index(x) for x in phases) and phases[-1] == "finished"
    last = stream[-1][1]
    assert last["status"] == "finished" and last["done"] == last["total"] == 150 * 2


def test_a_run_goes_through_every_stage_in_order_and_says_which_it_is_in(tmp_path, monkeypatch):
    seen = []
    update = Catalogue.update

    def spy(self, run_id, **fields):
        seen.extend([fields["phase"]] if "phase" in fields else [])
        update(self, run_id, **fields)

    monkeypatch.setattr(Catalogue, "update", spy)
    with TestClient(create_app(tmp_path)) as client:
        submitted = client.post("/api/runs", json=SMALL | {"futures": 20})
        assert submitted.json()["stages"] == list(STAGES)
        events(client, submitted.json()["id"])
    assert seen == [*STAGES, "finished"]
    assert STAGES[0] == "simulating" and "Sobol indices" in STAGES and STAGES[-1].startswith("writing")


def test_comparison_is_the_saved_runs_summary_and_its_final_states(service):
    client, data, run_id, _ = service
    status = client.get(f"/api/runs/{run_id}").json()
    comparison = client.get(f"/api/runs/{run_id}/views/comparison").json()
    saved = json.loads((data / "runs" / run_id / "run.json").read_text())
    assert comparison["summary"] == status["summary"] == saved["summary"]
    final = pd.read_parquet(io.BytesIO(client.get(f"/api/runs/{run_id}/files/final.parquet").content))
    for package, group in final.groupby("package"):
        assert comparison["summary"]["packages"][package]["war"]["p"] == pytest.approx(group["war"].mean())
    history = {r["id"]: r for r in client.get("/api/runs").json()}
    assert history[run_id]["status"] == "finished" and history[run_id]["request"]["futures"] == 150


def test_every_view_is_there_with_its_charts(service):
    client, _, run_id, _ = service
    discovery = client.get(f"/api/runs/{run_id}/views/discovery").json()
    assert [b["outcome"] for b in discovery][:3] == ["rupture", "nuclear_pursuit", "war"]
    sensitivity = client.get(f"/api/runs/{run_id}/views/sensitivity").json()
    assert sensitivity["chart"]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert {r["output"] for r in sensitivity["rows"]} == {"rupture", "nuclear_pursuit", "war", "drawdown"}
    assert len(sensitivity["told_apart"]) == 4
    matrix = client.get(f"/api/runs/{run_id}/views/matrix").json()
    assert sum(q["probability"] for q in matrix["quadrants"]) == pytest.approx(1)
    assert all(0 < q["p_value"] <= 1 for q in matrix["quadrants"]) and len(matrix["contrasts"]) == 4
    claims = client.get(f"/api/runs/{run_id}/views/claims").json()
    assert {c["package"] for c in claims["claims"]} == {"reciprocal_strengthening"} and claims["skipped"]
    backtest = client.get(f"/api/runs/{run_id}/views/backtest").json()
    assert set(backtest["scores"]) >= {"troop_cut", "rok_nuclear"}
    examples = client.get(f"/api/runs/{run_id}/views/examples").json()
    assert examples and all(e["narrative"] for e in examples)
    assert client.get(f"/api/runs/{run_id}/views/nonsense").status_code == 422


def test_series_filtered_by_named_future_counts_those_futures(service):
    client, _, run_id, _ = service
    listed = client.get(f"/api/runs/{run_id}/futures", params={"named_future": "rupture", "limit": 1000}).json()
    assert listed["count"] == len(listed["futures"]) > 0
    assert {f["named_future"] for f in listed["futures"]} == {"rupture"}
    assert all(f["rupture"] for f in listed["futures"])
    bands = client.get(f"/api/runs/{run_id}/series", params={"variable": "troops", "named_future": "rupture"}).json()
    baseline = [b for b in bands if b["package"] == "current_course"]
    assert len(baseline) == 20 and {b["futures"] for b in baseline} == {listed["count"]}
    assert all(b["p05"] <= b["p50"] <= b["p95"] for b in bands)
    everyone = client.get(f"/api/runs/{run_id}/series", params={"variable": "troops"}).json()
    assert {b["futures"] for b in everyone} == {150}


def test_narrative_is_the_explain_commands(service):
    client, data, run_id, _ = service
    told = client.get(f"/api/runs/{run_id}/futures/12/narrative", params={"package": "reciprocal_strengthening"})
    assert told.json()["narrative"] == api.explain(data / "runs" / run_id, 12, "reciprocal_strengthening")
    assert client.get(f"/api/runs/{run_id}/futures/150/narrative").status_code == 422
    assert client.get(f"/api/runs/{run_id}/futures/1/narrative", params={"package": "other"}).status_code == 422


def test_report_and_tables_download(service):
    client, data, run_id, _ = service
    report = client.get(f"/api/runs/{run_id}/report")
    assert report.status_code == 200 and "Scenario discovery" in report.text
    assert "POST /api/runs" in re.sub(r"<[^>]+>", "", report.text)  # how a reader repeats the run
    yearly = pd.read_parquet(io.BytesIO(client.get(f"/api/runs/{run_id}/files/yearly.parquet").content))
    chunks = api.load_run(data / "runs" / run_id).files("yearly")
    pd.testing.assert_frame_equal(yearly, pd.concat([pd.read_parquet(p) for p in chunks], ignore_index=True))


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"futures": 0}, "futures", "greater than or equal to 1"),
        ({"futures": 155}, "futures", "must be a multiple of replications (10)"),
        ({"replications": 0}, "replications", "greater than or equal to 1"),
        ({"futures": 1_000_000, "years": 200}, "futures", "request too large"),
        ({"packages": ["current_course", "no_such"]}, "packages", "unknown package 'no_such'"),
        ({"packages": ["current_course", "current_course"]}, "packages", "once"),
        ({"packages": []}, "packages", "at least 1"),
        ({"overrides": {"politics.us_switch_probability": 2}}, "overrides", "must lie inside 'allowed'"),
        ({"overrides": {"politics.no_such": 0.5}}, "overrides", "unknown parameter"),
        ({"overrides": {"politics.us_switch_probability": [0.6, 0.2]}}, "overrides", "low < high"),
        ({"overrides": {"credibility.troop_signal": 0.5}}, "overrides", "the number of its choice (0 to 1)"),
        ({"overrides": {"credibility.troop_signal": [0, 1]}}, "overrides", "fixed to one of its choices"),
        ({"sobol_base": 100}, "sobol_base", "power of two"),
        ({"baseline": "division_of_labour"}, "baseline", "one of the chosen packages"),
        ({"case": "elsewhere"}, "case", "no built-in case"),
        ({"colour": "red"}, "colour", "Extra inputs"),
        ({"futures": "1000"}, "futures", "valid integer"),
        ({"futures": True}, "futures", "valid integer"),
        ({"overrides": {"politics.us_switch_probability": "0.5"}}, "overrides", "valid number"),
        ({"sobol_base": 16384, "futures": 100}, "sobol_base", "the Sobol analysis at base 16384 simulates"),
    ],
)
def test_bad_requests_get_a_422_naming_the_field(service, change, field, reason):
    client, *_ = service
    before = len(client.get("/api/runs").json())
    response = client.post("/api/runs", json=SMALL | change)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert field in detail["loc"] and reason in detail["msg"]
    assert len(client.get("/api/runs").json()) == before  # nothing queued


def test_the_size_limit_is_futures_by_years_by_packages(service):
    client, *_ = service
    packages = builtin_policy_names()
    years = MAX_CELLS // (MAX_FUTURES * len(packages)) + 1
    just_over = {"futures": MAX_FUTURES, "years": years, "packages": packages, "replications": 1}
    refused = client.post("/api/runs", json=just_over)
    assert refused.status_code == 422 and "request too large" in refused.json()["detail"][0]["msg"]


def test_a_run_past_the_analysed_size_is_served_on_its_first_futures_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "SERVICE_MAX_ANALYSED", 60)
    with TestClient(create_app(tmp_path)) as client:
        run_id, stream = finish(client, SMALL | {"packages": ["current_course"]})  # 150 futures, 10 per vector
        assert stream[-1][1]["status"] == "finished"
        comparison = client.get(f"/api/runs/{run_id}/views/comparison").json()
        assert comparison["analysed"] == {"futures": 60, "of": 150}
        listed = client.get(f"/api/runs/{run_id}/futures", params={"limit": 1000}).json()
        assert listed["count"] == 60 and max(f["future"] for f in listed["futures"]) == 59
        bands = client.get(f"/api/runs/{run_id}/series", params={"variable": "troops"}).json()
        assert {b["futures"] for b in bands} == {60}
        final = pd.read_parquet(io.BytesIO(client.get(f"/api/runs/{run_id}/files/final.parquet").content))
        assert len(final) == 150  # the files hold every future, and so does the saved summary
        war = client.get(f"/api/runs/{run_id}").json()["summary"]["packages"]["current_course"]["war"]["p"]
        assert war == pytest.approx(final["war"].mean())
        assert comparison["summary"] == client.get(f"/api/runs/{run_id}").json()["summary"]  # every future's
        assert "The other sections analyse the first 60 of them" in client.get(f"/api/runs/{run_id}/report").text


def test_unknown_runs_and_malformed_ids(service):
    client, *_ = service
    assert client.get("/api/runs/20000101-000000-abcdef").status_code == 404
    assert client.get("/api/runs/../etc/views/comparison").status_code == 404
    assert client.get("/api/runs/not-an-id").status_code == 422


def test_overrides_reach_the_simulated_case(tmp_path):
    with TestClient(create_app(tmp_path)) as client:
        run_id, stream = finish(
            client,
            SMALL
            | {
                "futures": 40,
                "overrides": {
                    "politics.us_switch_probability": 0.9,
                    "context.overstretch_end": [0.2, 0.3],
                    "credibility.troop_signal": 1,
                },
            },
        )
        assert stream[-1][1]["status"] == "finished", stream[-1]
        case = yaml.safe_load((tmp_path / "runs" / run_id / "case.yaml").read_text())
        assert case["parameters"]["politics"]["us_switch_probability"]["value"] == 0.9
        assert case["parameters"]["context"]["overstretch_end"]["range"] == [0.2, 0.3]
        experiments = api.load_run(tmp_path / "runs" / run_id).experiments
        assert "politics.us_switch_probability" not in experiments  # fixed, no longer sampled
        assert experiments["context.overstretch_end"].between(0.2, 0.3).all()
        assert case["parameters"]["credibility"]["troop_signal"]["value"] == 1  # the balance form, fixed
        assert "credibility.troop_signal" not in experiments


def test_a_failing_run_is_marked_failed_and_the_service_goes_on(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("analysis broke")

    monkeypatch.setattr(api, "findings", broken)
    with TestClient(create_app(tmp_path)) as client:
        run_id, stream = finish(client, SMALL | {"futures": 20})
        assert stream[-1][1]["status"] == "failed" and "analysis broke" in stream[-1][1]["error"]
        assert not (tmp_path / "runs" / run_id).exists()  # a failed run's files are removed: a full disk is freed
        assert client.get(f"/api/runs/{run_id}/views/comparison").status_code == 409
        assert client.get("/api/cases").status_code == 200


def test_negotiation_is_the_apis(service):
    client, *_ = service
    assert client.get("/api/negotiations/tables").json() == ["us-rok-sma", "us-rok-posture"]
    answer = client.post("/api/negotiations", json={"table": "us-rok-sma"}).json()
    assert answer["forecasts"] == pytest.approx(api.negotiate("us-rok-sma").forecasts)
    inline = {
        "issue": "toy",
        "stakeholders": [
            {"name": "a", "capability": 1, "position": 0, "salience": 1},
            {"name": "b", "capability": 3, "position": 100, "salience": 1},
        ],
    }
    assert client.post("/api/negotiations", json=inline).json()["forecasts"]["weighted_median"] == 100
    bad = inline | {"stakeholders": [inline["stakeholders"][0] | {"capability": -1}, inline["stakeholders"][1]]}
    assert client.post("/api/negotiations", json=bad).status_code == 422
    assert client.post("/api/negotiations", json={}).status_code == 422


def test_with_a_token_every_request_must_carry_it(tmp_path):
    token = "s3cret-token-for-tests"
    with TestClient(create_app(tmp_path, token)) as client:
        assert client.get("/api/cases").status_code == 401
        assert client.get("/").status_code == 401
        assert client.get("/api/cases", headers={"Authorization": "Bearer wrong-token-for-tests"}).status_code == 401
        assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert client.get("/api/cases", headers={"Authorization": f"bearer {token}"}).status_code == 200  # RFC 9110
        opened = client.get("/", params={"token": token})
        assert opened.status_code == 200
        assert client.get("/api/cases").status_code == 200  # the cookie the dashboard link set


def numeric_fields():
    """Every number a request body may carry, from the request models: (path, field, where the number goes)."""
    found = []
    for path, model in (("/api/runs", RunRequest), ("/api/negotiations", NegotiationRequest)):
        for field, spec in model.model_json_schema()["properties"].items():
            kinds = {spec.get("type"), *(option.get("type") for option in spec.get("anyOf", []))}
            if kinds & {"integer", "number"}:
                found.append((path, field, "{}"))
    person = '{{"name": "a", "capability": {}, "position": 1, "salience": 1}}'
    found += [
        ("/api/runs", "overrides", '{{"politics.us_switch_probability": {}}}'),
        ("/api/runs", "overrides", '{{"politics.us_switch_probability": [0.1, {}]}}'),
        ("/api/negotiations", "scale", "[0, {}]"),
        ("/api/negotiations", "stakeholders", f"[{person}, {person}]"),
    ]
    return found


@pytest.mark.parametrize(("path", "field", "shape"), numeric_fields())
@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_get_a_422_naming_the_field_not_a_500(service, path, field, shape, value):
    """Every number a request may carry, given one JSON cannot carry: a 422 naming its field, without echoing the
    input (issue 17, item 9)."""
    client, *_ = service
    given = shape.format(value, value)
    body = f'{{"table": "us-rok-sma", "{field}": {given}}}' if "negotiations" in path else f'{{"{field}": {given}}}'
    answer = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    detail = answer.json()["detail"][0]
    assert detail["loc"][:2] == ["body", field] and "input" not in detail


def test_on_loopback_without_a_token_only_this_machines_host_names_are_served(tmp_path):
    """A page elsewhere cannot reach the service through a name of its own pointed at 127.0.0.1 (issue 17, item 12)."""
    with Server(tmp_path) as server:
        assert httpx.get(f"{server.url}/api/cases").status_code == 200
        assert httpx.get(f"{server.url}/api/cases", headers={"Host": "localhost"}).status_code == 200
        for host in ("attacker.example", f"attacker.example:{server.port}"):
            assert httpx.get(f"{server.url}/api/cases", headers={"Host": host}).status_code == 400
            refused = httpx.post(f"{server.url}/api/runs", json={"futures": 10}, headers={"Host": host})
            assert refused.status_code == 400
        assert httpx.get(f"{server.url}/api/runs").json() == []  # nothing was queued


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "Invalid value for '--port'"),
        (["--host", "0.0.0.0"], "refusing to listen on 0.0.0.0 without a token"),
        (["--host", "example.org"], "without a token"),
        (["--token", "short"], "at least 16 characters"),
    ],
)
def test_serve_refuses_to_expose_the_service_without_a_token(args, message, tmp_path):
    result = cli("serve", "--data-dir", tmp_path, *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_killed_server_restarts_with_earlier_runs_intact_and_the_interrupted_one_marked(tmp_path):
    with Server(tmp_path) as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        done, stream = finish(client, SMALL | {"futures": 30})
        assert stream[-1][1]["status"] == "finished"
        comparison = client.get(f"/api/runs/{done}/views/comparison").json()
        big = {"futures": 20_000, "packages": ["current_course", "transactional_pressure"], "years": 30}
        interrupted = client.post("/api/runs", json=big).json()["id"]
        next(data for _, data in stream_events(client, interrupted) if data["phase"] in ANALYSIS_STAGES)
        assert (tmp_path / "runs" / interrupted / "run.json").is_file()  # saved, not yet analysed
        server.kill()
    assert (tmp_path / "runs" / done).is_dir()
    with Server(tmp_path) as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        history = {r["id"]: r for r in client.get("/api/runs").json()}
        assert history[done]["status"] == "finished"
        assert client.get(f"/api/runs/{done}/views/comparison").json() == comparison
        assert history[interrupted]["status"] == "failed" and "server stopped" in history[interrupted]["error"]
        assert client.get(f"/api/runs/{interrupted}/views/comparison").status_code == 409
        assert not (tmp_path / "runs" / interrupted).exists()
        assert not list((tmp_path / "runs").glob(".*partial*"))  # nothing half-written is left
        _, stream = finish(client, SMALL | {"futures": 30})  # and it runs new work
        assert stream[-1][1]["status"] == "finished"


def test_a_service_on_two_processes_saves_what_one_process_saves(service, tmp_path):
    _, data, run_id, _ = service
    with TestClient(create_app(tmp_path, workers=2)) as two:  # its workers start from a fork server
        other, stream = finish(two, SMALL)
    assert stream[-1][1]["status"] == "finished"

    def tables(folder):
        files = json.loads((folder / "run.json").read_text())["files"]
        return {name: f["sha256"] for name, f in files.items() if name.endswith(".parquet")}

    assert tables(tmp_path / "runs" / other) == tables(data / "runs" / run_id)
    assert len(tables(tmp_path / "runs" / other)) >= 5  # experiments, and the final and yearly tables of both


def test_a_data_folder_that_cannot_be_made_is_refused_in_plain_words(tmp_path):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = cli("serve", "--data-dir", tmp_path / "file" / "data", "--port", free_port())
    assert result.returncode == 2 and "the data folder cannot be used (" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_folder_in_use_by_another_server_is_refused(tmp_path):
    with Server(tmp_path):
        result = cli("serve", "--data-dir", tmp_path, "--port", free_port())
    assert result.returncode == 2 and "in use by another server" in result.stderr and "Traceback" not in result.stderr


def test_a_body_over_the_limit_gets_a_413_before_it_is_read(service):
    """Declared or sent in chunks, a body past the limit is refused, not read whole (issue 17, item 10)."""
    client, *_ = service
    big = b'{"futures": 10, "padding": "' + b"x" * SERVICE_MAX_BODY + b'"}'
    declared = client.post("/api/runs", content=big, headers={"Content-Type": "application/json"})
    assert declared.status_code == 413 and f"{SERVICE_MAX_BODY:,} bytes" in declared.json()["detail"][0]["msg"]
    assert len(declared.content) < 1000  # the body is not echoed

    def chunks():
        yield b'{"futures": 10, "padding": "'
        for _ in range(SERVICE_MAX_BODY // 2**16 + 2):
            yield b"x" * 2**16
        yield b'"}'

    streamed = client.post("/api/runs", content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413


TINY = SMALL | {"futures": 20, "packages": ["current_course"]}


def held_runs(monkeypatch) -> threading.Event:
    """Hold every submitted run before it simulates, until the returned event is set (so that others queue)."""
    release = threading.Event()
    simulate = api.simulate_to

    def held(*args, **kwargs):
        release.wait(timeout=60)
        return simulate(*args, **kwargs)

    monkeypatch.setattr(api, "simulate_to", held)
    return release


def test_the_queue_and_the_progress_streams_are_bounded(tmp_path, monkeypatch):
    release = held_runs(monkeypatch)
    monkeypatch.setattr(runs_routes, "SERVICE_MAX_QUEUED", 2)
    monkeypatch.setattr(runs_routes, "SERVICE_MAX_STREAMS", 1)
    with TestClient(create_app(tmp_path)) as client:
        first = client.post("/api/runs", json=TINY).json()["id"]
        second = client.post("/api/runs", json=TINY)
        assert second.status_code == 202
        refused = client.post("/api/runs", json=TINY)
        assert refused.status_code == 429 and "2 runs are waiting or running" in refused.json()["detail"]
        client.app.state.services.streams = 1  # one stream open elsewhere
        assert client.get(f"/api/runs/{first}/progress").status_code == 429
        client.app.state.services.streams = 0
        release.set()
        assert events(client, first)[-1][1]["status"] == "finished"
        assert client.app.state.services.streams == 0  # the finished stream gave its place back
        third = client.post("/api/runs", json=TINY)
        assert third.status_code == 202
        for later in (second, third):  # none left running when the app stops
            assert events(client, later.json()["id"])[-1][1]["status"] == "finished"


def test_the_disk_a_queued_run_will_take_is_kept_for_it(tmp_path, monkeypatch):
    need = api.disk_need(api.prepare(api.load_case(), policies=TINY["packages"], futures=20, streamed=True))
    free = shutil._ntuple_diskusage(2**40, 2**40 - need * 3 // 2, need * 3 // 2)  # room for one run, not two
    monkeypatch.setattr(api.shutil, "disk_usage", lambda _: free)
    release = held_runs(monkeypatch)
    with TestClient(create_app(tmp_path)) as client:
        first = client.post("/api/runs", json=TINY)
        assert first.status_code == 202
        refused = client.post("/api/runs", json=TINY)
        assert refused.status_code == 422 and "promised to the runs queued before it" in refused.text
        release.set()
        assert events(client, first.json()["id"])[-1][1]["status"] == "finished"
        assert client.post("/api/runs", json=TINY).status_code == 202  # finished, it holds its own bytes, no promise


def test_a_negotiation_too_costly_to_compute_is_refused(service):
    client, *_ = service
    table = [{"name": f"s{i}", "capability": 1, "position": i % 100, "salience": 0.5} for i in range(200)]
    answer = client.post("/api/negotiations", json={"stakeholders": table, "rounds": 50})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "rounds"] and "at most 10 rounds" in answer.text


def test_pages_and_answers_carry_the_security_headers(service):
    client, _, run_id, _ = service
    for path in ("/", "/api/cases", f"/api/runs/{run_id}/report", "/docs"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"


def test_a_bad_query_parameter_is_located_in_the_query(service):
    client, _, run_id, _ = service
    answer = client.get(f"/api/runs/{run_id}/futures", params={"package": "nope"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "package"]


def test_a_run_the_data_folder_cannot_hold_gets_a_422(service, monkeypatch):
    client, *_ = service
    monkeypatch.setattr(api.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(2**30, 2**30 - 2**10, 2**10))
    answer = client.post("/api/runs", json=SMALL)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "futures"] and "too large for the disk" in answer.text


POLL = {"year": 2028, "indicator": "public_support", "value": 0.75, "sd": 0.05, "source": "a poll"}


def test_an_update_is_the_cli_s_and_bad_evidence_gets_a_422_before_any_job(service):
    client, data, run_id, _ = service
    said = client.post(f"/api/runs/{run_id}/update", json={"observations": [POLL]})
    assert said.status_code == 200, said.text
    assert said.json() == json.loads(
        json.dumps(api.update_json(api.update(data / "runs" / run_id, [Observation(**POLL)])))
    )
    options = client.get(f"/api/runs/{run_id}/evidence").json()
    assert options["years"][0] == 2027 and len(options["years"]) == 20 and "demand_above_5t" in options["signposts"]
    assert options["indicators"]["public_support"] == [0, 1] and options["indicators"]["troops"] == [0, None]
    assert options["followed"] == "current_course"
    before = len(client.get("/api/runs").json())
    for path in ("update", "posterior"):
        for change, field, reason in [
            ({"year": 1990}, "observations", "year 1990 is outside the run's years"),
            ({"indicator": "mood"}, "observations", "'mood' is not a recorded variable"),
            ({"value": 1.5}, "observations", "public_support runs from 0 to 1, got 1.5"),
        ]:
            refused = client.post(f"/api/runs/{run_id}/{path}", json={"observations": [POLL | change]})
            assert refused.status_code == 422, (path, change)
            detail = refused.json()["detail"][0]
            assert detail["loc"][-1] == field and reason in detail["msg"]
    refused = client.post(f"/api/runs/{run_id}/posterior", json={"observations": [POLL], "baseline": "other"})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "baseline"]
    assert len(client.get("/api/runs").json()) == before  # nothing was queued


def test_an_observation_log_is_parsed_or_refused_naming_the_entry(service):
    client, *_ = service
    log = "- {year: 2028, signpost: demand_above_5t, seen: false, false_alarm: 0.05, miss: 0.1, source: s}\n"
    parsed = client.post("/api/observations", json={"log": log})
    assert parsed.json() == [
        {"year": 2028, "source": "s", "signpost": "demand_above_5t", "seen": False, "false_alarm": 0.05, "miss": 0.1}
    ]
    for text, reason in [
        ("- {year: 2028, signpost: x, seen: true, source: s}", "entry 1: a signpost needs"),
        ("{a: [", ""),
    ]:
        refused = client.post("/api/observations", json={"log": text})
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "log"]
        assert reason in refused.json()["detail"][0]["msg"] and "/tmp" not in refused.text


def test_a_posterior_run_is_queued_finished_and_served_like_any_run(service):
    client, data, run_id, _ = service
    response = client.post(f"/api/runs/{run_id}/posterior", json={"observations": [POLL], "seed": 5})
    assert response.status_code == 202, response.text
    posterior = response.json()["id"]
    assert events(client, posterior)[-1][1]["status"] == "finished"
    run = client.get(f"/api/runs/{posterior}").json()
    assert run["request"]["prior"] == run_id and run["request"]["seed"] == 5 and run["request"]["replications"] == 1
    saved = api.load_run(data / "runs" / posterior)
    assert saved.info["evidence"]["through"] == 2028 and saved.info["seed"] == 5
    assert saved.branches[-1].seed == client.get(f"/api/runs/{run_id}").json()["request"]["seed"]
    assert "What the evidence says" in client.get(f"/api/runs/{posterior}/report").text
    told = client.get(f"/api/runs/{posterior}/futures/3/narrative").json()["narrative"]
    assert told == api.explain(data / "runs" / posterior, 3, "current_course")
