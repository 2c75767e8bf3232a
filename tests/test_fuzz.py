"""Fuzzing the readers of every file a user gives (issue 17): malformed cases, policies, histories and stakeholder
tables, made by mutating the built-in ones, must be read or refused with an InputError (which the command line turns
into exit code 2 and a message), never any other exception. Derandomised, so CI sees the same examples each time."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alliance_futures as af
from alliance_futures import bargaining
from alliance_futures.bargaining.tables import DATA as TABLES
from alliance_futures.case import Case, load_history
from alliance_futures.case.loader import DATA
from alliance_futures.model import STATE_VARIABLES

FILES = {
    "case": Path(str(DATA / "us_rok.yaml")),
    "policy": Path(str(DATA / "policies" / "reciprocal_strengthening.yaml")),
    "history": Path(str(DATA / "us_rok_history.yaml")),
    "stakeholders": Path(str(TABLES / "us-rok-sma.yaml")),
}
EXAMPLES = 30  # per kind of file and kind of damage: about a minute in all
# The same examples on every CI run; loading a file may take longer than Hypothesis's default deadline.
FUZZED = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a hostile or careless hand puts where a value was.
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def paths(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in parsed YAML, the root's children first."""
    found = []
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else []
    for key, value in children:
        found.append((*at, key))
        found.extend(paths(value, (*at, key)))
    return found


@cache
def builtin_case() -> Case:
    return af.load_case()


def load(kind: str, path: Path) -> None:
    case = builtin_case()
    if kind == "case":
        af.load_case(path)
    elif kind == "policy":
        af.load_policy(path, case)
    elif kind == "history":
        load_history(path, case, STATE_VARIABLES)
    else:
        bargaining.read_stakeholders(path)


def read_or_refuse(kind: str, path: Path) -> None:
    try:
        load(kind, path)
    except af.InputError as exc:
        assert str(path) in str(exc)  # the message names the file


@pytest.fixture(scope="module")
def parsed():
    return {kind: yaml.safe_load(path.read_text(encoding="utf-8")) for kind, path in FILES.items()}


@pytest.mark.parametrize("kind", list(FILES))
@FUZZED
@given(data=st.data())
def test_a_value_replaced_removed_or_added_is_read_or_refused(kind, parsed, tmp_path, data):
    document = yaml.safe_load(yaml.safe_dump(parsed[kind]))  # a fresh copy
    where = data.draw(st.sampled_from(paths(document)))
    parent = document
    for key in where[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "replace":
        parent[where[-1]] = data.draw(VALUES)
    elif action == "remove":
        del parent[where[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=12))] = data.draw(VALUES)
    else:
        parent.append(data.draw(VALUES))
    path = tmp_path / f"{kind}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    read_or_refuse(kind, path)


@pytest.mark.parametrize("kind", list(FILES))
@FUZZED
@given(data=st.data())
def test_bytes_cut_inserted_or_repeated_are_read_or_refused(kind, tmp_path, data):
    original = FILES[kind].read_bytes()
    start = data.draw(st.integers(min_value=0, max_value=len(original)))
    end = data.draw(st.integers(min_value=start, max_value=min(len(original), start + 2_000)))
    action = data.draw(st.sampled_from(["cut", "insert", "repeat", "truncate"]))
    if action == "cut":
        damaged = original[:start] + original[end:]
    elif action == "insert":
        damaged = original[:start] + data.draw(st.binary(min_size=1, max_size=40)) + original[start:]
    elif action == "repeat":
        damaged = original[:end] + original[start:end] * data.draw(st.integers(1, 50)) + original[end:]
    else:
        damaged = original[:start]
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(damaged)
    read_or_refuse(kind, path)


@settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(st.text(max_size=8), min_size=0, max_size=6), max_size=30), header=st.booleans())
def test_a_malformed_csv_table_is_read_or_refused(tmp_path, rows, header):
    lines = (["name,capability,position,salience,group"] if header else []) + [",".join(r) for r in rows]
    path = tmp_path / "table.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    read_or_refuse("stakeholders", path)
