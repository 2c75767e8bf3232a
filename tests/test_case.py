"""The case data: it loads, every number has provenance, and bad files get clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers import cli, write_edited

from alliance_futures import InputError, builtin_policy_names, load_case, load_policy
from alliance_futures import validate as validate_file
from alliance_futures.case.loader import DATA, cited_keys, load_bibliography

BUILTIN = Path(str(DATA / "us_rok.yaml"))
PLACEHOLDERS = re.compile(r"^\s*(todo|tbd|n/?a|none|unknown|\?+|-)\s*$", re.IGNORECASE)


def test_builtin_case_and_all_six_packages_load(case):
    assert case.calendar.start_year == 2026
    assert set(builtin_policy_names()) == {
        "current_course",
        "transactional_pressure",
        "reciprocal_strengthening",
        "deep_nuclear_consultation",
        "division_of_labour",
        "structural_adherence",
    }
    for name in builtin_policy_names():
        assert load_policy(name, case).name == name


def test_every_number_has_unit_meaning_and_provenance(case):
    documented = {
        **{f"parameters.{k}": v for k, v in case.flat_parameters().items()},
        **{f"initial.{k}": v for k, v in case.initial.items()},
        **{f"levers.{k}": v for k, v in case.levers.items()},
        **{f"thresholds.{k}": v for k, v in case.thresholds.items()},
    }
    assert len(documented) > 150
    for key, item in documented.items():
        for field in ("unit", "meaning", "source"):
            text = getattr(item, field)
            assert text and not PLACEHOLDERS.match(text), f"{key} lacks a real {field}"
        assert len(item.source) >= 15, f"{key}: source '{item.source}' is too thin to trace"
        if item.source.lower().startswith("analyst judgement"):
            assert len(item.source) > len("analyst judgement") + 10, f"{key}: a judgement needs its reasoning"


def sources(case, policies):
    """Every source text of the built-in case and packages, by where it is."""
    out = {f"{k}": v.source for k, v in case.flat_parameters().items()}
    out |= {f"{k}.{form}": why for k, v in case.flat_parameters().items() for form, why in (v.choices or {}).items()}
    for section in ("initial", "levers", "thresholds", "base_rates", "signposts"):
        out |= {f"{section}.{k}": v.source for k, v in getattr(case, section).items()}
    out["calendar"] = case.calendar.source
    for name, policy in policies.items():
        out[f"policies.{name}"] = policy.source
        if policy.adoption is not None:
            out[f"policies.{name}.adoption"] = policy.adoption.source
    return out


def test_sources_cite_the_shipped_bibliography_and_nothing_unshipped(case, policies):
    """Provenance a user can follow: every [@key] is in bibliography.yaml, every entry there is cited, and no
    source points at the project's unshipped notes or an unchecked figure."""
    bibliography = load_bibliography()
    unshipped = re.compile(r"us-rok-facts|literature-and-base-rates|\bmodel\.md|\(check\)|[Ss]eeds? 00\d(?![^\[]*\[@)")
    cited = set()
    for where, text in sources(case, policies).items():
        keys = cited_keys(text)
        assert set(keys) <= set(bibliography), (
            f"{where}: cites {set(keys) - set(bibliography)}, not in the bibliography"
        )
        assert not unshipped.search(text), f"{where}: '{text}' cites what the package does not ship"
        cited |= set(keys)
    history = (DATA / "us_rok_history.yaml").read_text(encoding="utf-8")
    cited |= set(cited_keys(history))
    assert set(bibliography) - cited == set(), "bibliography entries nobody cites"
    for key, ref in bibliography.items():
        assert ref.authors and ref.year and ref.title and ref.published, key


def test_parameter_ranges_lie_inside_what_the_model_allows(case):
    for name, p in case.flat_parameters().items():
        if p.choices:  # a switch: drawn from its choices 0 … k-1, its range [0, k) by construction
            assert p.range == (0, len(p.choices)) and p.allowed == (0, len(p.choices) - 1), name
            continue
        lo, hi = p.allowed
        values = p.range if p.range is not None else (p.value, p.value)
        assert lo <= values[0] <= values[1] <= hi, name


def write_case(tmp_path, edit):
    """A copy of the built-in case with one edit applied to its parsed data."""
    return write_edited(BUILTIN, tmp_path / "case.yaml", edit)


