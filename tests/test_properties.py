"""Property tests: for any parameters inside their ranges (a switch at any of its forms), every state variable stays
in its bounds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_futures import builtin_policy_names, load_case, load_policy
from alliance_futures.engine import simulate

CASE = load_case()
SWITCHES = {n: len(p.choices) for n, p in CASE.flat_parameters().items() if p.choices and p.range is not None}
UNCERTAIN = {n: p.range for n, p in CASE.flat_parameters().items() if p.range is not None and n not in SWITCHES}
FIXED = {n: p.value for n, p in CASE.flat_parameters().items() if p.range is None}
POLICIES = {n: load_policy(n, CASE) for n in builtin_policy_names()}
UNIT = (
    "credibility",
    "exercises",
    "readiness",
    "gray_zone_plans",
    "missile_defense",
    "diplomatic_coordination",
    "trilateral",
    "public_support",
    "friction",
    "decoupling",
    "dprk_provocation",
    "prc_coercion",
    "axis_cohesion",
    "trade_china_share",
)
FLAGS = (
    "us_transactional",
    "rok_progressive",
    "adopted_us",
    "adopted_rok",
    "division_of_labour",
    "us_overstretch",
    "war",
    "abandoned",
    "nuclear_use",
)

corners = st.fixed_dictionaries(
    {name: st.one_of(st.just(lo), st.just(hi), st.floats(lo, hi)) for name, (lo, hi) in UNCERTAIN.items()}
    | {name: st.integers(0, k - 1).map(float) for name, k in SWITCHES.items()}
)


@settings(max_examples=25, deadline=None)
@given(values=corners, policy=st.sampled_from(sorted(POLICIES)), seed=st.integers(0, 2**32))
def test_state_stays_in_bounds(values, policy, seed):
    n = 64
    params = {**FIXED, **{k: np.full(n, v) for k, v in values.items()}}
    final = simulate(CASE, POLICIES[policy], params, np.arange(n), 25, seed).final
    for v in UNIT:
        assert np.all((final[v] >= 0) & (final[v] <= 1)), v
    for v in FLAGS:
        assert set(np.unique(final[v])) <= {0.0, 1.0}, v
    assert np.all((final["troops"] >= 0) & (final["troops"] <= CASE.initial["troops"].value))
    assert set(np.unique(final["nuclear_status"])) <= {0.0, 1.0, 2.0, 3.0, 4.0}
    assert np.all(final["peak_nuclear_status"] >= final["nuclear_status"])
    assert set(np.unique(final["nuclear_integration"])) <= {0.0, 1.0, 2.0, 3.0}
    assert set(np.unique(final["regional_role"])) <= {0.0, 1.0, 2.0, 3.0}
    for side in ("us", "rok"):
        in_force = final[f"in_force_{side}"]
        assert np.all((in_force >= 0) & (in_force <= 25) & (in_force == np.round(in_force)))
        assert np.all(final[f"adopted_{side}"][in_force > 0] == 1.0)  # in force only while adopted
    ceiling = params["rok.burden_ceiling"]
    assert np.all((final["rok_defense_burden"] >= 0) & (final["rok_defense_burden"] <= np.maximum(ceiling, 0.024)))
    assert np.all(final["rok_strength"] >= 0)
    assert np.all(final["abandoned"] <= final["war"]) and np.all(final["treaty_status"][final["abandoned"] == 1] == 2)
    assert set(np.unique(final["opcon"])) <= {0.0, 1.0, 2.0}
    assert set(np.unique(final["treaty_status"])) <= {0.0, 1.0, 2.0}
    assert np.all(final["cost_share"] >= 0) and np.all(final["dprk_warheads"] > 0)
    assert np.all(final["nuclear_use"] <= final["war"])
    for v, arr in final.items():
        assert np.all(np.isfinite(arr)), v
