"""The source articles' claims as hypotheses: a planted toy claim whose failure region is known, the verdict and the
shares on hand-made differences, the claims in the case, and `alliance-futures claims` end to end."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from helpers import cli, write_edited

from alliance_futures import load_case
from alliance_futures.analysis.claims import assess_claim
from alliance_futures.analysis.compare import INDICATORS
from alliance_futures.analysis.outcomes import wilson
from alliance_futures.case import Claim, builtin_policy_names
from alliance_futures.case.loader import DATA, load_bibliography
from alliance_futures.errors import InputError

VECTORS, K = 400, 10
CLAIM = Claim(seed="toy", sentence="The package lowers war.", package="p", outcome="war", direction="lower")


def planted(rng: np.random.Generator, fails_below: float = 0.5) -> tuple[pd.DataFrame, np.ndarray]:
    """Drivers u, v, w per vector, and per future a paired difference that goes the claimed way (−1, lower) where
    u > `fails_below` and the other way (+1) where u ≤ it, each in 40% of a vector's futures."""
    x = pd.DataFrame(rng.random((VECTORS, 3)), columns=["u", "v", "w"])
    sign = np.where(x["u"].to_numpy() > fails_below, -1.0, 1.0)
    moved = rng.random((VECTORS, K)) < 0.4
    return x, (sign[:, None] * moved).ravel()


def test_a_planted_claim_is_found_to_fail_where_the_parameter_is_at_most_one_half():
    x, difference = planted(np.random.default_rng(4))
    result = assess_claim("toy", CLAIM, "current_course", x, difference, K, seed=1)
    assert result.vectors == VECTORS
    # the claim holds in the vectors with u > 0.5 in which anything moved, and fails in the others
    assert result.share_holds == pytest.approx((x["u"] > 0.5).mean(), abs=0.02)
    assert result.share_fails == pytest.approx((x["u"] <= 0.5).mean(), abs=0.02)
    for share, (lo, hi) in ((result.share_holds, result.holds_interval), (result.share_fails, result.fails_interval)):
        assert lo < share < hi and hi - lo < 0.1  # a Wilson interval over the vectors
        assert (lo, hi) == pytest.approx(wilson(share * VECTORS, VECTORS))
    as_json = result.as_json()
    assert (as_json["share_holds_lo"], as_json["share_holds_hi"]) == result.holds_interval
    assert f"({100 * result.holds_interval[0]:.1f}–{result.holds_interval[1]:.1%})" in result.fails_where()
    # given by id (as a posterior run gives them), the same clusters give the effect the same interval
    by_id = assess_claim(
        "toy", CLAIM, "current_course", x.loc[x.index.repeat(K)], difference, np.arange(len(difference)) // K
    )
    assert (by_id.difference, by_id.lo, by_id.hi) == pytest.approx((result.difference, result.lo, result.hi), rel=1e-12)
    # a posterior run's futures are read one by one; those resampled from one source vector count as one vector
    copies = assess_claim(
        "toy",
        CLAIM,
        "current_course",
        x.loc[x.index.repeat(K)],
        np.repeat(difference[::K], K),
        np.arange(len(difference)) // K,
    )
    alone = wilson(copies.share_holds * VECTORS, VECTORS)  # K identical copies of each vector: VECTORS of evidence
    assert copies.holds_interval == pytest.approx(alone, rel=1e-3)  # not the far narrower one of 4,000 futures
    box = result.failures
    assert box is not None and set(box.limits) == {"u"}
    lo, hi = box.limits["u"]
    assert lo is None and hi == pytest.approx(0.5, abs=0.03)
    assert box.density > 0.95 and box.stands_out
    assert re.search(
        r"it fails most where u ≤ 0\.(4[6-9]|5[0-3])\d*: there (9\d|100)% of vectors go against", result.fails_where()
    )
    assert result.verdict == "not distinguishable from zero"  # half and half: the overall mean is about zero


def test_a_claim_whose_failures_are_chance_names_no_region():
    rng = np.random.default_rng(9)
    x = pd.DataFrame(rng.random((VECTORS, 3)), columns=["u", "v", "w"])
    difference = np.where(rng.random(VECTORS * K) < 0.3, -1.0, 0.0) + np.where(rng.random(VECTORS * K) < 0.1, 1.0, 0)
    result = assess_claim("noise", CLAIM, "current_course", x, difference, K, seed=1)
    assert result.verdict == "holds" and result.hi < 0
    assert 0 < result.share_fails < result.share_holds
    assert result.failures is not None and not result.failures.stands_out
    assert "no region stands out" in result.fails_where()