def line_of(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def expect_error(path, key_part, message_part, loader=load_case):
    with pytest.raises(InputError) as info:
        loader(path)
    err = info.value
    assert err.file == str(path)
    assert key_part in (err.key or ""), err
    assert message_part in str(err), err
    return err


def test_a_case_saved_before_cases_named_their_baseline_still_loads(tmp_path):
    """Runs saved by earlier versions keep a case.yaml without `baseline:`; they compare against the current course,
    as they did. A case that names another baseline is read as written."""
    old = write_edited(BUILTIN, tmp_path / "old.yaml", lambda data: data.pop("baseline"))
    assert load_case(old).baseline == "current_course"
    other = write_edited(BUILTIN, tmp_path / "other.yaml", lambda data: data.update(baseline="structural_adherence"))
    assert load_case(other).baseline == "structural_adherence"


def test_a_user_copy_of_the_case_loads(tmp_path):
    path = write_case(tmp_path, lambda d: d["initial"]["troops"].update(value=20000))
    assert load_case(path).initial["troops"].value == 20000


def test_malformed_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nparameters:\n  a: [1, 2\n  b: 3\n", encoding="utf-8")
    err = expect_error(path, "", "not valid YAML")
    assert err.line is not None and err.line >= 3


def test_unknown_key_names_key_and_line(tmp_path):
    path = write_case(tmp_path, lambda d: d["parameters"]["credibility"]["memory"].update(rnage=[0, 1]))
    err = expect_error(path, "parameters.credibility.memory.rnage", "unknown key")
    assert err.line == line_of(path, "rnage")


def test_unknown_parameter_is_refused(tmp_path):
    path = write_case(
        tmp_path,
        lambda d: d["parameters"]["credibility"].update(
            memroy={
                "value": 0.3,
                "allowed": [0, 1],
                "unit": "x",
                "meaning": "x",
                "source": "analyst judgement",
            }
        ),
    )
    err = expect_error(path, "parameters.credibility.memroy", "unknown key")
    assert err.line == line_of(path, "memroy")


def test_missing_parameter_is_named(tmp_path):
    path = write_case(tmp_path, lambda d: d["parameters"]["credibility"].pop("memory"))
    expect_error(path, "parameters", "credibility.memory")


def test_wrong_type_is_named(tmp_path):
    path = write_case(tmp_path, lambda d: d["initial"]["troops"].update(value="many"))
    err = expect_error(path, "initial.troops.value", "number")
    assert err.line == line_of(path, "value: many")


def test_out_of_range_value_is_refused(tmp_path):
    path = write_case(tmp_path, lambda d: d["parameters"]["credibility"]["memory"].update(range=[0.2, 1.5]))
    expect_error(path, "parameters.credibility.memory", "inside 'allowed'")


def test_nan_is_refused(tmp_path):
    path = tmp_path / "case.yaml"
    text = BUILTIN.read_text(encoding="utf-8").replace(
        "value: 28500\n    unit: personnel\n    meaning: US Forces Korea",
        "value: .nan\n    unit: personnel\n    meaning: US Forces Korea",
    )
    path.write_text(text, encoding="utf-8")
    err = expect_error(path, "initial.troops.value", "finite")
    assert err.line == line_of(path, ".nan")


def test_missing_file_is_named(tmp_path):
    expect_error(tmp_path / "nope.yaml", "", "no such file")


def write_policy(tmp_path, levers, **extra):
    data = {
        "name": "mine",
        "title": "Mine",
        "source": "analyst judgement, a test",
        "description": "d",
        "start_year": 2027,
        "institutionalisation": "executive",
        "adoption": {
            "us": {"internationalist": 0.5, "transactional": 0.5},
            "rok": {"conservative": 0.5, "progressive": 0.5},
            "source": "a test",
        },
        "levers": levers,
        **extra,
    }
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_unknown_lever_is_named_with_line(tmp_path, case):
    path = write_policy(tmp_path, {"us": {"exercise_tempo": 1.0, "excercise_tempo": 1.0}})
    err = expect_error(path, "levers.us.excercise_tempo", "unknown lever", lambda p: load_policy(p, case))
    assert err.line == line_of(path, "excercise_tempo")


def test_lever_out_of_bounds_or_on_the_wrong_side(tmp_path, case):
    path = write_policy(tmp_path, {"us": {"exercise_tempo": 1.5}})
    expect_error(path, "levers.us.exercise_tempo", "out of range", lambda p: load_policy(p, case))
    path = write_policy(tmp_path, {"us": {"opcon_push": 1.0}})
    expect_error(path, "levers.us.opcon_push", "belongs to side 'rok'", lambda p: load_policy(p, case))


def test_bad_condition_and_institutionalisation(tmp_path, case):
    path = write_policy(tmp_path, {}, conditions={"us": "liberal"})
    expect_error(path, "conditions", "internationalist", lambda p: load_policy(p, case))
    path = write_policy(tmp_path, {}, institutionalisation="decree")
    expect_error(path, "institutionalisation", "executive", lambda p: load_policy(p, case))


def test_validate_tells_cases_from_policies(tmp_path):
    assert "valid case 'us_rok'" in validate_file(BUILTIN)
    assert "valid policy package 'mine'" in validate_file(write_policy(tmp_path, {"us": {"exercise_tempo": 0.5}}))


def test_a_package_must_say_who_would_adopt_it(tmp_path):
    path = write_policy(
        tmp_path,
        {"rok": {"opcon_push": 1.0}},
        adoption={"us": {"internationalist": 1.0, "transactional": 0.0}, "source": "a test"},
    )
    with pytest.raises(InputError, match="must say how likely conservative and progressive governments") as info:
        load_policy(path, load_case())
    assert info.value.key == "adoption.rok" and info.value.line


BOMB = "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9 if p else ['lol'] * 9)}]\n"
    for p, k in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)  # under 400 bytes that expand to 9**9 values through aliases


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BOMB.encode(), "aliases expand to more than 1,000,000 values"),
        (b"[" * 100_000, "nested more than 64 levels deep"),
        (b"a: &a [*a]\n", "an alias refers to a value that contains it"),
        ("name: caf\u00e9\n".encode("latin-1"), "not UTF-8 text"),
        ("name: x\n".encode("utf-16"), "not UTF-8 text"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "negotiate", "backtest --history"])
def test_hostile_yaml_is_refused_at_once_by_every_command_that_reads_yaml(tmp_path, content, message, command):
    """An alias bomb, deep nesting, a recursive alias and text that is not UTF-8 get exit code 2 and a message
    naming the file, not a traceback or an exhausted machine (issue 17, item 2)."""
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    done = cli(*command.split(), path)
    assert done.returncode == 2, done.stderr
    assert str(path) in done.stderr and message in done.stderr and "Traceback" not in done.stderr
