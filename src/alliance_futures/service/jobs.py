"""Submitted runs, simulated one at a time in a background thread (the machine's cores go to the engine, not to
several runs fighting for them): simulate straight to the run's folder (chunk by chunk, as `alliance-futures run`
does, on the processes its request was prepared for, started from a fork server since the service runs threads),
analyse it (past `SERVICE_MAX_ANALYSED` futures per package, its first ones: see `results.analysed`), then
write the views, the bands and the report into the folder. Progress is kept in memory for the progress stream and
written to the catalogue at each phase."""

from __future__ import annotations

import logging
import queue
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import api
from ..analysis.findings import STAGES as ANALYSIS_STAGES
from ..case.observations import Observation
from ..engine.executors import THREAD_SAFE_START, ProcessExecutor
from ..errors import InputError
from ..store import Catalogue, saved_bytes
from ..store.catalogue import INTERRUPTED
from .results import analysed, write_results

log = logging.getLogger("alliance_futures.service")
WRITING = "writing the views and the report"
STAGES = ("simulating", "saving", *ANALYSIS_STAGES, WRITING)  # a running run's phase is one of these, in order


@dataclass(frozen=True)
class Posterior:
    """A run made by an update, not simulated from scratch: the finished run `prior` weighed by the observations
    (the world having followed `followed`), its posterior resampled and simulated afresh from `seed`."""

    prior: Path
    observations: list[Observation]
    followed: str | None
    seed: int


@dataclass
class Job:
    run_id: str
    spec: api.RunSpec  # with a posterior, the prior's: its sizes bound the disk and the progress
    baseline: str
    sobol_base: int
    command: str
    posterior: Posterior | None = None


class Runner:
    """A queue of jobs and the thread that works through it."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._done: dict[str, int] = {}  # futures × packages simulated so far, by run
        self._promised: dict[str, int] = {}  # disk bytes each queued or running run's tables will take, by run
        self._thread = threading.Thread(target=self._work, name="alliance-futures-runner", daemon=True)
        self._thread.start()

    def submit(self, job: Job, request: dict[str, Any]) -> None:
        self.catalogue.add(job.run_id, request, total=job.spec.futures * len(job.spec.policies))
        self._promised[job.run_id] = api.disk_need(job.spec)
        self._jobs.put(job)

    def promised(self) -> int:
        """Disk bytes the queued and running runs have yet to write (a running run's estimate less what its folder
        holds already)."""
        promised = list(self._promised.items())  # a copy: the runner's thread may finish a run meanwhile
        return sum(max(need - saved_bytes(self.catalogue.path(run_id)), 0) for run_id, need in promised)

    def pending(self) -> int:
        """Runs waiting or running."""
        return self._jobs.qsize() + len(self._done)

    def done(self, run_id: str) -> int | None:
        """Futures simulated so far, if the run is simulating now."""
        return self._done.get(run_id)

    def stop(self) -> None:
        """Take no more jobs and mark the queued ones failed. The run in progress is not waited for: the thread ends
        with the process, and the next start marks that run failed (`Catalogue.recover`)."""
        while not self._jobs.empty():
            job = self._jobs.get_nowait()
            if job is not None:
                self._promised.pop(job.run_id, None)
                self.catalogue.update(job.run_id, status="failed", error=INTERRUPTED)
        self._jobs.put(None)

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                self._run(job)
            except Exception as exc:  # a run's failure is data: it must not stop the runner or the server
                self._fail(job.run_id, exc)
            finally:
                self._done.pop(job.run_id, None)
                self._promised.pop(job.run_id, None)

    def _fail(self, run_id: str, exc: Exception) -> None:
        """Record a run's failure and remove its files (a full disk is freed at once)."""
        if not isinstance(exc, InputError):
            log.exception("run %s failed", run_id)
        shutil.rmtree(self.catalogue.path(run_id), ignore_errors=True)
        error = _said(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        try:
            self.catalogue.update(run_id, status="failed", error=error)
        except Exception:  # the catalogue cannot be written either: the next start marks the run failed
            log.exception("run %s: its failure could not be recorded", run_id)

    def _run(self, job: Job) -> None:
        run_id, catalogue = job.run_id, self.catalogue
        api.check_disk(job.spec, catalogue.runs_dir)  # the disk may have filled since the run was queued
        self._phase(run_id, "simulating", status="running")
        self._done[run_id] = 0

        def advance(n: int) -> None:
            self._done[run_id] += n

        folder = catalogue.path(run_id)
        if job.posterior is None:
            workers = ProcessExecutor(job.spec.workers, start=THREAD_SAFE_START) if job.spec.workers > 1 else None
            api.simulate_to(job.spec, folder, progress=advance, executor=workers)  # saved chunk by chunk
        else:
            p = job.posterior
            api.update(p.prior, p.observations, p.followed, output=folder, seed=p.seed)
            advance(job.spec.futures * len(job.spec.policies))
        self._phase(run_id, "saving", done=self._done[run_id])
        saved = api.load_run(folder)
        sample = analysed(saved)
        ensemble, summary = saved.ensemble(sample), saved.info["summary"]
        found = api.findings(
            ensemble,
            job.baseline,
            sobol_base=job.sobol_base,
            progress=lambda _, label: self._phase(run_id, label),
            every_future=api.final_chunks(saved) if sample else None,
        )
        self._phase(run_id, WRITING)
        sample_of = saved.info["futures"] if sample else None
        write_results(found, ensemble, saved, catalogue)
        evidence = api.evidence_of(folder)
        api.write_findings_report(
            found,
            ensemble,
            folder / api.REPORT_FILE,
            job.command,
            job.sobol_base,
            evidence=evidence,
            sample_of=sample_of,
        )
        catalogue.update(run_id, status="finished", phase="finished", summary=summary)

    def _phase(self, run_id: str, stage: str, **fields: Any) -> None:
        """Enter a stage (and set any other `fields` of the run's record in the same update)."""
        log.info("run %s: %s", run_id, stage)
        self.catalogue.update(run_id, phase=stage, **fields)


def _said(exc: InputError) -> str:
    """An error as the service says it: the key and the problem, without the server's paths."""
    return f"{exc.key}: {exc.detail}" if exc.key else exc.detail
