"""Runs streamed to disk chunk by chunk: the same numbers as in memory, summaries reduced over chunks, nothing that
passes for a whole run unless it is one."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import cli

import alliance_futures as af
from alliance_futures import api, store
from alliance_futures.analysis import (
    long_outcomes,
    outcome_tables,
    paired_differences,
    regret,
    satisficing,
    summary_json,
    summary_of_chunks,
)
from alliance_futures.analysis.outcomes import Moments
from alliance_futures.engine import Chunk, ProcessExecutor, Sampling, SerialExecutor, simulate_chunks
from alliance_futures.store.runs import CLAIM_FILE, PARTIAL
from alliance_futures.store.tables import MANIFEST, ChunkFiles

FUTURES, YEARS, K = 120, 6, 3
PACKAGES = ["current_course", "transactional_pressure"]


def _inputs(memory) -> store.Inputs:
    return store.Inputs(memory.case, list(memory.policies.values()), FUTURES, YEARS, 7, "lhs", K)


@pytest.fixture(scope="module")
def memory():
    return af.run(policies=PACKAGES, futures=FUTURES, years=YEARS, seed=7, replications=K)


def _stream(target, memory, executor=None, chunk_size=12):
    """The run of `memory`, streamed into `target` in chunks of 12 futures (4 vectors): ten chunks."""
    policies = list(memory.policies.values())
    with store.saving(target, _inputs(memory), paths=True, chunk_size=chunk_size) as saved:
        sampling = Sampling(memory.case, FUTURES // K, 7, "lhs", K)
        simulate_chunks(memory.case, policies, sampling, YEARS, 7, saved.sink, executor=executor, chunk_size=chunk_size)
        summary = summary_of_chunks(saved.final_chunks(), memory.case, YEARS, K)
        saved.finish({"summary": summary})
    return summary


def test_a_streamed_run_reads_back_bit_identical_to_the_run_in_memory(memory, tmp_path):
    summary = _stream(tmp_path / "run", memory, ProcessExecutor(2))
    saved = af.load_run(tmp_path / "run")
    assert len(saved.files("final")) == len(saved.files("yearly")) == 2 * 10  # per package, 120 / 12 chunks
    assert len(saved.files("experiments")) == 10
    back = saved.ensemble()
    for package in PACKAGES:
        for v, arr in memory.final[package].items():
            assert np.array_equal(back.final[package][v], arr), v
        for v, arr in memory.yearly[package].items():
            assert np.array_equal(back.yearly[package][v], arr), v
    pd.testing.assert_frame_equal(back.experiments, memory.experiments)
    whole = summary_json(outcome_tables(memory), K)  # in one chunk: the reduction over ten is the same to 1e-12
    for package in PACKAGES:
        for key, cell in whole["packages"][package].items():
            assert summary["packages"][package][key] == pytest.approx(cell, rel=1e-12, abs=1e-15), key
        assert summary["us_net_cost_usd_bn"][package] == pytest.approx(whole["us_net_cost_usd_bn"][package], rel=1e-12)
    assert summary == _stream(tmp_path / "again", memory)  # and the same to the last bit whatever the workers
    lines = [json.loads(line) for line in (tmp_path / "run" / MANIFEST).read_text().splitlines()]
    assert sorted((e["chunk"], e["package"]) for e in lines) == [(i, p) for i in range(10) for p in PACKAGES]
    assert all(e["start"] % K == 0 and e["seed"] == 7 for e in lines)  # chunks are whole parameter vectors
    assert sum(len(e["files"]) for e in lines) == 10 * (1 + 2 * len(PACKAGES))  # experiments once per chunk


def test_the_files_do_not_depend_on_the_workers(memory, tmp_path):
    _stream(tmp_path / "one", memory)
    _stream(tmp_path / "two", memory, ProcessExecutor(2))
    one, two = af.load_run(tmp_path / "one"), af.load_run(tmp_path / "two")
    for table in ("experiments", "final", "yearly"):
        assert [p.read_bytes() for p in one.files(table)] == [p.read_bytes() for p in two.files(table)]


def test_an_executor_is_handed_each_chunk_alone_and_the_run_once(memory, tmp_path):
    """A task that carried the sink would carry, pickled to a worker, every result gathered so far."""

    class Recording(SerialExecutor):
        def run(self, fn, tasks, shared):
            self.tasks, self.shared = list(tasks), shared
            return super().run(fn, tasks, shared)

    executor = Recording()
    _stream(tmp_path / "run", memory, executor)
    assert len(executor.tasks) == 2 * 10 and all(isinstance(task, Chunk) for task in executor.tasks)
    assert isinstance(executor.shared["run"].sink, ChunkFiles)


def test_moments_count_a_cluster_of_copies_as_one_future_whatever_its_size_or_order():
    """Futures that are copies of one another (as a posterior resampled from one source repeats it) tell no more
    than one each: seven copies of each value have the intervals of the values; uneven copies are counted by id,
    whatever their order; clusters of equal size given by id are those given by replications."""
    rng = np.random.default_rng(5)
    distinct, flags = rng.normal(100, 30, 80), (rng.random(80) < 0.3).astype(float)
    for values in (distinct, flags):
        seven = Moments.of(np.repeat(values, 7), np.repeat(np.arange(80), 7))
        assert seven.interval() == pytest.approx(Moments.of(values).interval(), rel=1e-9)
        assert seven.design_effect == pytest.approx(7, rel=0.02)  # seven futures, one future's evidence
        copies = rng.integers(1, 9, 80)
        ids, futures = np.repeat(np.arange(80), copies), np.repeat(values, copies)
        order = rng.permutation(len(ids))
        uneven, shuffled = Moments.of(futures, ids), Moments.of(futures[order], ids[order])
        assert shuffled.interval() == pytest.approx(uneven.interval(), rel=1e-12)
        assert uneven.interval()["mean"] == pytest.approx(np.average(values, weights=copies), rel=1e-12)
        naive = Moments.of(futures).interval()
        assert uneven.interval()["hi"] - uneven.interval()["lo"] > 1.5 * (naive["hi"] - naive["lo"])
    even = (rng.random(300) < 0.4).astype(float)
    assert Moments.of(even, 3) == Moments.of(even, np.arange(300) // 3)
    assert Moments.of(even, np.arange(300)).design_effect == Moments.of(even).design_effect == 1.0


def test_moments_merged_over_chunks_equal_the_whole():
    rng = np.random.default_rng(3)
    values = (rng.random(300) < rng.random(100).repeat(3)).astype(float)  # clustered in vectors of 3
    whole = Moments.of(values, 3)
    merged = Moments.of(values[:30], 3) + Moments.of(values[30:201], 3) + Moments.of(values[201:], 3)
    assert merged.share() == pytest.approx(whole.share(), rel=1e-12)
    assert merged.interval() == pytest.approx(whole.interval(), rel=1e-12)
    assert whole.design_effect > 1  # the clustering is seen, as in `design_effect`'s definition


def test_a_save_that_fails_part_way_leaves_nothing_and_frees_the_folder(memory, tmp_path):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), store.saving(tmp_path / "run", _inputs(memory), paths=True) as saved:
        for chunk, experiments, paths in list(memory.chunks(size=21))[:3]:
            saved.sink.gather(chunk, saved.sink.write(chunk, experiments, paths))
        raise Boom
    assert list(tmp_path.iterdir()) == []


def test_a_run_missing_a_chunk_is_never_finished(memory, tmp_path):
    missing = pytest.raises(af.InputError, match="has 105 rows of final for transactional_pressure where 120 were")
    with missing, store.saving(tmp_path / "run", _inputs(memory), paths=True) as saved:
        for chunk, experiments, paths in list(memory.chunks(size=21))[:-1]:  # the last package's last chunk never came
            saved.sink.gather(chunk, saved.sink.write(chunk, experiments, paths))
        saved.finish({})
    assert list(tmp_path.iterdir()) == []


def test_a_block_that_ends_without_finishing_saves_nothing(memory, tmp_path):
    with store.saving(tmp_path / "run", _inputs(memory), paths=True):
        pass
    assert list(tmp_path.iterdir()) == []
    api.claim_output(tmp_path / "claimed")  # a folder its caller claimed stays claimed for the caller to give back
    with store.saving(tmp_path / "claimed", _inputs(memory), paths=True):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["claimed"]
    assert [p.name for p in (tmp_path / "claimed").iterdir()] == [CLAIM_FILE]


def test_a_run_saved_before_chunking_still_reads(memory, tmp_path):
    """Runs saved by earlier versions have one final.parquet (states and outcomes) and one yearly.parquet."""
    af.save(memory, tmp_path / "new")
    new, old = af.load_run(tmp_path / "new"), tmp_path / "old"
    shutil.copytree(tmp_path / "new", old, ignore=shutil.ignore_patterns("experiments", "final", "yearly", MANIFEST))
    new.experiments.to_parquet(old / "experiments.parquet")
    states = new.final()
    outcomes = long_outcomes(states, new.case, YEARS).drop(columns=["package", "future"])
    final = pd.concat([states.drop(columns=outcomes.columns, errors="ignore"), outcomes], axis=1)
    pq.write_table(pa.Table.from_pandas(final, preserve_index=False), old / "final.parquet")
    yearly = pd.concat([pd.read_parquet(p) for p in new.files("yearly")], ignore_index=True)
    pq.write_table(pa.Table.from_pandas(yearly, preserve_index=False), old / "yearly.parquet")
    info = json.loads((old / "run.json").read_text())
    info.pop("paths")
    info["files"] = None  # as runs saved before sizes and checksums were recorded
    (old / "run.json").write_text(json.dumps(info), encoding="utf-8")
    back = af.load_run(old).ensemble()
    for package in PACKAGES:
        assert np.array_equal(back.final[package]["troops"], memory.final[package]["troops"])
        assert np.array_equal(back.final[package]["war"], memory.final[package]["war"])
        assert np.array_equal(back.yearly[package]["credibility"], memory.yearly[package]["credibility"])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_killed_part_way_resumes_to_the_files_of_an_uninterrupted_one(tmp_path):
    request = ["run", "--futures", 2400, "--years", 6, "--chunk-size", 100, "--format", "json"]
    whole = cli(*request, "--output", tmp_path / "whole", "--workers", 2)
    assert whole.returncode == 0, whole.stderr
    killed = tmp_path / "killed"
    command = [sys.executable, "-m", "alliance_futures", *map(str, request), "--output", str(killed)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hidden = tmp_path / f".killed{PARTIAL}{process.pid}" / MANIFEST
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:  # 24 chunks x 6 packages: kill it after 30
        if hidden.is_file() and len(hidden.read_text().splitlines()) >= 30:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    assert process.wait() == -signal.SIGKILL, "the run ended before it could be killed"
    assert not (killed / "run.json").exists()  # nothing that passes for a whole run
    with pytest.raises(af.InputError, match="not a saved run"):
        af.load_run(killed)

    resumed = cli("run", "--resume", killed, "--format", "json")
    assert resumed.returncode == 0, resumed.stderr
    assert _files(killed) == _files(tmp_path / "whole")  # file for file, byte for byte
    said = json.loads(resumed.stdout)
    assert said | {"run": None} == json.loads(whole.stdout) | {"run": None}
    assert not list(tmp_path.glob(f".*{PARTIAL}*"))
    again = cli("run", "--resume", killed)
    assert again.returncode == 2 and "is a whole run already" in again.stderr


def test_resume_refuses_what_it_cannot_finish(tmp_path):
    nothing = cli("run", "--resume", tmp_path / "never")
    assert nothing.returncode == 2 and "holds no run to resume" in nothing.stderr
    for given, named in [(["--futures", 50], "--futures"), (["--years", 20], "--years"), (["--no-paths"], "--paths")]:
        mixed = cli("run", "--resume", tmp_path / "never", *given)  # even at its default value: the run decides
        assert mixed.returncode == 2 and f"the run's request from its folder; drop {named}" in mixed.stderr
        assert "Traceback" not in nothing.stderr + mixed.stderr


def test_a_run_on_a_dask_cluster_saves_the_files_of_a_local_one(tmp_path):
    request = ["run", "--futures", 600, "--years", 5, "--chunk-size", 100, "-p", "current_course", "--format", "json"]
    local = cli(*request, "--output", tmp_path / "local")
    dask = cli(*request, "--output", tmp_path / "dask", "--executor", "dask", "--workers", 2)  # a real LocalCluster
    assert local.returncode == dask.returncode == 0, local.stderr + dask.stderr
    assert _files(tmp_path / "dask") == _files(tmp_path / "local")
    assert dask.stderr.strip() == ""  # Dask's own logging stays quiet


def test_a_dask_task_run_twice_leaves_the_files_of_one(tmp_path):
    """A Dask worker that dies mid-task has its task run again elsewhere: a chunk written twice is written whole."""
    memory = af.run(policies=["current_course"], futures=40, years=3, replications=2)
    with store.saving(tmp_path / "run", store.Inputs.of(memory), paths=True) as saved:
        for chunk, experiments, paths in memory.chunks(size=20):
            saved.sink.write(chunk, experiments, paths)  # a first attempt, its manifest line lost with its worker
            saved.sink.gather(chunk, saved.sink.write(chunk, experiments, paths))
        saved.finish({})
    back = af.load_run(tmp_path / "run").ensemble()
    assert np.array_equal(back.yearly["current_course"]["troops"], memory.yearly["current_course"]["troops"])
    assert not [p for p in (tmp_path / "run").rglob(".*") if p.is_file()]  # no temporary file left


def test_the_executor_options_are_checked_before_any_work(tmp_path):
    stray = cli("run", "--futures", 20, "--scheduler", "tcp://127.0.0.1:1", "--output", tmp_path / "r")
    assert stray.returncode == 2 and "goes with the dask executor" in stray.stderr
    assert not (tmp_path / "r").exists()


def test_the_first_futures_of_a_run_are_read_from_the_chunks_that_hold_them(memory, tmp_path):
    _stream(tmp_path / "run", memory)  # ten chunks of 12 futures
    saved = af.load_run(tmp_path / "run")
    assert len(saved.files("yearly", futures=30)) == 3 * len(PACKAGES)  # chunks 0-2 hold futures 0-35
    head = saved.ensemble(30)
    assert head.futures == 30 and head.vectors == 10
    for package in PACKAGES:
        assert np.array_equal(head.final[package]["troops"], memory.final[package]["troops"][:30])
        assert np.array_equal(head.yearly[package]["credibility"], memory.yearly[package]["credibility"][:30])
    pd.testing.assert_frame_equal(head.experiments, memory.experiments.iloc[:30])


def test_a_saved_run_is_read_chunk_by_chunk_in_the_order_of_its_futures(memory, tmp_path):
    _stream(tmp_path / "run", memory, ProcessExecutor(2))  # chunks finish in any order
    saved = af.load_run(tmp_path / "run")
    parts = list(saved.chunks(experiments=True))
    assert [(c.futures.start, c.futures.stop) for c in parts] == [(i, i + 12) for i in range(0, FUTURES, 12)]
    for package in PACKAGES:
        troops = np.concatenate([c.final[package]["troops"].to_numpy() for c in parts])
        assert np.array_equal(troops, memory.final[package]["troops"])
    experiments = pd.concat([c.experiments for c in parts], ignore_index=True).rename_axis("future")
    pd.testing.assert_frame_equal(experiments, memory.experiments)
    assert all(c.experiments is None for c in saved.chunks())


def test_a_report_of_a_large_run_compares_every_future_and_analyses_a_sample(memory, tmp_path, monkeypatch):
    summary = _stream(tmp_path / "run", memory)
    saved = af.load_run(tmp_path / "run")
    sample = saved.ensemble(60)
    found = api.findings(sample, sobol_base=4, every_future=api.final_chunks(saved))
    assert found.summary == summary  # every future's, to the last bit, and not the sample's
    assert found.summary != api.findings(sample, sobol_base=4).summary
    tables = outcome_tables(memory)
    pd.testing.assert_frame_equal(found.paired, paired_differences(tables, "current_course", clusters=K), rtol=1e-12)
    pd.testing.assert_frame_equal(found.regret, regret(tables))
    assert found.satisficing.to_numpy() == pytest.approx(
        satisficing(tables, found.thresholds, clusters=K).to_numpy(), rel=1e-12
    )
    assert found.timeline["package"].size and sample.futures == 60  # the other views read the sample
    monkeypatch.setattr(api, "REPORT_MAX_FUTURES", 61)  # whole vectors of 3: the first 60 of 120
    written = api.report_run(tmp_path / "run", sobol_base=4)
    text = written.read_text(encoding="utf-8")
    assert "is over all the run's 120 futures per package" in text
    assert "The other sections analyse the first 60 of them" in text
    assert '--futures</span> <span class="word">120</span>' in text  # the repeat command makes the whole run
