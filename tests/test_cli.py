"""The command line end to end, as a user runs it: a real process, its output, its exit code."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from helpers import cli, write_edited

import alliance_futures as af
from alliance_futures import api
from alliance_futures.analysis import NAMED_FUTURES, long_outcomes
from alliance_futures.case.loader import DATA
from alliance_futures.store.files import write_whole
from alliance_futures.store.runs import CLAIM_FILE, claim_folder, release_folder

OUTCOMES = ["rupture", "drawdown", "nuclear_pursuit", "war", "opcon_transfer", "regional_role_expanded"]


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    result = cli("run", "--futures", 400, "--years", 15, "--format", "json", "--output", out)
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def test_run_json_has_every_package_outcome_and_named_future(saved_run):
    _, summary = saved_run
    assert len(summary["packages"]) == 6
    for outcomes in summary["packages"].values():
        keys = set(OUTCOMES) | {f"future:{k}" for k in NAMED_FUTURES}
        assert keys <= set(outcomes)
        for cell in outcomes.values():
            assert 0 <= cell["lo"] <= cell["p"] <= cell["hi"] <= 1


def test_run_saves_parquet_tables_that_match_the_summary(saved_run):
    out, summary = saved_run
    run = af.load_run(out)
    final = long_outcomes(run.final(), run.case, 15)
    yearly = pd.read_parquet(out / "yearly")  # one file per package and chunk, read as one table
    assert len(final) == 6 * 400 and len(yearly) == 6 * 400 * 15
    assert sorted(yearly["year"].unique()) == list(range(2027, 2042))
    share = final.groupby("package")["rupture"].mean()
    for name, outcomes in summary["packages"].items():
        assert share[name] == pytest.approx(outcomes["rupture"]["p"])


def test_run_prints_a_table_with_progress(tmp_path):
    result = cli(
        "run",
        "--futures",
        200,
        "--years",
        5,
        "-p",
        "current_course",
        "-p",
        "deep_nuclear_consultation",
        "--output",
        tmp_path / "r",
    )
    assert result.returncode == 0, result.stderr
    for label in [*NAMED_FUTURES.values(), "rupture", "nuclear pursuit", "US net cost"]:
        assert label in result.stdout
    header = " ".join(result.stdout.split())  # package names are set over several lines
    assert "current" in header and "course" in header and "consultation" in header
    assert "simulating" in result.stderr and "Saved to" in result.stderr


def test_same_seed_same_numbers(saved_run, tmp_path):
    _, summary = saved_run
    again = cli("run", "--futures", 400, "--years", 15, "--format", "json", "--output", tmp_path / "again")
    assert json.loads(again.stdout) | {"run": None} == summary | {"run": None}


def test_explain_tells_a_dated_story(saved_run):
    out, _ = saved_run
    result = cli("explain", out, 5, "--package", "transactional_pressure")
    assert result.returncode == 0, result.stderr
    assert "Transactional pressure" in result.stdout
    assert "By 2041:" in result.stdout
    assert any(name in result.stdout for name in NAMED_FUTURES.values())


def test_validate_accepts_a_good_file_and_names_the_problem_in_a_bad_one(tmp_path):
    from alliance_futures.case.loader import DATA

    good = cli("validate", DATA / "policies" / "reciprocal_strengthening.yaml")
    assert good.returncode == 0 and "valid policy package" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\ntitle: t\nsource: analyst judgement here\ndescription: d\nstart_year: 2027\n"
        "institutionalisation: executive\nlevers:\n  us:\n    exercise_tempo: 7\n"
        "adoption: {us: {internationalist: 0.5, transactional: 0.5}, source: a test}\n",
        encoding="utf-8",
    )
    result = cli("validate", bad)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "line 9" in result.stderr and "exercise_tempo" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--policies", "no_such_package"], "no built-in policy package"),
        (["run", "--case", "missing.yaml"], "no such file"),
        (["run", "--futures", "0"], "at '--futures': futures must be"),
        (["run", "--futures", "105"], "at '--futures': futures (105) must be a multiple of replications (10)"),
        (["run", "--replications", "0"], "at '--replications': replications must be"),
        (["run", "--years", "1000"], "at '--years': years must be"),
        (["run", "--futures", "2000000000"], "request too large"),
        (["explain", "nowhere", "0"], "not a saved run"),
        (["run", "--set", "dprk.icbm_maturation=2"], "at '--set dprk.icbm_maturation': 'value' 2.0 must lie inside"),
        (["run", "--set", "dprk.icbm_maturation=0.5:0.2"], "low < high"),
        (["run", "--set", "dprk.no_such=1"], "unknown parameter"),
        (["run", "--set", "dprk.icbm_maturation"], "expected PARAM=VALUE or PARAM=LOW:HIGH"),
        (["export", "nowhere"], "not a saved run"),
        (["export", "nowhere", "--to", "pdf"], "'pdf' is not one of"),
    ],
)
def test_bad_input_gets_a_clear_message_and_exit_code_2(args, message, tmp_path):
    result = cli(*args, "--output", tmp_path / "o") if args[0] == "run" else cli(*args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_an_existing_run_is_never_overwritten(saved_run):
    out, _ = saved_run
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    result = cli("run", "--futures", 10, "--years", 2, "--output", out)
    assert result.returncode == 2 and "not empty" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_explain_refuses_a_future_outside_the_run(saved_run):
    out, _ = saved_run
    result = cli("explain", out, 400)
    assert result.returncode == 2 and "FUTURE must be from 0 to 399" in result.stderr


def test_run_with_a_user_case_and_a_user_policy(tmp_path):
    """A copied, edited case and a hand-written package run like the built-in ones."""
    from alliance_futures.case.loader import DATA

    case = tmp_path / "my_case.yaml"
    case.write_text(
        (DATA / "us_rok.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "value: 28500\n    unit: personnel\n    meaning: US Forces Korea",
            "value: 20000\n    unit: personnel\n    meaning: US Forces Korea",
        ),
        encoding="utf-8",
    )
    policy = tmp_path / "my_policy.yaml"
    policy.write_text(
        "name: full_exercises\ntitle: Full exercises\nsource: analyst judgement for a test run\n"
        "description: d\nstart_year: 2027\ninstitutionalisation: law\nconditions: {rok: conservative}\n"
        "adoption: {us: {internationalist: 1.0, transactional: 1.0}, source: a test}\n"
        "levers:\n  us:\n    exercise_tempo: 1.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    result = cli(
        "run",
        "--case",
        case,
        "-p",
        "current_course",
        "-p",
        policy,
        "--futures",
        100,
        "--years",
        5,
        "--format",
        "json",
        "--output",
        out,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary["packages"]) == {"current_course", "full_exercises"}
    final = pd.read_parquet(out / "final")
    assert final["troops"].max() <= 20000

    # the report's repeat command names the run's copies of the edited case (which kept the built-in's name) and
    # of the user's package, and repeats the run exactly
    command = api.repeat_command(af.load_run(out).ensemble(), out)
    assert f"--case {out / 'case.yaml'}" in command and f"-p {out / 'policies' / 'full_exercises.yaml'}" in command
    assert "-p current_course" in command
    args = command.removeprefix("alliance-futures ").removesuffix(" --report").split()
    again = cli(*args, "--format", "json", "--output", tmp_path / "again")
    assert again.returncode == 0, again.stderr
    assert {k: json.loads(again.stdout)[k] for k in ("packages", "us_net_cost_usd_bn")} == {
        k: summary[k] for k in ("packages", "us_net_cost_usd_bn")
    }


def test_the_repeat_command_of_a_built_in_run_names_the_case_and_packages(saved_run):
    out, _ = saved_run
    command = api.repeat_command(af.load_run(out).ensemble(), out)
    assert command.startswith("alliance-futures run --case us_rok -p current_course ") and str(out) not in command


def test_run_json_names_the_run_so_a_script_can_chain_into_explain(saved_run):
    out, summary = saved_run
    assert summary["run"] == str(out) and summary["case"] == "us_rok" and summary["overrides"] == {}
    assert (summary["seed"], summary["futures"], summary["replications"], summary["years"]) == (1953, 400, 10, 15)
    assert summary["first_year"] == 2027 and summary["report"] is None
    assert cli("explain", summary["run"], 0).returncode == 0


def test_set_fixes_or_narrows_a_parameter_and_the_run_records_it(tmp_path):
    out = tmp_path / "run"
    result = cli(
        "run",
        *("--futures", 100, "--years", 3, "-p", "current_course", "--format", "json", "--output", out),
        *("--set", "dprk.icbm_maturation=0.05:0.08", "--set", "politics.us_switch_probability=0.3"),
    )
    assert result.returncode == 0, result.stderr
    recorded = {"dprk.icbm_maturation": [0.05, 0.08], "politics.us_switch_probability": 0.3}
    assert json.loads(result.stdout)["overrides"] == recorded
    assert json.loads((out / "run.json").read_text())["overrides"] == recorded
    sampled = af.load_run(out).experiments
    assert sampled["dprk.icbm_maturation"].between(0.05, 0.08).all()
    assert "politics.us_switch_probability" not in sampled  # fixed: no longer sampled
    case = af.load_run(out).case.flat_parameters()
    assert case["politics.us_switch_probability"].value == 0.3 and case["dprk.icbm_maturation"].range == (0.05, 0.08)


def test_tables_fit_an_80_column_terminal_and_cut_no_number(saved_run, tmp_path):
    """A table wider than the terminal is stacked in parts; every cell is printed whole."""
    out, _ = saved_run
    narrow = {"COLUMNS": "80"}
    result = cli("run", "--futures", 100, "--years", 5, "--format", "json", "--output", tmp_path / "r")
    summary = json.loads(result.stdout)
    shown = cli("run", "--futures", 100, "--years", 5, "--output", tmp_path / "again", env=narrow)
    claims = cli("claims", out, env=narrow)
    backtest = cli("backtest", "--futures", 200, env=narrow)
    for done in (shown, claims, backtest):
        assert done.returncode == 0, done.stderr
        assert "…" not in done.stdout and max(len(line) for line in done.stdout.splitlines()) <= 80
    for cells in summary["packages"].values():
        for c in cells.values():
            assert f"{100 * c['p']:.1f} ({100 * c['lo']:.1f}–{100 * c['hi']:.1f})" in shown.stdout
    for name, c in json.loads(cli("claims", out, "--format", "json").stdout)["claims"].items():
        scale = 100 if c["unit"] == "probability" else 1
        assert name in claims.stdout and f"{scale * c['difference']:+.1f} ±" in claims.stdout
    assert f"Saved to {tmp_path / 'again'}\n" in shown.stderr  # a path is never broken over lines


def test_export_writes_csv_excel_and_an_archive_ema_workbench_reads(saved_run, tmp_path):
    out, summary = saved_run
    done = cli("export", out, "--to", "csv", "--output", tmp_path / "csv")
    assert done.returncode == 0, done.stderr
    tables = {name: pd.read_csv(tmp_path / "csv" / f"{name}.csv") for name in ("summary", "outcomes", "parameters")}
    row = tables["summary"].set_index(["package", "outcome"]).loc[("transactional_pressure", "rupture")]
    assert row["estimate"] == pytest.approx(summary["packages"]["transactional_pressure"]["rupture"]["p"])
    assert len(tables["outcomes"]) == 6 * 400 and len(tables["parameters"]) == 400
    final = af.load_run(out).final()
    assert (tables["outcomes"]["war"].to_numpy() == (final["war"] == 1).to_numpy()).all()
    sampled = af.load_run(out).experiments
    assert tables["parameters"].drop(columns="future").to_numpy() == pytest.approx(sampled.to_numpy(), rel=0, abs=0)

    assert cli("export", out, "--to", "xlsx", "--output", tmp_path / "run.xlsx").returncode == 0
    sheets = pd.read_excel(tmp_path / "run.xlsx", sheet_name=None)
    assert list(sheets) == ["summary", "outcomes", "parameters"] and len(sheets["outcomes"]) == 6 * 400

    assert cli("export", out, "--to", "ema").returncode == 0  # default: inside the run's folder
    from ema_workbench import load_results

    experiments, outcomes = load_results(str(out / "export-ema.tar.gz"))
    assert len(experiments) == 6 * 400 and outcomes["credibility_yearly"].shape == (6 * 400, 15)
    assert outcomes["war"].sum() == final["war"].sum()


def test_negotiate_scores_every_model_on_held_out_deu3():
    result = cli("negotiate", "--score", "deu3", "--format", "json")
    assert result.returncode == 0, result.stderr
    models = json.loads(result.stdout)["models"]
    assert {"compromise", "weighted_median", "nash", "power_compromise", "expected_utility"} <= set(models)
    for m in models.values():
        assert set(m) == {"mae", "mae_lo", "mae_hi", "median_ae", "n", "seconds"}


def test_negotiate_forecasts_a_table_and_refuses_a_bad_one(tmp_path):
    table = tmp_path / "sma.yaml"
    table.write_text(
        "issue: payment\nscale: [0, 100]\nstatus_quo: 10\nstakeholders:\n"
        "  - {name: US, capability: 1, position: 100, salience: 1}\n"
        "  - {name: ROK, capability: 1, position: 20, salience: 1}\n",
        encoding="utf-8",
    )
    result = cli("negotiate", table, "--format", "json")
    assert result.returncode == 0, result.stderr
    forecasts = json.loads(result.stdout)["forecasts"]
    assert forecasts["compromise"] == pytest.approx(60.0) and 10 <= forecasts["nash"] <= 100
    assert 20 <= forecasts["expected_utility"] <= 100
    bad = tmp_path / "bad.csv"
    bad.write_text("name,capability,position,salience\nUS,-2,100,1\nROK,1,20,1\n", encoding="utf-8")
    result = cli("negotiate", bad)
    assert (
        result.returncode == 2 and "capability must be 0 or more" in result.stderr and "Traceback" not in result.stderr
    )


def test_negotiate_prints_the_rounds_and_plots_them(tmp_path):
    result = cli("negotiate", "us-rok-sma", "--rounds", "3", "--format", "json", "--plot", tmp_path / "r.svg")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [r["round"] for r in data["rounds"]] == [0, 1, 2, 3]
    first = data["rounds"][0]
    assert set(first) >= {"round", "weighted_median", "weighted_mean", "positions"}
    assert "US president" in first["positions"] and "ROK president" in first["positions"]
    assert (tmp_path / "r.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    text = cli("negotiate", "us-rok-posture", "--rounds", "2")
    assert text.returncode == 0 and "round  2" in text.stdout
    bad = cli("negotiate", "us-rok-sma", "--plot", tmp_path / "r.pdf")
    assert bad.returncode == 2 and "r.pdf: expected a file name ending in .svg" in bad.stderr
    assert not (tmp_path / "r.pdf").exists()
    bad = cli("negotiate", "us-rok-sma", "--rounds", "0")
    assert bad.returncode == 2 and "--rounds" in bad.stderr


def test_version_is_the_installed_packages():
    done = cli("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"alliance-futures {version('alliance-futures')}"
    assert af.__version__ == version("alliance-futures")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_written_whole_get_the_users_umask(tmp_path, umask, mode):
    """A file written whole (report, --csv, --plot, the service's views) has the permissions any new file would."""
    before = os.umask(umask)
    try:
        target = write_whole(tmp_path / "bands.csv", b"year\n")
    finally:
        os.umask(before)
    assert stat.S_IMODE(target.stat().st_mode) == mode and target.read_bytes() == b"year\n"
    assert [p.name for p in tmp_path.iterdir()] == ["bands.csv"]  # no temporary file left behind


def test_verbose_names_each_stage_and_quiet_prints_results_only(tmp_path):
    from alliance_futures.analysis.findings import STAGES

    small = ("--futures", 100, "--years", 5, "-p", "current_course", "-p", "transactional_pressure")
    told = cli("-v", "run", *small, "--report", "--output", tmp_path / "told")
    assert told.returncode == 0, told.stderr
    for label in STAGES:
        assert f"INFO analysis: {label}\n" in told.stderr
    assert "INFO simulating 100 futures × 2 packages × 5 years" in told.stderr
    quiet = cli("-q", "run", *small, "--format", "json", "--output", tmp_path / "quiet")
    assert quiet.returncode == 0 and quiet.stderr == "" and json.loads(quiet.stdout)["futures"] == 100
    refused = cli("-q", "run", *small, "--output", tmp_path / "quiet")  # errors are still said
    assert refused.returncode == 2 and "not empty" in refused.stderr


def test_shell_completion_completes_the_commands():
    done = cli(
        env={"_ALLIANCE_FUTURES_COMPLETE": "complete_bash", "COMP_WORDS": "alliance-futures ex", "COMP_CWORD": 1}
    )
    assert done.stdout.split() == ["export", "explain"]


def test_serve_refuses_a_port_in_use_before_printing_an_address(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = cli("serve", "--port", port, "--data-dir", tmp_path)
    assert done.returncode == 2 and f"port {port} on 127.0.0.1 is in use" in done.stderr
    assert "Dashboard" not in done.stderr


def test_a_second_run_on_the_same_folder_is_refused_before_it_simulates(tmp_path):
    """Two runs asking for one folder: the second is told at once, the first finishes (issue 17, item 7)."""
    out = tmp_path / "run"
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alliance_futures",
            "run",
            *("--futures", "20000", "-p", "current_course", "--output", out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin"},
    )
    deadline = time.monotonic() + 60
    while not (out / CLAIM_FILE).exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    second = cli("run", "--futures", 100, "--years", 3, "--output", out)
    assert first.wait(timeout=300) == 0
    # refused whether the first is still simulating or has saved by the time the second starts
    assert second.returncode == 2, second.stderr
    assert "another run is writing to this folder" in second.stderr or "exists and is not empty" in second.stderr
    assert (out / "run.json").is_file() and not (out / CLAIM_FILE).exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / CLAIM_FILE).write_text(str(os.getppid()), encoding="utf-8")  # a live process's claim
    with pytest.raises(af.InputError, match="another run is writing to this folder"):
        claim_folder(busy)


def test_default_names_taken_in_the_same_second_get_a_suffix_and_dead_claims_are_taken_over(tmp_path):
    name = tmp_path / "run-20261202-120000-seed1953"
    name.mkdir()
    (name / CLAIM_FILE).write_text(str(os.getppid()), encoding="utf-8")  # a live run started the same second
    assert claim_folder(name, unique=True) == name.with_name(name.name + "-2")
    assert claim_folder(name, unique=True) == name.with_name(name.name + "-2")  # this process's own claim, again
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / CLAIM_FILE).write_text(dead.stdout.strip(), encoding="utf-8")  # left by a killed run
    assert claim_folder(stale) == stale
    release_folder(stale)
    assert not stale.exists()


def test_a_finished_run_is_kept_whole_when_its_folder_is_written_into_during_the_save(tmp_path, monkeypatch):
    ensemble = af.run(futures=20, years=2, policies=["current_course"])
    target = claim_folder(tmp_path / "run")
    rename = Path.rename

    def intruder(self, to):
        (target / "stray.txt").write_text("written meanwhile", encoding="utf-8")
        return rename(self, to)

    monkeypatch.setattr(Path, "rename", intruder)
    with pytest.raises(af.InputError, match="the finished run is kept whole in") as refused:
        af.save(ensemble, target)
    kept = Path(str(refused.value).split("kept whole in ")[1].split(":")[0])
    assert (kept / "run.json").is_file() and (target / "stray.txt").is_file()


def test_an_error_keeps_its_bracketed_words(tmp_path):
    """Messages such as "'range' must be [low, high]" reach the terminal whole: brackets are not read as markup."""

    def reverse(data):
        data["parameters"]["politics"]["us_switch_probability"]["range"] = [0.7, 0.45]

    case = write_edited(Path(str(DATA / "us_rok.yaml")), tmp_path / "case.yaml", reverse)
    result = cli("validate", case)
    assert result.returncode == 2 and "'range' must be [low, high] with low < high" in result.stderr
