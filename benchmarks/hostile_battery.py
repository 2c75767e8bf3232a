"""Issue 17's battery: hostile and unlucky input to every command and to the service, each answer classified.

    python benchmarks/hostile_battery.py            # everything, about half an hour on 2 cores
    python benchmarks/hostile_battery.py cli kill   # some parts: cli, service, kill, disk, concurrent

A command's answer is *clean* when it exits 0 or 2 with no traceback, within 120 s, using under 4 GB; otherwise it is
counted as a traceback, a kill by a signal, a timeout or a memory hog, and listed. The service's answers are clean
when none is a server error (5xx other than 507, "the data folder is full") and the server logs no traceback. Killed
runs are clean when no worker outlives them and no folder passes for a run that does not load whole. The disk part
needs root (it mounts a 50 MB tmpfs). The counts go in issue 17's notes; nothing here is timed.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from alliance_futures import api
from alliance_futures.bargaining.tables import DATA as TABLES
from alliance_futures.case.loader import DATA
from alliance_futures.errors import InputError

CASE = Path(str(DATA / "us_rok.yaml"))
POLICY = Path(str(DATA / "policies" / "reciprocal_strengthening.yaml"))
HISTORY = Path(str(DATA / "us_rok_history.yaml"))
TABLE = Path(str(TABLES / "us-rok-sma.yaml"))
TIMEOUT = 120  # seconds a command may take
MEMORY = 4 * 2**30  # resident bytes a command may use
SMALL_RUN = ["--futures", "20", "--years", "2", "-p", "current_course"]
RANDOM = random.Random(1953)


def invocation(*args: object) -> list[str]:
    """The command line that runs `alliance-futures ARGS` with this interpreter."""
    return [sys.executable, "-m", "alliance_futures", *map(str, args)]


def command(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run `alliance-futures ARGS`; its class (clean, traceback, signal, timeout, memory) and what it said."""
    process = subprocess.Popen(
        invocation(*args),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PATH": os.environ["PATH"], "COLUMNS": "200"},
    )
    timer = threading.Timer(TIMEOUT, process.kill)
    timer.start()
    out, err = process.communicate()
    timed_out = not timer.is_alive()
    timer.cancel()
    peak = _peak_of(process.pid)
    if timed_out:
        return "timeout", err[-300:]
    if process.returncode < 0:
        return f"signal {-process.returncode}", err[-300:]
    if "Traceback" in out + err or process.returncode not in (0, 2):
        return "traceback", err[-600:]
    if peak > MEMORY:
        return "memory", f"{peak / 2**30:.1f} GiB"
    return "clean", (err or out)[-200:]


_PEAKS: dict[int, int] = {}


def _peak_of(pid: int) -> int:
    return _PEAKS.pop(pid, 0)


def _reap_with_usage() -> None:
    """Record each child's peak memory as it ends (Popen.communicate reaps it; wait4 here sees it first)."""

    def try_wait(self: subprocess.Popen[str], wait_flags: int) -> tuple[int, int]:
        pid, status, usage = os.wait4(self.pid, wait_flags)
        if pid:
            _PEAKS[pid] = usage.ru_maxrss * 1024
        return pid, status

    subprocess.Popen._try_wait = try_wait  # type: ignore[attr-defined,method-assign]


# --- files made hostile ----------------------------------------------------------------------------------------

BOMB = "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9 if p else ['lol'] * 9)}]\n"
    for p, k in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    10**30,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    "",
    "x" * 500,
    [],
    {},
    [1, 2, 3],
    {"a": 1},
    "2029-01-01",
    "1e3",
]


