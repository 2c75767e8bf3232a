"""Load case and policy files with errors that name the file, the key, the line and what was expected."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import InputError
from ..limits import MAX_YEARS
from .schema import ORIENTATIONS, Case, Parameter, Policy, Reference

DATA = resources.files("alliance_futures") / "case" / "data"
BUILTIN_CASE = "us_rok"
OVERRIDES = "overrides"  # the source InputError names for a bad override
BIBLIOGRAPHY = Path(str(DATA / "bibliography.yaml"))
CITATION = re.compile(r"@([a-z0-9_]+)")  # a key in a [@key] or [@key1; @key2] citation
CITATIONS = re.compile(r"\[(@[a-z0-9_]+(?:; @[a-z0-9_]+)*)\]")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Requirements:
    """What a model reads from a case, section by section: a case must give exactly these names (a missing one
    would stop the model; an extra one is most likely a misspelling). The model's mechanisms declare them
    (`model.REQUIREMENTS`), and the analysis adds the thresholds it reads."""

    parameters: frozenset[str] = frozenset()
    initial: frozenset[str] = frozenset()
    levers: frozenset[str] = frozenset()
    thresholds: frozenset[str] = frozenset()
    base_rates: frozenset[str] = frozenset()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # switch -> its forms, in the model's order
    outcomes: frozenset[str] = frozenset()  # what a claim may name as its outcome
    recorded: frozenset[str] = frozenset()  # the variables recorded every year, which a signpost may read
    year_counts: frozenset[str] = frozenset()  # thresholds that count years: whole numbers from 1 to MAX_YEARS
    domains: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # initial variable -> values it can take

    @classmethod
    def of(
        cls,
        choices: Mapping[str, tuple[str, ...]] | None = None,
        domains: Mapping[str, tuple[float, float]] | None = None,
        **names: Iterable[str],
    ) -> Requirements:
        sections = {section: frozenset(given) for section, given in names.items()}
        return cls(choices=dict(choices or {}), domains=dict(domains or {}), **sections)

    def __or__(self, other: Requirements) -> Requirements:
        return Requirements(**{f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)})


MAX_YAML_BYTES = 20 * 2**20  # a case is about 0.1 MB; a file 200 times larger is a mistake, not a case
MAX_YAML_VALUES = 1_000_000  # values once every alias is expanded: ten times the built-in case's, far below a bomb's
MAX_YAML_DEPTH = 64  # levels of nesting; the built-in files nest about six deep


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader (on libyaml where PyYAML has it: six times faster), reading a number in exponent notation
    without a point (1e-3) as a number, as YAML 1.2 does; YAML 1.1 reads it as text."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"), list("-+0123456789")
)


def read_yaml(path: Path) -> Any:
    """A YAML file's data, refusing with a clear message what would exhaust time or memory: a file too large, text
    that is not UTF-8, nesting too deep, or aliases that expand to too many values (a 'billion laughs' file)."""
    return _read_yaml(path)[0]


def _read_yaml(path: Path) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse YAML (see `read_yaml`), returning the data and a map from key path to 1-based line number."""
    if not path.is_file():
        raise InputError(path, "no such file (expected a YAML file)")
    if path.stat().st_size > MAX_YAML_BYTES:
        raise InputError(path, f"the file is larger than {MAX_YAML_BYTES // 2**20} MB; expected a YAML file of a case")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    try:
        loader = _Loader(text)
        try:  # one parse: keep the node tree for line numbers, build the data from it once its size is known
            node = loader.get_single_node()
            if node is not None:
                _check_size(node, path)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if "maximum nesting depth" in problem:  # libyaml's own limit, far deeper than ours
            raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep") from None
        raise InputError(path, f"not valid YAML: {problem}", line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep") from None
    lines: dict[tuple[str, ...], int] = {}
    seen: set[int] = set()  # a node an alias repeats is walked once: walking every repetition is the bomb

    def walk(n: yaml.Node, at: tuple[str, ...]) -> None:
        lines[at] = n.start_mark.line + 1
        if id(n) in seen:
            return
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = (*at, str(k.value))
                walk(v, key)
                lines[key] = k.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*at, str(i)))

    if node is not None:
        walk(node, ())
    return data, lines


