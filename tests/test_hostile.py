"""Hostile and unlucky input (issue 17): damaged runs, files of a run written over, a full disk, killed and
terminated runs, orphaned workers, and bad tables and histories. Each feeds the bad input and asserts the clean
answer: exit code 2 and a message naming the file and key, nothing lost, nothing left behind."""

from __future__ import annotations

import errno
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from helpers import cli

import alliance_futures as af
from alliance_futures.case.loader import DATA
from alliance_futures.store.runs import CLAIM_FILE, PARTIAL

CASE = Path(str(DATA / "us_rok.yaml"))
HISTORY = Path(str(DATA / "us_rok_history.yaml"))


@pytest.fixture(scope="module")
def saved_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "run"
    af.save(af.run(futures=60, years=4, replications=2), out)
    return out


def damaged(saved_run: Path, tmp_path: Path, name: str, damage) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(saved_run, copy)
    damage(copy / name)
    return copy


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def _edit_json(**changes):
    def edit(path: Path) -> None:
        path.write_text(json.dumps(json.loads(path.read_text()) | changes), encoding="utf-8")

    return edit


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        ("final/current_course/000000.parquet", _truncate, "has 1,000 bytes where run.json records"),
        ("yearly/division_of_labour/000000.parquet", _flip_a_byte, "checksum differs from the one run.json records"),
        ("policies/current_course.yaml", lambda p: p.unlink(), "is missing"),
        ("run.json", lambda p: p.write_text("{}", encoding="utf-8"), "at 'packages': Field required"),
        ("run.json", lambda p: p.write_text("not json", encoding="utf-8"), "not valid JSON"),
        ("run.json", _edit_json(futures=90), "has 360 rows where run.json implies 540"),
        ("run.json", _edit_json(files=None), None),  # a run saved before files were recorded is still read
    ],
)
def test_a_damaged_run_is_named_and_never_read(saved_run, tmp_path, name, damage, message):
    copy = damaged(saved_run, tmp_path, name, damage)
    if message is None:
        assert af.load_run(copy).ensemble().futures == 60
        return
    with pytest.raises(af.InputError, match="the run is damaged") as refused:
        af.load_run(copy).ensemble()
    assert message in str(refused.value)


def test_commands_on_a_damaged_run_exit_2_naming_the_file(saved_run, tmp_path):
    chunk = "yearly/current_course/000000.parquet"
    copy = damaged(saved_run, tmp_path, chunk, _truncate)
    for args in (["explain", copy, 3], ["report", copy], ["claims", copy], ["export", copy]):
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert f"{copy / chunk}: has 1,000 bytes" in result.stderr
        assert "Traceback" not in result.stderr