def test_a_claim_that_never_fails_has_no_failure_sentence_and_the_verdict_follows_the_interval():
    rng = np.random.default_rng(2)
    x = pd.DataFrame(rng.random((VECTORS, 2)), columns=["u", "v"])
    always = -(rng.random(VECTORS * K) < 0.5).astype(float)
    result = assess_claim("always", CLAIM, "current_course", x, always, K)
    assert result.share_fails == 0 and result.failures is None and result.fails_where() == ""
    assert result.verdict == "holds" and result.lo < result.difference < result.hi < 0
    higher = assess_claim("higher", CLAIM.model_copy(update={"direction": "higher"}), "current_course", x, always, K)
    assert higher.verdict == "fails" and higher.share_holds == 0 and higher.share_fails == result.share_holds
    nothing = assess_claim("nothing", CLAIM, "current_course", x, np.zeros(VECTORS * K), K)
    assert nothing.verdict == "not distinguishable from zero" and nothing.share_holds == nothing.share_fails == 0
    assert nothing.holds_interval[0] == 0 < nothing.holds_interval[1]  # none of the vectors: still not surely none


def test_the_case_claims_cover_every_seed_and_remedy_with_real_packages_and_sources():
    case = load_case()
    assert len(case.claims) >= 8
    assert {c.seed for c in case.claims.values()} == {"seed000", "seed001", "seed002", "seed003"}
    assert set(load_bibliography()) >= {c.seed for c in case.claims.values()}
    packages = set(builtin_policy_names())
    remedies = packages - {"current_course", "transactional_pressure"}
    assert remedies <= {c.package for c in case.claims.values()}  # every remedy the articles argue for
    assert case.baseline in packages
    for name, claim in case.claims.items():
        assert {claim.package, claim.baseline or case.baseline} <= packages and claim.outcome in INDICATORS, name


def test_a_claim_with_an_unknown_outcome_is_refused_with_its_line(tmp_path):
    path = write_edited(
        DATA / "us_rok.yaml",
        tmp_path / "case.yaml",
        lambda data: data["claims"]["reciprocal_solidifies"].update(outcome="happiness"),
    )
    with pytest.raises(InputError, match=r"unknown outcome 'happiness' \(expected one of .*rupture") as error:
        load_case(path)
    assert error.value.key == "claims.reciprocal_solidifies.outcome" and error.value.line is not None


@pytest.fixture(scope="module")
def two_package_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims") / "run"
    result = cli(
        "run", "--futures", 600, "--years", 10, "-p", "current_course", "-p", "division_of_labour", "--output", out
    )
    assert result.returncode == 0, result.stderr
    return out


def test_claims_json_gives_each_testable_claim_and_names_the_skipped(two_package_run):
    result = cli("claims", two_package_run, "--format", "json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    expected = [n for n, c in load_case().claims.items() if c.package == "division_of_labour"]
    assert list(found["claims"]) == expected
    for claim in found["claims"].values():
        assert {"seed", "package", "baseline", "outcome", "direction", "difference", "lo", "hi", "share_holds"} <= set(
            claim
        )
        assert claim["lo"] <= claim["difference"] <= claim["hi"] and claim["vectors"] == 60
        assert 0 <= claim["share_holds"] + claim["share_fails"] <= 1
        assert (claim["fails_where"] == "") == (claim["share_fails"] == 0)
    assert len(found["skipped"]) == len(load_case().claims) - len(expected)
    assert all("the run has no package" in note for note in found["skipped"])


def test_claims_table_lists_each_claim_and_where_it_fails(two_package_run):
    result = cli("claims", two_package_run)
    assert result.returncode == 0, result.stderr
    found = json.loads(cli("claims", two_package_run, "--format", "json").stdout)["claims"]
    lines = result.stdout.splitlines()
    for name, claim in found.items():
        first = next(i for i, line in enumerate(lines) if line.strip().startswith(name))
        row = lines[first]
        block = " ".join(lines[first : first + 4])  # a long verdict wraps onto the row's next lines
        assert re.search(".*".join(map(re.escape, claim["verdict"].split())), block), name
        assert f"{claim['share_holds']:.1%} ({100 * claim['share_holds_lo']:.1f}–" in row
        if claim["fails_where"]:
            assert f"{name}: {claim['fails_where'][:40]}" in " ".join(result.stdout.split())
    assert "skipped" in result.stderr


def test_claims_refuses_a_folder_that_is_not_a_run(tmp_path):
    result = cli("claims", tmp_path)
    assert result.returncode == 2 and "not a saved run" in result.stderr and "Traceback" not in result.stderr
