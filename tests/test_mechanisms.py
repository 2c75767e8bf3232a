"""Direction and bounds of each mechanism: compare two futures that differ in one driver."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import REF, levers_for, with_values, year_of

from alliance_futures.model import (
    alliance_value,
    burden_sharing,
    command,
    context,
    credibility,
    deterrence,
    force_posture,
    friction,
    politics,
    proliferation,
    regional,
    termination,
)
from alliance_futures.model.levers import LeverPlan


def const(value):
    """A draw function that returns the same number for every stream."""
    return lambda name: np.full(2, value)


def test_credibility_target_rises_with_costly_signals(case, params, state):
    for variable, low, high in [
        ("troops", 5000, 28500),
        ("readiness", 0.2, 1.0),
        ("nuclear_integration", 0, 3),
        ("gray_zone_plans", 0.0, 1.0),
        ("diplomatic_coordination", 0.0, 1.0),
    ]:
        s = with_values(state, **{variable: [low, high]})
        t = credibility.target(s, year_of(case, params, s))
        assert t[1] > t[0], variable


def test_credibility_target_falls_with_decoupling_friction_and_transactional_us(case, params, state):
    for variable in ("decoupling", "friction", "us_transactional", "us_overstretch"):
        s = with_values(state, **{variable: [0.0, 1.0]})
        t = credibility.target(s, year_of(case, params, s, levers=levers_for(case, state)))
        assert t[1] < t[0], variable


def test_missile_defence_offsets_decoupling(case, params, state):
    exposed = with_values(state, decoupling=[1.0, 1.0], missile_defense=[0.0, 1.0])
    t = credibility.target(exposed, year_of(case, params, exposed))
    assert t[1] > t[0]


def test_troop_signal_has_diminishing_returns(params):
    idx = credibility.troop_index(np.array([0.0, 5000.0, 10000.0, 28500.0]), params)
    assert idx[0] == 0.0 and np.isclose(idx[3], 1.0)
    assert idx[1] - idx[0] > idx[2] - idx[1]


def test_credibility_moves_gradually_and_a_cut_is_a_shock(case, params, state):
    s = with_values(state, credibility=[0.5, 0.5])
    y = year_of(case, params, s, events={"drawdown": np.array([False, True])})
    target = credibility.target(s, y)[0]
    calm, _ = credibility.update(s, y)
    assert abs(calm.credibility[0] - 0.5) < abs(target - 0.5)
    assert calm.credibility[1] < calm.credibility[0]
    assert np.all((calm.credibility >= 0) & (calm.credibility <= 1))


def test_public_support_rises_with_abandonment_fear_and_falls_with_integration(case, params, state):
    levers = levers_for(case, state)
    s = with_values(state, credibility=[0.9, 0.2])
    fear = proliferation.support_target(s, year_of(case, params, s, levers=levers))
    assert fear[1] > fear[0]
    s = with_values(state, nuclear_integration=[0, 3])
    integrated = proliferation.support_target(s, year_of(case, params, s, levers=levers))
    assert integrated[1] < integrated[0]


def test_nuclear_hazard_rises_as_credibility_falls_and_with_a_troop_cut(case, params, state):
    s = with_values(state, credibility=[0.9, 0.1])
    h = proliferation.advance_hazard(s, year_of(case, params, s, events={"drawdown": np.array([False, False])}))
    assert h[1] > h[0]
    cut = proliferation.advance_hazard(
        state, year_of(case, params, state, events={"drawdown": np.array([False, True])})
    )
    assert cut[1] > cut[0]


def test_nuclear_ladder_climbs_one_rung_and_pressure_reverses_early_steps(case, params, state):
    no_cut = {"drawdown": np.array([False, False])}
    s = with_values(state, nuclear_status=[1, 3], peak_nuclear_status=[1, 3])
    up, ev = proliferation.advance(s, year_of(case, params, s, draw=const(0.0), events=no_cut))
    assert list(up.nuclear_status) == [2, 4] and ev["nuclear_up"].all()
    s = with_values(state, nuclear_status=[2, 4], peak_nuclear_status=[2, 4])
    draw = lambda n: np.full(2, 0.999 if n == "nuclear_advance" else 0.0)  # noqa: E731
    down, ev = proliferation.advance(s, year_of(case, params, s, draw=draw, events=no_cut))
    assert list(down.nuclear_status) == [1, 4]  # exploring reversed; armed is not
    assert list(down.peak_nuclear_status) == [2, 4]


def test_drawdown_hazard_rises_with_transactional_us_and_friction_and_falls_with_value(case, params, state):
    levers = levers_for(case, state)
    for variable, a, b in [("us_transactional", 0, 1), ("friction", 0.0, 1.0), ("us_value", 1.0, 0.0)]:
        s = with_values(state, **{variable: [a, b]})
        h = force_posture.drawdown_hazard(s, year_of(case, params, s, levers=levers))
        assert h[1] > h[0], variable


def test_a_cut_lowers_the_next_cut_hazard_until_its_memory_fades(case, params, state):
    cut, calm = {"drawdown": np.array([True, False])}, {"drawdown": np.array([False, False])}
    s = with_values(state, cut_memory=[0.5, 0.5])
    remembered, _ = force_posture.remember_cut(s, year_of(case, params, s, events=cut))
    assert list(remembered.cut_memory) == [1.0, 0.5 * params["posture.cut_memory"]]
    y = year_of(case, params, state, events=calm)
    hazards = [force_posture.drawdown_hazard(state, y)[0]]
    for _ in range(6):
        hazards.append(force_posture.drawdown_hazard(remembered, y)[0])
        remembered, _ = force_posture.remember_cut(remembered, y)
    before, after_cut, *recovering = hazards
    assert after_cut < before and all(np.diff([after_cut, *recovering]) > 0) and recovering[-1] < before


def test_legislated_floor_holds_back_cuts(case, params, state):
    draw = const(force_posture.drawdown_hazard(state, year_of(case, params, state))[0] * 0.99)
    no_floor, ev = force_posture.troops(
        state, year_of(case, {**params, "posture.floor_strength": 0.0}, state, draw=draw)
    )
    assert ev["drawdown"].all()
    assert np.allclose(no_floor.troops, 28500 * (1 - params["posture.cut_fraction"]))
    floor, ev = force_posture.troops(state, year_of(case, {**params, "posture.floor_strength": 1.0}, state, draw=draw))
    assert not ev["drawdown"].any() and np.all(floor.troops == 28500)


def test_troops_leave_when_the_treaty_ends(case, params, state):
    s = with_values(state, treaty_status=[0, 2])
    after, _ = force_posture.troops(s, year_of(case, params, s, draw=const(0.999)))
    assert after.troops[0] == 28500 and after.troops[1] == 0


def test_transactional_demand_is_larger_and_unmet_demand_is_a_dispute(case, params, state):
    s = with_values(state, us_transactional=[0, 1], sma_renewal_year=[2027, 2027])
    new, ev = burden_sharing.renew(s, year_of(case, params, s, draw=const(0.999)))
    assert new.us_demand[1] > new.us_demand[0]
    assert ev["sma_renewal"].all()
    assert ev["unmet_demand"][1] > ev["unmet_demand"][0]
    assert ev["cost_dispute"][1] and not ev["cost_dispute"][0]
    assert np.all(new.cost_share >= state.cost_share)


def test_renewal_settles_at_the_stakeholders_weighted_median(params, state):
    s = with_values(state, us_transactional=[1, 1], rok_progressive=[1, 1], credibility=[0.7, 0.7])
    payment, demand = np.ones(2), np.full(2, 5.0)  # the five-fold demand of 2019
    # a president who alone holds more than half the weight gets the demand; one who does not cannot drag the
    # settlement far from the others (2019's demand ended in +13.9%)
    president = np.array([params["burden.weight_president_transactional"], 5.0])
    p = {**params, "burden.weight_president_transactional": president}
    settled = burden_sharing.settle(s, p, payment, demand)
    assert 1.0 < settled[0] < 1.5 and settled[1] == 5.0
    fearful = burden_sharing.settle(with_values(s, credibility=[0.0, 0.0]), params, payment, demand)
    assert np.all(fearful >= burden_sharing.settle(s, params, payment, demand))


def test_conservative_government_concedes_more(case, params, state):
    s = with_values(state, us_transactional=[1, 1], rok_progressive=[1, 0], sma_renewal_year=[2027, 2027])
    new, _ = burden_sharing.renew(s, year_of(case, params, s, draw=const(0.999)))
    assert new.cost_share[1] > new.cost_share[0]


def test_friction_accumulates_from_disputes_and_decays(case, params, state):
    s = with_values(state, friction=[0.3, 0.3], diplomatic_coordination=[1, 1], us_transactional=[0, 0])
    events = {"unmet_demand": np.array([0.0, 0.8]), "drawdown": np.array([False, False])}
    new, _ = friction.update(s, year_of(case, params, s, events=events))
    assert new.friction[1] > new.friction[0]
    assert new.friction[0] < 0.3


def test_regional_role_draws_coercion_in_proportion_to_trade(case, params, state):
    s = with_values(state, trade_china_share=[0.1, 0.3], prc_coercion=[0.0, 0.0])
    levers = dict(levers_for(case, s))
    levers["regional_role_effort"] = np.array([1.0, 1.0])
    new, _ = regional.advance(s, year_of(case, params, s, levers=levers))
    assert np.all(new.regional_role > s.regional_role)
    assert new.prc_coercion[1] > new.prc_coercion[0] > 0


def test_alliance_values_follow_their_drivers(case, params, state):
    def evaluate(**columns):
        s = with_values(state, **columns)
        return alliance_value.evaluate(s, year_of(case, params, s, reference=REF))[0]

    us = evaluate(regional_role=[0.0, 1.0]).us_value
    assert us[1] > us[0]
    # A receding axis (the end of the Cold War) lowers US value by its weight; the ROK's value does not move.
    axis = evaluate(axis_cohesion=[0.6, 0.05])
    assert axis.us_value[0] - axis.us_value[1] == pytest.approx(0.55 * params["value.us_axis"])
    assert axis.rok_value[0] == axis.rok_value[1]
    rok = evaluate(credibility=[0.2, 0.9]).rok_value
    assert rok[1] > rok[0]
    paid = evaluate(cost_share=[1.5, 6.0])
    assert paid.rok_value[1] < paid.rok_value[0] and paid.us_value[1] > paid.us_value[0]


def test_war_is_deterred_by_credibility_and_troops_and_incidents_follow_provocation(case, params, state):
    def rate(fn, **columns):
        s = with_values(state, **columns)
        return fn(s, year_of(case, params, s))

    war = rate(deterrence.war_rate, credibility=[0.2, 0.9])
    assert war[1] < war[0]
    war = rate(deterrence.war_rate, troops=[0, 28500])
    assert war[1] < war[0]
    inc = rate(deterrence.incident_rate, dprk_provocation=[0.1, 1.0])
    assert inc[1] > inc[0]


def test_armistice_channel_lowers_escalation(case, params, state):
    levers = dict(levers_for(case, state))
    levers["armistice_adherence"] = np.array([0.0, 1.0])
    # an incident every time, and an escalation draw just under the weaker channel's escalation chance
    threshold = params["deterrence.escalation"] * (1 - params["deterrence.armistice_channel"] * 0.5)
    draws = {"incident": 0.0, "escalation": threshold, "war": 0.999, "nuclear_use": 0.999}
    _new, ev = deterrence.advance(
        state, year_of(case, params, state, levers=levers, draw=lambda n: np.full(2, draws[n]))
    )
    assert ev["war_onset"][0] and not ev["war_onset"][1]


def test_termination_hazard_rises_as_value_falls_and_notice_takes_a_year(case, params, state):
    s = with_values(state, us_value=[0.8, -0.2], rok_value=[0.8, 0.8])
    h = termination.notice_hazard(s, year_of(case, params, s))
    assert h[1] > h[0] and np.all(h <= 1)
    s = with_values(state, treaty_status=[0, 1])
    new, ev = termination.advance(s, year_of(case, params, s, draw=const(0.0)))
    assert list(new.treaty_status) == [1, 2] and ev["treaty_notice"][0] and ev["termination"][1]


def test_opcon_transfer_waits_for_capability_and_follows_the_push(case, params, state):
    levers = dict(levers_for(case, state))
    levers["opcon_push"] = np.array([0.0, 1.0])
    ready = int(params["command.capability_ready_year"])
    before, _ = command.advance(state, year_of(case, params, state, year=ready - 1, levers=levers, draw=const(0.0)))
    assert np.all(before.opcon == 1)
    after, ev = command.advance(state, year_of(case, params, state, year=ready + 1, levers=levers, draw=const(0.0)))
    assert list(after.opcon) == [1, 2] and ev["opcon_transfer"][1]


def test_elections_follow_the_calendar(case, params, state):
    new, ev = politics.elections(state, year_of(case, params, state, year=2028, draw=const(0.999)))
    assert not ev["us_new_admin"].any() and not ev["rok_new_admin"].any()
    new, ev = politics.elections(state, year_of(case, params, state, year=2028, draw=const(0.0)))
    assert ev["rok_early_election"].all() and np.all(new.rok_next_election == 2033)
    new, ev = politics.elections(state, year_of(case, params, state, year=2029, draw=const(0.0)))
    assert ev["us_new_admin"].all() and ev["us_switched"].all()
    assert np.all(new.us_transactional == 0)
    new, ev = politics.elections(state, year_of(case, params, state, year=2030, draw=const(0.999)))
    assert ev["rok_new_admin"].all() and not ev["rok_switched"].any()
    assert np.all(new.rok_next_election == 2035)


def test_institutionalised_packages_are_undone_less_often(case, params, policies):
    rates = {}
    for name in ("transactional_pressure", "reciprocal_strengthening", "division_of_labour"):
        plan = LeverPlan.compile(case, policies[name])
        rates[name] = params[f"politics.reversal_{plan.institutionalisation}"]
    assert rates["transactional_pressure"] > rates["reciprocal_strengthening"] > rates["division_of_labour"]


def test_reversed_package_falls_back_to_the_defaults(case, params, policies, state):
    plan = LeverPlan.compile(case, policies["transactional_pressure"])
    s = with_values(state, reversed_us=[0, 1])
    levers = plan.values(s, 2028)
    assert levers["cost_demand_multiplier"][0] == 5.0
    assert levers["cost_demand_multiplier"][1] == case.levers["cost_demand_multiplier"].defaults["transactional"]


def test_lever_ramps_from_default_to_value(case, policies, state):
    plan = LeverPlan.compile(case, policies["division_of_labour"])
    early, later = plan.values(state, 2027)["troop_target"], plan.values(state, 2036)["troop_target"]
    assert 8000 < early[0] < 28500 and later[0] == 8000


def test_dprk_threat_is_bounded_and_grows_with_warheads(params, state):
    t = context.dprk_threat(np.array([10.0, 500.0]), params)
    assert 0 <= t[0] < t[1] < 1