def _check_size(root: yaml.Node, path: Path) -> None:
    """Refuse a document nested deeper than MAX_YAML_DEPTH or holding more than MAX_YAML_VALUES values once its
    aliases are expanded; counted over the node graph, each node once, so the check itself expands nothing."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    opened: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, level, done = stack.pop()
        if level > MAX_YAML_DEPTH:
            raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep", line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode) and not done:
            _check_unique_keys(node, path)
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else []
        children = node.value if isinstance(node, yaml.SequenceNode) else children
        if done:
            size[id(node)] = 1 + sum(size[id(c)] for c in children)
            depth[id(node)] = 1 + max((depth[id(c)] for c in children), default=0)
            if size[id(node)] > MAX_YAML_VALUES:
                raise InputError(
                    path,
                    f"the file's aliases expand to more than {MAX_YAML_VALUES:,} values; expected a case, not a "
                    "'billion laughs' file",
                    line=node.start_mark.line + 1,
                )
        elif id(node) in opened:
            if id(node) not in size:  # reached again from inside itself
                raise InputError(path, "an alias refers to a value that contains it", line=node.start_mark.line + 1)
        else:
            opened.add(id(node))
            stack.append((node, level, True))
            stack.extend((c, level + 1, False) for c in children if id(c) not in size)
    if depth[id(root)] > MAX_YAML_DEPTH:
        raise InputError(path, f"nested more than {MAX_YAML_DEPTH} levels deep")


def _check_unique_keys(mapping: yaml.MappingNode, path: Path) -> None:
    """Refuse a key given twice in one mapping: YAML would keep the last silently."""
    first: dict[str, int] = {}
    for key, _ in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            line = key.start_mark.line + 1
            if key.value in first:
                raise InputError(
                    path, f"the key is given twice (first on line {first[key.value]})", key=key.value, line=line
                )
            first[key.value] = line


def _line(lines: dict[tuple[str, ...], int], loc: tuple[str, ...]) -> int | None:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return None


def _at(path: str | Path, lines: dict[tuple[str, ...], int], loc: tuple[str, ...], message: str) -> InputError:
    """The error about the value at key path `loc`, naming the key and its line."""
    return InputError(path, message, key=".".join(loc) or None, line=_line(lines, loc))


def read_validated(model: type[M], path: Path) -> tuple[M, dict[tuple[str, ...], int]]:
    """The file checked against the schema, and its map of key paths to lines."""
    data, lines = _read_yaml(path)
    if not isinstance(data, dict):
        raise InputError(path, f"expected a mapping of keys at the top level, got {type(data).__name__}", line=1)
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        err = exc.errors()[0]
        # Drop pydantic's union-branch tags (e.g. 'float', 'LeverSetting') from the key path.
        loc = tuple(str(p) for p in err["loc"] if not ((isinstance(p, str) and p[:1].isupper()) or p == "float"))
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
        more = f"; {len(exc.errors()) - 1} more problem(s) after fixing this one" if len(exc.errors()) > 1 else ""
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key (check its spelling against the built-in case)"
        raise _at(path, lines, loc, f"{message}{shown}{more}") from None


def resolve_path(name_or_file: str | Path, folder: Any, kind: str, builtin: str) -> Path:
    """A path to a YAML file, or the name of a built-in one in the package's `folder`; `kind` and `builtin` (the
    built-in names) say what was expected when neither is found."""
    candidate = Path(name_or_file)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    found = Path(str(folder / f"{name_or_file}.yaml"))
    if not found.is_file():
        raise InputError(name_or_file, f"no built-in {kind} of that name (built-in: {builtin}) and no such file")
    return found


def resolve_case_path(name_or_file: str | Path) -> Path:
    """A built-in case name ('us_rok') or a path to a case file."""
    return resolve_path(name_or_file, DATA, "case", BUILTIN_CASE)


def load_case(name_or_file: str | Path, requires: Requirements) -> Case:
    """Load and check a case: the schema, then that each section gives exactly the names the model reads
    (`requires`)."""
    path = resolve_case_path(name_or_file)
    case, lines = read_validated(Case, path)
    for section, ours, needed in (
        ("parameters", case.flat_parameters().keys(), requires.parameters),
        ("initial", case.initial.keys(), requires.initial),
        ("levers", case.levers.keys(), requires.levers),
        ("thresholds", case.thresholds.keys(), requires.thresholds),
        ("base_rates", case.base_rates.keys(), requires.base_rates),
    ):
        for key in sorted(ours - needed):
            raise _at(path, lines, (section, *key.split(".")), "unknown key: the model does not use it")
        for key in sorted(needed - ours):
            raise _at(path, lines, (section,), f"missing key: the model needs '{key}' under '{section}'")
    for name, claim in case.claims.items():
        if requires.outcomes and claim.outcome not in requires.outcomes:
            known = ", ".join(sorted(requires.outcomes))
            raise _at(
                path, lines, ("claims", name, "outcome"), f"unknown outcome '{claim.outcome}' (expected one of {known})"
            )
    for name, (lo, hi) in requires.domains.items():
        value = case.initial[name].value
        if not lo <= value <= hi:
            message = f"expected a value from {lo:g} to {hi:g} ({case.initial[name].unit}), got {value:g}"
            raise _at(path, lines, ("initial", name, "value"), message)
    for name in sorted(requires.year_counts):
        value = case.thresholds[name].value
        if not (value.is_integer() and 1 <= value <= MAX_YEARS):
            message = f"expected a whole number of years from 1 to {MAX_YEARS}, got {value:g}"
            raise _at(path, lines, ("thresholds", name, "value"), message)
    for name, signpost in case.signposts.items():
        if requires.recorded and signpost.variable not in requires.recorded:
            recorded = ", ".join(sorted(requires.recorded))
            message = f"'{signpost.variable}' is not a variable the engine records (recorded: {recorded})"
            raise _at(path, lines, ("signposts", name, "variable"), message)
    parameters = case.flat_parameters()
    for name, forms in requires.choices.items():
        given = tuple(parameters[name].choices or ())
        if given != forms:
            message = (
                f"expected the choices {list(forms)} in this order (the model reads a switch by position), got "
                f"{list(given)}"
            )
            raise _at(path, lines, ("parameters", *name.split("."), "choices"), message)
    return case


def builtin_policy_names() -> list[str]:
    return sorted(p.name.removesuffix(".yaml") for p in (DATA / "policies").iterdir() if p.name.endswith(".yaml"))


def resolve_policy_path(name_or_file: str | Path) -> Path:
    return resolve_path(name_or_file, DATA / "policies", "policy package", ", ".join(builtin_policy_names()))


def load_policy(name_or_file: str | Path, case: Case) -> Policy:
    """Load a policy package and check every lever against the case: known, on its side, inside its bounds."""
    path = resolve_policy_path(name_or_file)
    policy, lines = read_validated(Policy, path)
    for side, levers in policy.levers.items():
        if levers and (policy.adoption is None or getattr(policy.adoption, side) is None):
            kinds = " and ".join(ORIENTATIONS[side])
            raise InputError(
                path,
                f"a package that sets {side.upper()} levers must say how likely {kinds} governments are to adopt it "
                f"(for example adoption: {{{side}: {{{': 0.5, '.join(ORIENTATIONS[side])}: 0.5}}, source: ...}})",
                key=f"adoption.{side}",
                line=_line(lines, ("adoption",) if ("adoption",) in lines else ("levers", side)),
            )
    for side, levers in policy.levers.items():
        for name, setting in levers.items():
            lever = case.levers.get(name)
            value = setting if isinstance(setting, float | int) else setting.value
            if lever is None:
                problem = f"unknown lever (known levers: {', '.join(sorted(case.levers))})"
            elif lever.side != side:
                problem = f"lever '{name}' belongs to side '{lever.side}', not '{side}'"
            elif not lever.bounds[0] <= value <= lever.bounds[1]:
                problem = f"value {value} is out of range: expected {lever.bounds[0]} to {lever.bounds[1]} {lever.unit}"
            else:
                continue
            raise _at(path, lines, ("levers", side, name), problem)
    return policy


def override_parameters(case: Case, overrides: Mapping[str, float | Sequence[float]], source: str = OVERRIDES) -> Case:
    """The case with some parameters ('group.name') fixed at a value or sampled from a narrower range [low, high],
    each inside the parameter's allowed range (a piecewise range becomes a uniform or log-uniform one: its quantiles
    belonged to the old range); every other parameter as it was."""
    known = case.flat_parameters()
    groups = {group: dict(members) for group, members in case.parameters.items()}
    for name, new in overrides.items():
        old = known.get(name)
        if old is None:
            raise InputError(
                source,
                f"unknown parameter (expected 'group.name' as in the case, e.g. '{next(iter(known))}')",
                key=name,
            )
        update: dict[str, Any] = (
            {"value": new, "range": None} if isinstance(new, int | float) else {"value": None, "range": new}
        )
        if old.quantiles is not None:
            update |= {"quantiles": None, "distribution": old.distribution.removeprefix("piecewise_")}
        if old.choices is not None and not isinstance(new, int | float):
            raise InputError(source, f"a switch is fixed to one of its choices, 0 to {len(old.choices) - 1}", key=name)
        try:
            changed = Parameter.model_validate({**old.model_dump(), **update})
        except ValidationError as exc:
            raise InputError(source, exc.errors()[0]["msg"].removeprefix("Value error, "), key=name) from None
        group, member = name.split(".", 1)
        groups[group][member] = changed
    return case.model_copy(update={"parameters": groups})


def with_parameters(path: Path, new: Mapping[str, Mapping[str, Any]]) -> str:
    """The text of the case file at `path` with the entries of some parameters ('group.name' -> the parameter's keys,
    each checked by the schema) written anew, and every other line, comments included, as it was."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    root = yaml.compose(text)
    spans = []
    for name, entry in new.items():
        Parameter.model_validate(entry)
        key, value = _entry(root, ("parameters", *name.split(".", 1)))
        end = value.end_mark.line + (1 if isinstance(value, yaml.MappingNode) and value.flow_style else 0)
        while end > key.start_mark.line + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # blank and comment lines before the next entry belong to it
        indent = " " * key.start_mark.column
        body = yaml.dump(
            {key.value: dict(entry)}, Dumper=_CaseDumper, sort_keys=False, allow_unicode=True, width=120 - len(indent)
        )
        spans.append((key.start_mark.line, end, "".join(indent + line for line in body.splitlines(keepends=True))))
    for start, end, block in sorted(spans, reverse=True):
        lines[start:end] = [block]
    return "".join(lines)