def key_paths(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in items:
        found.append((*at, key))
        found.extend(key_paths(value, (*at, key)))
    return found


def mutated_documents(source: Path, count: int) -> list[bytes]:
    """`count` copies of a YAML file, each with one value replaced, removed or added, or its bytes damaged."""
    original = source.read_bytes()
    data = yaml.safe_load(original)
    where = key_paths(data)
    out = []
    for i in range(count):
        if i % 3 == 2:  # bytes: cut, insert, repeat, truncate
            start = RANDOM.randrange(len(original))
            end = min(len(original), start + RANDOM.randrange(1, 3000))
            choice = i % 4
            out.append(
                [
                    original[:start] + original[end:],
                    original[:start] + bytes(RANDOM.randrange(256) for _ in range(20)) + original[start:],
                    original[:end] + original[start:end] * 30 + original[end:],
                    original[:start],
                ][choice]
            )
            continue
        copy = yaml.safe_load(original)
        path = RANDOM.choice(where)
        parent = copy
        for key in path[:-1]:
            parent = parent[key]
        if i % 3 == 0:
            parent[path[-1]] = RANDOM.choice(VALUES)
        elif isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent.append(RANDOM.choice(VALUES))
        out.append(yaml.safe_dump(copy, sort_keys=False, allow_unicode=True).encode())
    text = original.decode()
    out += [
        BOMB.encode(),
        b"[" * 100_000,
        b"a: &a [*a]\n",
        text.encode("utf-16"),
        text.replace("a", "\u00e9").encode("latin-1", errors="replace"),
        bytes(RANDOM.randrange(256) for _ in range(2000)),
        b"",
        b"just a string\n",
        b"- a list\n- of things\n",
        original + original,  # every key twice
        b"x: 1\n" * (25 * 2**20 // 5),  # over 20 MB
    ]
    return out


def csv_tables(count: int) -> list[bytes]:
    header = "name,capability,position,salience,group\n"
    tables = [
        b"",
        header.encode(),
        ("\ufeff" + header + "a,1,10,0.5,x\nb,2,60,0.9,y\n").encode(),
        (header + "a,0,10,0.5,\nb,0,60,0.9,\n").encode(),
        (header + "".join(f"a{i},1,{i % 100},0.5,\n" for i in range(20_000))).encode(),
        (header + "".join(f"a{i},1,{i % 100},0.5,\n" for i in range(600))).encode(),
        (header + "a,1,10,0.5\x00,\nb,1,20,0.5,\n").encode(),
        "name,position\n\u00e9,1\n".encode("latin-1"),
        (header + "a,nan,10,0.5,\nb,1,inf,0.5,\n").encode(),
        (header + "a,1e308,10,0.5,\nb,1e308,20,0.5,\n").encode(),
    ]
    cells = ["", "x", "-1", "1e400", "nan", "0", "100", "1", '"a,b"', "\u00e9"]
    for _ in range(count):
        rows = [",".join(RANDOM.choice(cells) for _ in range(5)) for _ in range(RANDOM.randrange(0, 6))]
        tables.append((header + "\n".join(rows)).encode())
    return tables


def damaged_runs(run: Path, into: Path) -> list[Path]:
    """Copies of a saved run, each damaged in one way."""
    damages: list[tuple[str, Callable[[Path], None]]] = []
    chunks = (
        "final/current_course/000000.parquet",
        "yearly/current_course/000000.parquet",
        "experiments/000000.parquet",
    )
    for name in (*chunks, "case.yaml", "policies/current_course.yaml"):
        damages += [
            (name, lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])),
            (name, lambda p: p.write_bytes(bytes(b ^ (i == 700) for i, b in enumerate(p.read_bytes())))),
            (name, lambda p: p.unlink()),
            (name, lambda p: p.write_bytes(b"")),
        ]
    record = json.loads((run / "run.json").read_text())
    for change in (
        {"futures": record["futures"] + 10},
        {"years": 500},
        {"seed": -1},
        {"packages": []},
        {"packages": ["no_such"]},
        {"design": 5},
        {"files": "x"},
        {"replications": 0},
    ):
        damages.append(("run.json", lambda p, change=change: p.write_text(json.dumps(record | change))))
    for text in ("{}", "[]", "not json", "", '{"packages": ["current_course"]}'):
        damages.append(("run.json", lambda p, text=text: p.write_text(text)))
    copies = []
    for i, (name, damage) in enumerate(damages):
        copy = into / f"damaged-{i}"
        shutil.copytree(run, copy)
        damage(copy / name)
        copies.append(copy)
    return copies