def test_no_file_of_a_saved_run_is_ever_written_over(saved_run, tmp_path):
    before = {p: p.read_bytes() for p in saved_run.rglob("*") if p.is_file()}
    attempts = [
        ["backtest", "--futures", 50, "--csv", saved_run / "final" / "current_course" / "000000.parquet"],
        ["report", saved_run, "--output", saved_run / "yearly" / "current_course" / "000000.parquet"],
        ["negotiate", "us-rok-sma", "--plot", saved_run / "policies" / "current_course.yaml"],
        ["export", saved_run, "--to", "xlsx", "--output", saved_run / "run.json"],
    ]
    for args in attempts:
        result = cli(*args)
        assert result.returncode == 2, result.stderr
        assert "is a file of the saved run" in result.stderr and "never written over" in result.stderr
    assert {p: p.read_bytes() for p in saved_run.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["backtest", "--futures", 50, "--csv", "."], ".: is a folder; give a file name"),
        (["backtest", "--futures", 50, "--csv", "nowhere/bands.csv"], "nowhere/bands.csv: the folder does not exist"),
        (["negotiate", "us-rok-sma", "--plot", "nowhere/rounds.svg"], "nowhere/rounds.svg: the folder does not exist"),
        (["run", "--output", "a-file/run"], "cannot make the output folder: a-file is a file, not a folder"),
        (["run", "--output", "a-file"], "a-file: is a file; give a new folder for the run"),
        (["backtest", "--futures", 50, "--csv", "b" * 300], "the file name is longer than 200 bytes"),
        (["negotiate", "us-rok-sma", "--plot", f"{'c' * 300}/x.svg"], "cannot be used: File name too long"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_work(tmp_path, args, message):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    started = time.monotonic()
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - started < 60  # refused before the simulation, not after it


def test_a_full_disk_leaves_nothing_behind_and_says_so(tmp_path, monkeypatch):
    ensemble = af.run(futures=20, years=2, policies=["current_course"])

    def full(table, path, *args, **kwargs):
        Path(path).write_bytes(b"part of a table")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", full)
    with pytest.raises(af.InputError, match="the disk is full") as refused:
        af.save(ensemble, tmp_path / "run")
    assert "the run was not saved and what it wrote is removed" in str(refused.value)
    assert list(tmp_path.iterdir()) == []  # neither the half-written save nor the claimed folder


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_clean_removes_what_killed_runs_left_and_keeps_a_whole_run(saved_run, tmp_path):
    pid = _dead_pid()
    unfinished = tmp_path / f".a{PARTIAL}{pid}"
    (unfinished / "policies").mkdir(parents=True)
    (unfinished / "final.parquet").write_bytes(b"half a table")
    whole = tmp_path / f".b{PARTIAL}{pid}"
    shutil.copytree(saved_run, whole)
    abandoned = tmp_path / "c"
    abandoned.mkdir()
    (abandoned / CLAIM_FILE).write_text(str(pid), encoding="utf-8")
    kept = tmp_path / "d"
    shutil.copytree(saved_run, kept)

    run = cli("run", "--futures", 20, "--years", 2, "-p", "current_course", "--output", tmp_path / "e")
    assert run.returncode == 0 and "2 unfinished save(s) of killed runs" in run.stderr
    listed = cli("clean", tmp_path, "--dry-run")
    assert listed.returncode == 0
    assert f"{unfinished}" in listed.stdout and "would be removed" in listed.stdout
    assert f"{whole}" in listed.stdout and "a whole run, kept" in listed.stdout
    assert unfinished.exists() and abandoned.exists()
    cleaned = cli("clean", tmp_path)
    assert cleaned.returncode == 0 and "unfinished, removed" in cleaned.stdout
    assert not unfinished.exists() and not abandoned.exists()
    assert whole.exists() and (kept / "run.json").is_file() and (tmp_path / "e" / "run.json").is_file()
    assert "nothing to clean" in cli("clean", tmp_path / "e").stdout


def test_a_terminated_run_gives_its_folder_back(tmp_path):
    out = tmp_path / "run"
    running = subprocess.Popen(
        [sys.executable, "-m", "alliance_futures", "run", "--futures", "200000", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin"},
    )
    deadline = time.monotonic() + 60
    while not (out / CLAIM_FILE).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    running.send_signal(signal.SIGTERM)
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 128 + signal.SIGTERM
    assert b"Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def _state(pid: int) -> str | None:
    """A process's state letter, or None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


KILLED_PARENT = """
import multiprocessing, sys, threading, time
from alliance_futures.engine.executors import ProcessExecutor

def report():
    time.sleep(1)
    print(*[p.pid for p in multiprocessing.active_children()], flush=True)

def nap(seconds, shared):
    time.sleep(seconds)

if __name__ == "__main__":
    threading.Thread(target=report).start()
    next(ProcessExecutor(2, start=sys.argv[1]).run(nap, [600, 600], {}))
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@pytest.mark.parametrize("start", ["fork", "forkserver"])  # as a run starts its workers; as the service does
def test_workers_die_with_a_killed_parent(tmp_path, start):
    script = tmp_path / "parent.py"
    script.write_text(KILLED_PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), start], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split() if int(pid) > 0]
    assert len(workers) >= 2 and all(_state(pid) not in (None, "Z") for pid in workers)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while any(_state(pid) not in (None, "Z") for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_state(pid) in (None, "Z") for pid in workers)  # gone (or gone and awaiting their reaper)


def _table(tmp_path: Path, text: str | bytes, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


HEADER = "name,capability,position,salience\n"


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"name,position\n\xe9,1\n", [], "not UTF-8 text (byte 14)"),
        (HEADER + "a,0,10,0.5\nb,0,60,0.9\n", [], "no stakeholder has both capability and salience above 0"),
        (HEADER + "".join(f"a{i},1,{i % 100},0.5\n" for i in range(5000)), [], "2 to 200 stakeholders, got more"),
        (HEADER + "".join(f"a{i},1,{i % 100},0.5\n" for i in range(150)), ["--rounds", 50], "at most 23 rounds"),
    ],
)
def test_a_bad_stakeholder_table_is_refused_cheaply(tmp_path, content, args, message):
    result = cli("negotiate", _table(tmp_path, content), *args)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_table_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path):
    table = _table(tmp_path, "\ufeff" + HEADER + "a,1,10,0.5\nb,2,60,0.9\n")
    result = cli("negotiate", table, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)["rounds"][0]["positions"]) == {"a", "b"}