class _CaseDumper(yaml.SafeDumper):
    """Writes entries as the case files are written by hand: lists in brackets, long text folded, 1.0 as 1."""


_CaseDumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))
_CaseDumper.add_representer(
    str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style=">" if len(v) > 80 else None)
)
_CaseDumper.add_representer(
    float, lambda d, v: d.represent_int(int(v)) if v.is_integer() else yaml.SafeDumper.represent_float(d, v)
)


def _entry(node: yaml.Node | None, at: tuple[str, ...]) -> tuple[yaml.ScalarNode, yaml.Node]:
    """The key and value nodes at the key path `at` of a composed YAML document."""
    key = None
    for part in at:
        assert node is not None
        key, node = next((k, v) for k, v in node.value if k.value == part)
    assert key is not None and node is not None
    return key, node


def validate_file(path: str | Path, requires: Requirements) -> str:
    """Check a case or a policy file (told apart by its keys) against what the model reads; return a one-line
    summary."""
    p = Path(path)
    data, _ = _read_yaml(p)
    if isinstance(data, dict) and "institutionalisation" in data:
        policy = load_policy(p, load_case(BUILTIN_CASE, requires))
        return f"{p}: valid policy package '{policy.name}' setting {len(policy.settings())} lever(s)"
    case = load_case(p, requires)
    n_uncertain = sum(q.is_uncertain for q in case.flat_parameters().values())
    return f"{p}: valid case '{case.name}' with {len(case.flat_parameters())} parameters ({n_uncertain} uncertain)"


@cache
def load_bibliography() -> dict[str, Reference]:
    """The works the built-in case data cite, by key (case/data/bibliography.yaml)."""
    data, lines = _read_yaml(BIBLIOGRAPHY)
    if not isinstance(data, dict):
        raise InputError(BIBLIOGRAPHY, "expected a mapping of keys to references", line=1)
    out = {}
    for key, entry in data.items():
        try:
            out[str(key)] = Reference.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            raise _at(BIBLIOGRAPHY, lines, (str(key), *(str(p) for p in err["loc"])), err["msg"]) from None
    return out


def cited_keys(text: str) -> list[str]:
    """The bibliography keys a source text cites, in order: '[@a; @b]' gives ['a', 'b']."""
    return [key for group in CITATIONS.findall(text) for key in CITATION.findall(group)]