def cli_cases(work: Path) -> list[list[str]]:
    """Every command fed something hostile, as argument lists (files written into `work`)."""
    cases: list[list[str]] = []

    def file(name: str, content: bytes) -> Path:
        path = work / "files" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        return path

    for i, content in enumerate(mutated_documents(CASE, 45)):
        cases.append(["validate", file(f"case-{i}.yaml", content)])
        if i % 3 == 0:
            cases.append(["run", "--case", work / "files" / f"case-{i}.yaml", *SMALL_RUN])
    for i, content in enumerate(mutated_documents(POLICY, 40)):
        cases.append(["validate", file(f"policy-{i}.yaml", content)])
        if i % 4 == 0:
            cases.append(["run", "-p", work / "files" / f"policy-{i}.yaml", "--futures", "20", "--years", "2"])
    for i, content in enumerate(mutated_documents(HISTORY, 40)):
        cases.append(["backtest", "--futures", "20", "--history", file(f"history-{i}.yaml", content)])
    for i, content in enumerate(mutated_documents(TABLE, 35)):
        cases.append(["negotiate", file(f"table-{i}.yaml", content)])
    for i, content in enumerate(csv_tables(25)):
        cases.append(["negotiate", file(f"table-{i}.csv", content)])

    a_file = file("plain.txt", b"")
    long_name = work / ("a" * 300)
    outputs = [
        work / "files",
        a_file,
        a_file / "x",
        long_name,
        Path("/proc/x"),
        Path("/dev/null"),
        work / "nowhere" / "x",
    ]
    for bad in (["--futures", v] for v in ("0", "-1", "abc", "1e3", "2000000000", "105", "10000000")):
        cases.append(["run", *bad, "--years", "2"])
    for option, values in {
        "--years": ("0", "201", "-5", "x"),
        "--seed": ("-1", str(2**64), "x"),
        "--workers": ("0", "1000", "x"),
        "--replications": ("0", "7", "100000"),
        "--set": (
            "x",
            "x=",
            "=1",
            "dprk.icbm_maturation=nan",
            "dprk.icbm_maturation=1:0",
            "dprk.icbm_maturation=5",
            "no.such=1",
            "dprk.icbm_maturation=0.1:0.2:0.3",
            "credibility.troop_signal=0.5",
        ),
        "-p": ("no_such", "../../etc/passwd", ""),
        "--case": ("no_such", "/dev/zero", str(work / "files")),
    }.items():
        for value in values:
            cases.append(["run", *SMALL_RUN, option, value])
    cases += [["run", *SMALL_RUN, "--output", output] for output in outputs]
    cases.append(["run", *SMALL_RUN, "-p", "current_course", "--output", work / "dup"])

    run = work / "good-run"
    subprocess.run(
        invocation("-q", "run", "--futures", 60, "--years", 4, "--output", run),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for option, values in {
        "--drivers": ("nope", "years_rok_progressive"),
        "--satisfice": ("war", "war=nan", "wars=0", "=", "war=1e400"),
        "--sobol-base": ("0", "3", str(2**20), "x"),
        "--baseline": ("nope", ""),
        "--output": [*map(str, outputs), str(run / "final/current_course/000000.parquet"), str(run / "run.json")],
    }.items():
        for value in values:
            cases.append(["report", run, option, value, *(["--sobol-base", "4"] if option != "--sobol-base" else [])])
    for future in ("-1", str(10**20), "x", "60"):
        cases.append(["explain", run, future])
    cases += [["explain", run, "0", "--package", "nope"], ["explain", work / "files", "0"], ["explain", a_file, "0"]]
    for output in [*outputs, run / "yearly/current_course/000000.parquet", run / "case.yaml"]:
        cases.append(["backtest", "--futures", "20", "--csv", output])
        cases.append(["negotiate", "us-rok-sma", "--plot", output])
        cases.append(["export", run, "--to", "xlsx", "--output", output])
    cases += [["backtest", "--futures", v] for v in ("0", "1000000", "x")]
    cases += [["backtest", "--history", work / "missing.yaml"], ["backtest", "--case", "nope"]]
    cases += [["calibrate", "--futures", v] for v in ("0", "50", "10000000", "x")]
    cases += [["negotiate", "us-rok-sma", "--rounds", v] for v in ("0", "1000", "x")]
    cases += [["negotiate", "--score", "x"], ["negotiate"], ["negotiate", "nope"], ["export", run, "--to", "pdf"]]
    cases += [["serve", "--port", v] for v in ("0", "70000", "x", "-1")]
    cases += [["serve", "--host", "0.0.0.0"], ["serve", "--token", "short"], ["serve", "--data-dir", a_file]]
    cases += [["clean", work / "missing"], ["clean", a_file], ["validate", work / "missing.yaml"]]
    cases += [["validate", work / "files"], ["validate", "/dev/zero"], ["claims", a_file], ["claims", work]]
    for copy in damaged_runs(run, work):
        cases += [["report", copy, "--sobol-base", "4"], ["explain", copy, "3"], ["claims", copy], ["export", copy]]
    return cases


def run_cli(work: Path) -> Counter[str]:
    cases = cli_cases(work)
    (work / "dup").mkdir()
    (work / "dup" / "something").write_text("x")
    counts: Counter[str] = Counter()
    for i, args in enumerate(cases):
        kind, said = command([str(a) for a in args], work)
        counts[kind] += 1
        if kind != "clean":
            print(f"  {kind}: alliance-futures {' '.join(map(str, args))[:200]}\n    {said!r}")
        if (i + 1) % 50 == 0:
            print(f"  {i + 1} of {len(cases)} commands: {dict(counts)}", flush=True)
    return counts


# --- the service -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (data.parent / f"server-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            invocation("serve", "--port", self.port, "--data-dir", data),
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/api/cases", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        return Path(self.log.name).read_text()


def service_probes(url: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, httpx keyword arguments) for every probe but the floods."""
    probes: list[tuple[str, str, dict[str, Any]]] = []
    raw = [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        '"1000"',
        "true",
        "null",
        "-1",
        str(10**30),
        "[]",
        "{}",
        '"' + "x" * 10_000 + '"',
        "0.5",
        "1e-400",
    ]
    for field in (
        "futures",
        "replications",
        "years",
        "seed",
        "sobol_base",
        "packages",
        "baseline",
        "case",
        "overrides",
    ):
        for value in raw:
            probes.append(("POST", "/api/runs", {"content": f'{{"{field}": {value}}}'}))
    for key in ("politics.us_switch_probability", "no.such", "", "x" * 1000, "credibility.troop_signal"):
        for value in ("NaN", "2", "[0.2, 0.1]", "[0.1, 0.2, 0.3]", '"a"', "true", "[0, 1]"):
            probes.append(("POST", "/api/runs", {"content": f'{{"overrides": {{"{key}": {value}}}}}'}))
    person = '{{"name": {}, "capability": {}, "position": {}, "salience": {}}}'
    for field in ("rounds", "status_quo", "scale", "issue", "table"):
        for value in raw:
            probes.append(("POST", "/api/negotiations", {"content": f'{{"table": "us-rok-sma", "{field}": {value}}}'}))
    for i in range(4):
        for value in raw[:8]:
            parts = ['"a"', "1", "1", "1"]
            parts[i] = value
            one = person.format(*parts)
            probes.append(("POST", "/api/negotiations", {"content": f'{{"stakeholders": [{one}, {one}]}}'}))
    many = [{"name": f"s{i}", "capability": 1, "position": i % 100, "salience": 0.5} for i in range(201)]
    probes += [
        ("POST", "/api/negotiations", {"json": {"stakeholders": many}}),
        ("POST", "/api/negotiations", {"json": {"stakeholders": many[:200], "rounds": 100}}),
        ("POST", "/api/negotiations", {"json": {"stakeholders": many[:2] * 100}}),
        ("POST", "/api/runs", {"content": b"{" * 100_000}),
        ("POST", "/api/runs", {"content": b'{"futures": 10, "x": "' + b"y" * 2_000_000 + b'"}'}),
        ("POST", "/api/runs", {"content": b"\xff\xfe garbage"}),
        ("POST", "/api/runs", {"content": "not json"}),
        ("POST", "/api/runs", {"json": {"futures": 100_000, "years": 200}}),
        ("POST", "/api/runs", {"json": {"futures": 100, "sobol_base": 16_384}}),
    ]
    ids = [
        "../etc/passwd",
        "..%2F..%2Fetc",
        "x" * 5000,
        "20260101-000000-zzzzzz",
        "%00",
        "\u00e9",
        "20260101-000000-abcdef",
    ]
    for run_id in ids:
        for tail in (
            "",
            "/progress",
            "/views/comparison",
            "/files/final.parquet",
            "/report",
            "/futures",
            "/futures/0/narrative",
            "/series",
            "/variables",
        ):
            probes.append(("GET", f"/api/runs/{run_id}{tail}", {}))
    for params in ({"offset": -1}, {"limit": 10**9}, {"package": "x"}, {"named_future": "x"}, {"offset": "x"}):
        probes.append(("GET", "/api/runs/RUN/futures", {"params": params}))
    for params in ({"variable": "x"}, {"named_future": "x"}, {"variable": "x" * 5000}):
        probes.append(("GET", "/api/runs/RUN/series", {"params": params}))
    for future in ("-1", "99999999999999999999", "x"):
        probes.append(("GET", f"/api/runs/RUN/futures/{future}/narrative", {}))
    for view in ("x", "../../run.json", "comparison%00"):
        probes.append(("GET", f"/api/runs/RUN/views/{view}", {}))
    for table in ("x", "../run", "final%2F..%2F..%2Fcatalogue"):
        probes.append(("GET", f"/api/runs/RUN/files/{table}.parquet", {}))
    for host in ("attacker.example", "", "127.0.0.1.attacker.example", "localhost:1@attacker.example"):
        probes.append(("GET", "/api/cases", {"headers": {"Host": host}}))
        probes.append(("POST", "/api/runs", {"headers": {"Host": host}, "json": {"futures": 20}}))
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"):
        probes.append((method, "/api/runs", {}))
    for path in ("/", "/docs", "/openapi.json", "/static/../../pyproject.toml", "/static/%2e%2e/x", "/nope"):
        probes.append(("GET", path, {}))
    return probes


def run_service(work: Path) -> Counter[str]:
    data = work / "service-data"
    server = Server(data)
    counts: Counter[str] = Counter()
    with httpx.Client(base_url=server.url, timeout=120) as client:
        small = {"futures": 20, "packages": ["current_course"], "sobol_base": 4}
        run_id = client.post("/api/runs", json=small).json()["id"]
        with client.stream("GET", f"/api/runs/{run_id}/progress") as stream:
            "".join(stream.iter_text())
        for method, path, kwargs in service_probes(server.url):
            headers = kwargs.pop("headers", {})
            if "content" in kwargs:
                headers.setdefault("Content-Type", "application/json")
            answer = client.request(method, path.replace("RUN", run_id), headers=headers, **kwargs)
            counts[_status_class(answer.status_code)] += 1
            if answer.status_code >= 500 and answer.status_code != 507:
                print(f"  {answer.status_code}: {method} {path[:100]} {str(kwargs)[:100]}")
        counts.update(_floods(client, server.url))
    said = server.stop()
    counts["server tracebacks"] = said.count("Traceback")
    if "Traceback" in said:
        print(said[-3000:])
    return counts


def _status_class(code: int) -> str:
    return "5xx" if code >= 500 and code != 507 else f"{code // 100}xx"


def _floods(client: httpx.Client, url: str) -> Counter[str]:
    """20 runs submitted at once, then 70 progress streams opened at once on a long run."""
    counts: Counter[str] = Counter()
    long = {"futures": 100_000, "packages": ["current_course"], "sobol_base": 4}
    answers = [client.post("/api/runs", json=long if i == 0 else {"futures": 20, "sobol_base": 4}) for i in range(20)]
    counts.update(_status_class(a.status_code) for a in answers)
    first = answers[0].json()["id"]

    def stream(results: list[int]) -> None:
        """Open a stream and hold it open for a few seconds, as a dashboard tab does."""
        with httpx.Client(base_url=url, timeout=30) as own, own.stream("GET", f"/api/runs/{first}/progress") as s:
            results.append(s.status_code)
            if s.status_code == 200:
                lines = s.iter_lines()
                next(lines)
                seen.append(json.loads(next(lines).removeprefix("data: "))["status"])
                time.sleep(5)

    results: list[int] = []
    seen: list[str] = []
    threads = [threading.Thread(target=stream, args=(results,)) for _ in range(70)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    counts.update(_status_class(code) for code in results)
    print(f"  floods: runs {Counter(a.status_code for a in answers)}, streams {Counter(results)}, {Counter(seen)}")
    return counts


# --- killed runs, full disks, two runs at once -------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run_kills(work: Path) -> Counter[str]:
    """SIGKILL a run at many moments, from the simulation through the save, with one and two workers."""
    counts: Counter[str] = Counter()
    for workers in (1, 2):
        started = time.monotonic()
        probe = work / f"timing-{workers}"
        subprocess.run(
            invocation("-q", "run", "--futures", 30000, "--workers", workers, "--output", probe),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        whole = time.monotonic() - started
        for i in range(10):
            delay = whole * (0.3 + 0.7 * i / 9)  # from mid-simulation to the end of the save
            out = work / f"killed-{workers}-{i}"
            process = subprocess.Popen(
                invocation("-q", "run", "--futures", 30000, "--workers", workers, "--output", out),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            workers_seen = children_of(process.pid)
            process.kill()
            process.wait()
            deadline = time.monotonic() + 10
            while any(alive(w) for w in workers_seen) and time.monotonic() < deadline:
                time.sleep(0.1)
            counts["orphaned workers"] += sum(alive(w) for w in workers_seen)
            if (out / "run.json").exists():
                try:
                    api.load_run(out).ensemble()
                    counts["killed after the save: whole run"] += 1
                except InputError:
                    counts["damaged run"] += 1
            else:
                counts["killed before the save ended: no run"] += 1
        left = subprocess.run(invocation("clean", work), capture_output=True, text=True)
        counts["left behind, cleaned"] += left.stdout.count("removed")
    counts["partial folders left after clean"] = len(list(work.glob(".*.partial-*")))
    return counts


def run_disk(work: Path) -> Counter[str]:
    """A 50 MB tmpfs as the output folder and as the service's data folder (root only)."""
    counts: Counter[str] = Counter()
    mount = work / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=50m", "tmpfs", str(mount)]).returncode != 0:
        print("  skipped: cannot mount a tmpfs (not root?)")
        return counts
    try:
        for i, futures in enumerate(("2000", "20000", "60000", "2000", "1500", "1000", "500", "200")):
            kind, said = command(["run", "--futures", futures, "--output", mount / f"run-{i}", "--report"], work)
            counts[kind] += 1
            print(f"  run --futures {futures} onto 50 MB: {kind}: {said.strip()[-160:]!r}")
        counts["partial folders left"] = len(list(mount.glob(".*")))
        shutil.rmtree(mount / "data", ignore_errors=True)
        for child in mount.iterdir():
            shutil.rmtree(child, ignore_errors=True)
        server = Server(mount / "data")
        with httpx.Client(base_url=server.url, timeout=600) as client:
            for i in range(8):
                answer = client.post("/api/runs", json={"futures": 2000, "sobol_base": 4})
                counts[f"service {_status_class(answer.status_code)}"] += 1
                if answer.status_code == 202:
                    with client.stream("GET", f"/api/runs/{answer.json()['id']}/progress") as stream:
                        last = "".join(stream.iter_text()).strip().splitlines()[-1]
                    status = json.loads(last.removeprefix("data: "))
                    counts[f"service run {status['status']}"] += 1
                    print(f"  service run {i}: {status['status']} {status['error'] or ''}")
                else:
                    print(f"  service submission {i}: {answer.status_code} {answer.text[:200]}")
        counts["server tracebacks"] = server.stop().count("Traceback")
    finally:
        subprocess.run(["umount", "-l", str(mount)])
    return counts


def run_concurrent(work: Path) -> Counter[str]:
    """Two runs on one --output, and two on one default name (same second, same seed)."""
    counts: Counter[str] = Counter()
    for label, extra in (("one --output", ["--output", str(work / "same")]), ("one default name", [])):
        processes = [
            subprocess.Popen(
                invocation("-q", "run", "--futures", 5000, "-p", "current_course", *extra),
                cwd=work,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        codes = []
        for p in processes:
            _, err = p.communicate()
            codes.append(p.returncode)
            counts["traceback"] += "Traceback" in err
        counts[f"{label}: exits {sorted(codes)}"] += 1
    runs = [p.parent for p in work.rglob("run.json")]
    counts["runs that load whole"] = sum(1 for r in runs if api.load_run(r) is not None)
    counts["hidden partial folders"] = len(list(work.rglob(".*.partial-*")))
    return counts


PARTS = {"cli": run_cli, "service": run_service, "kill": run_kills, "disk": run_disk, "concurrent": run_concurrent}


def main(parts: list[str]) -> None:
    _reap_with_usage()
    for part in parts or list(PARTS):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"{part}:", flush=True)
            counts = PARTS[part](Path(tmp))
            print(f"{part}: {dict(counts)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