def _edited(source: Path, target: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    edit(data)
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda h: h["administrations"].update(us=[]), "administrations: give at least one term for us"),
        (lambda h: h["administrations"].pop("rok"), "administrations: give at least one term for rok"),
    ],
)
def test_a_history_without_administrations_is_refused(tmp_path, edit, message):
    history = _edited(HISTORY, tmp_path / "history.yaml", edit)
    result = cli("backtest", "--futures", 50, "--history", history)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["thresholds"]["signpost_years"].update(value=2.5), "a whole number of years from 1 to 200"),
        (lambda c: c["thresholds"]["signpost_years"].update(value=0), "a whole number of years from 1 to 200"),
        (
            lambda c: c["signposts"]["ncg_lapses"].update(variable="no_such"),
            "at 'signposts.ncg_lapses.variable': 'no_such' is not a variable the engine records",
        ),
    ],
)
def test_validate_catches_what_the_analysis_would_trip_on(tmp_path, edit, message):
    result = cli("validate", _edited(CASE, tmp_path / "case.yaml", edit))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_a_case_without_signposts_and_a_run_shorter_than_the_watch_reach_the_report(tmp_path):
    case = af.load_case(_edited(CASE, tmp_path / "case.yaml", lambda c: c.update(signposts={})))
    ensemble = af.run(case, futures=100, years=3, policies=["current_course"])
    found = af.findings(ensemble, sobol_base=8)
    assert found.watch_list.empty
    short = af.run(futures=100, years=3, policies=["current_course"])
    assert af.analysis.watch_years(short) == 3 < af.load_case().thresholds["signpost_years"].value
    assert not af.analysis.rank_signposts(short, "current_course")[0].empty


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  us_term_years: 4\n",
            "  us_term_years: true\n",
            "at 'calendar.us_term_years': Input should be a valid integer",
        ),
        (
            "  us_term_years: 4\n",
            "  us_term_years: '4'\n",
            "at 'calendar.us_term_years': Input should be a valid integer",
        ),
        ("  us_term_years: 4\n", "  us_term_years: 4\n  us_term_years: 5\n", "the key is given twice (first on line"),
        (
            "  us_inauguration_first: 2029\n",
            "  us_inauguration_first: 1000000000000000000000000000000\n",
            "within one term",
        ),
    ],
)
def test_loose_yaml_is_refused(tmp_path, old, new, message):
    """YAML would read `true` as 1 and keep the last of two keys silently; a year far off is a typing slip."""
    text = CASE.read_text(encoding="utf-8")
    assert old in text
    edited = tmp_path / "case.yaml"
    edited.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = cli("validate", edited)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_a_container_memory_limit_is_the_memory_a_run_may_use(tmp_path, monkeypatch):
    from alliance_futures import api

    limit = tmp_path / "memory.max"
    limit.write_text(f"{2**30}\n", encoding="utf-8")  # a 1 GiB container on a larger machine
    monkeypatch.setattr(api, "CGROUP_LIMITS", (str(limit), str(tmp_path / "no-such-controller")))
    assert api.usable_memory() == 2**30
    with pytest.raises(af.InputError, match=r"GiB at its peak, more than 80% of the 1\.0 GiB this process may use"):
        api.prepare(futures=100_000)
    limit.write_text("max\n", encoding="utf-8")  # no limit: the machine's memory
    assert api.usable_memory() > 2**30


def test_a_run_that_would_not_fit_on_the_disk_is_refused_before_it_simulates(tmp_path, monkeypatch):
    from alliance_futures import api

    spec = api.prepare(futures=2_000, years=20)
    need = api.estimated_disk_bytes(spec.case, len(spec.policies), 2_000, 20, True)
    monkeypatch.setattr(api.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10 * need, 9 * need, need // 2))
    with pytest.raises(af.InputError, match="request too large for the disk"):
        api.check_disk(spec, tmp_path)


def test_the_disk_estimate_covers_the_experiments_a_run_writes_and_counts_a_vectors_replications_once(tmp_path):
    from alliance_futures import api

    written = {}
    for k in (1, 2, 10):
        spec = api.prepare(policies=["current_course"], futures=4_000, replications=k, paths=False, streamed=True)
        api.simulate_to(spec, tmp_path / str(k))
        written[k] = sum(f.stat().st_size for f in (tmp_path / str(k) / "experiments").rglob("*.parquet"))
        results = sum(f.stat().st_size for f in (tmp_path / str(k) / "final").rglob("*.parquet"))
        assert written[k] + results <= api.disk_need(spec)
    need = {k: api.estimated_disk_bytes(api.load_case(), 0, 4_000, 20, False, k) for k in (1, 2, 10)}  # experiments
    assert need[1] > need[2] > need[10]
    assert need[10] < 3 * written[10]  # a vector's values counted once, not ten times


def test_every_initial_variable_has_the_values_it_can_take_and_a_case_outside_them_is_refused(tmp_path):
    from alliance_futures.model.state import DOMAINS, INITIAL_VARIABLES

    assert set(DOMAINS) == set(INITIAL_VARIABLES)
    text = CASE.read_text(encoding="utf-8")
    at = text.index("value:", text.index("\n  credibility:\n", text.index("\ninitial:")))
    edited = tmp_path / "case.yaml"
    edited.write_text(text[:at] + "value: 1e308" + text[text.index("\n", at) :], encoding="utf-8")
    result = cli("validate", edited)
    assert result.returncode == 2
    assert "at 'initial.credibility.value': expected a value from 0 to 1 (share), got 1e+308" in result.stderr
    edited.write_text(text[:at] + "value: 55e-2" + text[text.index("\n", at) :], encoding="utf-8")
    assert af.load_case(edited).initial["credibility"].value == 0.55  # YAML 1.2's exponent form is a number
