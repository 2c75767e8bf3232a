"""Direction and bounds of each mechanism: compare futures that differ in one driver. Where the literature contests
an effect's sign, the test checks that the mechanism follows the parameter's sign either way, not which way it goes."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import REF, levers_for, with_values, year_of

from alliance_futures.case.schema import ORIENTATIONS
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
    rok_effort,
    termination,
)
from alliance_futures.model.levers import LeverPlan

NO_SIGNAL = {"abandonment_signal": np.zeros(2), "drawdown": np.array([False, False])}


def const(value):
    """A draw function that returns the same number for every stream."""
    return lambda name: np.full(2, value)


def draws(**by_stream):
    """A draw function with a number per stream (0.999, no event, for any other)."""
    return lambda name: np.broadcast_to(np.asarray(by_stream.get(name, 0.999), dtype=float), (2,)).copy()


# Credibility


def test_credibility_target_rises_with_costly_signals(case, params, state):
    for variable, low, high in [
        ("troops", 5000, 28500),
        ("readiness", 0.2, 1.0),
        ("gray_zone_plans", 0.0, 1.0),
        ("diplomatic_coordination", 0.0, 1.0),
    ]:
        s = with_values(state, **{variable: [low, high]})
        t = credibility.target(s, year_of(case, params, s))
        assert t[1] > t[0], variable


def test_credibility_target_falls_with_decoupling_friction_transactional_us_and_overstretch(case, params, state):
    for variable in ("decoupling", "friction", "us_transactional", "us_overstretch"):
        s = with_values(state, **{variable: [0.0, 1.0]})
        t = credibility.target(s, year_of(case, params, s, levers=levers_for(case, state)))
        assert t[1] < t[0], variable


@pytest.mark.parametrize("sign", [-1.0, 1.0])
def test_contested_credibility_effects_follow_the_sign_the_future_draws(case, params, state, sign):
    """Nuclear integration, a division of labour's guarantee and missile defence against decoupling: each moves
    the target in the direction of its sampled slope (the case's ranges span both signs or zero)."""
    p = {
        **params,
        "credibility.nuclear_integration": sign * 1.0,
        "credibility.nuclear_guarantee": sign * 0.5,
        "credibility.missile_defense_offset": sign * 0.5,
    }
    for variable, values in [
        ("nuclear_integration", [0, 3]),
        ("division_of_labour", [0, 1]),
        ("missile_defense", [0.0, 1.0]),
    ]:
        s = with_values(state, decoupling=[1.0, 1.0], **{variable: values})
        t = credibility.target(s, year_of(case, p, s))
        assert np.sign(t[1] - t[0]) == sign, variable


def test_troop_signal_forms(params):
    """Both forms are 0 without troops and 1 at the reference; the tripwire is concave (a small force keeps most of
    the signal), the balance is in proportion to the forces (Reiter & Poast 2021)."""
    troops = np.array([0.0, 5000.0, 8000.0, 10000.0, 28500.0])
    tripwire = credibility.troop_index(troops, {**params, "credibility.troop_signal": 0.0})
    balance = credibility.troop_index(troops, {**params, "credibility.troop_signal": 1.0})
    for index in (tripwire, balance):
        assert index[0] == 0.0 and np.isclose(index[-1], 1.0) and np.all(np.diff(index) > 0)
    assert tripwire[1] - tripwire[0] > tripwire[3] - tripwire[1]
    assert np.allclose(balance, troops / 28500)
    assert tripwire[2] > balance[2]


def test_credibility_moves_gradually_and_a_cut_is_a_shock_in_proportion_to_its_signal(case, params, state):
    s = with_values(state, credibility=[0.5, 0.5])
    quiet = year_of(case, params, s, events=NO_SIGNAL)
    target = credibility.target(s, quiet)[0]
    calm, _ = credibility.update(s, quiet)
    assert abs(calm.credibility[0] - 0.5) < abs(target - 0.5)
    small, _ = credibility.update(s, year_of(case, params, s, events={"abandonment_signal": np.array([0.0, 0.5])}))
    large, _ = credibility.update(s, year_of(case, params, s, events={"abandonment_signal": np.array([0.0, 2.0])}))
    assert large.credibility[1] < small.credibility[1] < small.credibility[0]
    assert np.all((large.credibility >= 0) & (large.credibility <= 1))


def test_credibility_is_lost_once_the_us_has_not_honoured_the_commitment(case, params, state):
    s = with_values(state, abandoned=[0, 1])
    new, _ = credibility.update(s, year_of(case, params, s, events=NO_SIGNAL))
    assert new.credibility[0] > 0 and new.credibility[1] == 0


# Force posture: cuts and their signals


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


def test_every_cut_sends_an_abandonment_signal_and_a_negotiated_one_a_share_of_it(case, params, state):
    """The same cut announced (a hazard cut) and scheduled by a package (negotiated): the negotiated signal is the
    share `posture.negotiated_signal` of the announced one, and both scale with the cut's size."""
    p = {**params, "posture.floor_strength": 0.0, "posture.negotiated_signal": 0.4}
    size = params["posture.cut_fraction"]
    announced, ev_a = force_posture.troops(state, year_of(case, p, state, draw=const(0.0)))
    levers = {**levers_for(case, state), "troop_target": 28500 * (1 - size)}
    scheduled, ev_s = force_posture.troops(state, year_of(case, p, state, draw=const(0.999), levers=levers))
    assert np.allclose(announced.troops, scheduled.troops)
    assert ev_a["drawdown"].all() and not ev_s["drawdown"].any() and ev_s["scheduled_cut"].all()
    assert np.allclose(ev_a["abandonment_signal"], size / p["posture.signal_cut"])
    assert np.allclose(ev_s["abandonment_signal"], 0.4 * ev_a["abandonment_signal"])
    quiet, ev_q = force_posture.troops(state, year_of(case, p, state, draw=const(0.999)))
    assert np.all(ev_q["abandonment_signal"] == 0) and np.all(quiet.troops == 28500)


def test_troops_leave_when_the_treaty_ends_and_no_cut_is_announced_in_wartime(case, params, state):
    s = with_values(state, treaty_status=[0, 2])
    after, _ = force_posture.troops(s, year_of(case, params, s, draw=const(0.999)))
    assert after.troops[0] == 28500 and after.troops[1] == 0
    s = with_values(state, war=[0, 1])
    _, ev = force_posture.troops(s, year_of(case, {**params, "posture.floor_strength": 0.0}, s, draw=const(0.0)))
    assert list(ev["drawdown"]) == [True, False]


# Burden sharing


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


def test_a_renewal_settled_for_some_futures_is_what_settling_all_gives_them(params, state):
    s = with_values(state, us_transactional=[1, 0], rok_progressive=[0, 1], credibility=[0.3, 0.9])
    payment, demand = np.array([1.0, 1.2]), np.array([5.0, 1.5])
    p = {**params, "burden.agencies_ask": np.array([1.1, 1.4]), "burden.offer_fear": np.array([0.2, 0.9])}
    every = burden_sharing.settle(s, p, payment, demand)
    for future in (0, 1):
        due = np.array([future])
        assert burden_sharing.settle(s, p, payment[due], demand[due], due)[0] == every[future]


def test_conservative_government_concedes_more(case, params, state):
    s = with_values(state, us_transactional=[1, 1], rok_progressive=[1, 0], sma_renewal_year=[2027, 2027])
    new, _ = burden_sharing.renew(s, year_of(case, params, s, draw=const(0.999)))
    assert new.cost_share[1] > new.cost_share[0]


def test_the_payment_and_the_demand_follow_the_forces(case, params, state):
    s = with_values(state, troops=[28500, 14250])
    y = year_of(case, params, s)
    reference = burden_sharing.reference_payment(s, y)
    assert reference[1] == pytest.approx(reference[0] / 2)
    left = {"troops_cut": np.array([0.0, 14250.0])}
    after, _ = burden_sharing.follow_forces(
        s, year_of(case, {**params, "burden.payment_follows_troops": 0.8}, s, events=left)
    )
    assert after.cost_share[0] == state.cost_share[0]
    assert after.cost_share[1] == pytest.approx(state.cost_share[1] * (1 - 0.8 * 0.5))


def test_no_agreement_is_renegotiated_in_wartime(case, params, state):
    s = with_values(state, war=[0, 1], sma_renewal_year=[2027, 2027])
    _, ev = burden_sharing.renew(s, year_of(case, params, s, draw=const(0.999)))
    assert list(ev["sma_renewal"]) == [True, False]


def test_friction_accumulates_from_disputes_and_cuts_and_decays(case, params, state):
    s = with_values(state, friction=[0.3, 0.3], diplomatic_coordination=[1, 1], us_transactional=[0, 0])
    events = {"unmet_demand": np.array([0.0, 0.8]), "abandonment_signal": np.zeros(2)}
    new, _ = friction.update(s, year_of(case, params, s, events=events))
    assert new.friction[1] > new.friction[0] and new.friction[0] < 0.3
    events = {"unmet_demand": np.zeros(2), "abandonment_signal": np.array([0.0, 1.0])}
    cut, _ = friction.update(s, year_of(case, params, s, events=events))
    assert cut.friction[1] == pytest.approx(cut.friction[0] + params["friction.drawdown"])


# The ROK's own effort


def test_rok_spending_rises_with_abandonment_fear_and_withdrawn_forces_up_to_its_ceiling(case, params, state):
    p = {**params, "rok.burden_abandonment": 0.03, "rok.burden_us_forces": 0.02}
    y = year_of(case, p, state)
    for variable, calm, worried in [("credibility", 0.9, 0.2), ("troops", 28500, 8000)]:
        s = with_values(state, **{variable: [calm, worried]})
        new, _ = rok_effort.invest(s, y)
        assert new.rok_defense_burden[1] > new.rok_defense_burden[0], variable
    s = with_values(state, rok_defense_burden=[0.5, 0.5])
    capped, _ = rok_effort.invest(s, year_of(case, {**p, "rok.burden_rate": 1.0}, s))
    assert np.all(capped.rok_defense_burden <= p["rok.burden_ceiling"] + 1e-12)


def test_rok_strength_grows_only_while_spending_is_above_upkeep(case, params, state):
    upkeep = params["rok.burden_upkeep"]
    s = with_values(state, rok_defense_burden=[upkeep * 0.8, upkeep * 1.5])
    p = {**params, "rok.burden_rate": 0.0}  # spending held where it is
    new, _ = rok_effort.invest(s, year_of(case, p, s))
    assert new.rok_strength[0] < 1.0 < new.rok_strength[1]


# Command structure


def test_opcon_transfer_needs_its_conditions_and_the_push(case, params, state):
    gap, bar = params["command.capability_gap"], params["command.readiness_condition"]
    ready = with_values(state, rok_strength=[1 + gap + 0.01] * 2, readiness=[bar + 0.01] * 2)
    levers = {**levers_for(case, state), "opcon_push": np.array([0.0, 1.0])}
    after, ev = command.advance(ready, year_of(case, params, ready, levers=levers, draw=const(0.0)))
    assert list(after.opcon) == [1, 2] and ev["opcon_transfer"][1]
    levers["opcon_push"] = np.array([1.0, 1.0])
    for unmet in (
        {"rok_strength": [1 + gap - 0.01] * 2},  # capability short of the bar: the transfer slips
        {"readiness": [bar - 0.01] * 2},  # not certified through exercises
        {"treaty_status": [2, 2]},
        {"war": [1, 1]},
    ):
        s = with_values(ready, **unmet)
        after, _ = command.advance(s, year_of(case, params, s, levers=levers, draw=const(0.0)))
        assert np.all(after.opcon == 1), unmet


@pytest.mark.parametrize("effect", [-0.2, 0.1])
def test_a_rok_led_command_moves_readiness_by_the_sampled_effect(case, params, state, effect):
    s = with_values(state, opcon=[1, 2], readiness=[0.9, 0.9])
    levers = {**levers_for(case, state), "exercise_tempo": 1.0}
    new, _ = force_posture.settings(s, year_of(case, {**params, "command.rok_led_readiness": effect}, s, levers=levers))
    assert np.sign(new.readiness[1] - new.readiness[0]) == np.sign(effect)


# Regional role and China


def test_the_regional_role_climbs_toward_the_effort_held_back_by_coercion(case, params, state):
    s = with_values(state, regional_role=[1, 1], prc_coercion=[0.0, 1.0])
    levers = {**levers_for(case, s), "regional_role_effort": np.array([2.0, 2.0])}
    p = {**params, "regional.coercion_restraint": 0.5}
    chance = p["regional.role_step_up"]
    new, _ = regional.advance(s, year_of(case, p, s, levers=levers, draw=const(chance * 0.75)))
    assert list(new.regional_role) == [2, 1]  # 0.75 of the chance: the coerced future does not climb
    below = {**levers, "regional_role_effort": np.array([1.0, 0.5])}
    stay, _ = regional.advance(s, year_of(case, p, s, levers=below, draw=const(0.0)))
    assert list(stay.regional_role) == [1, 0]  # at its effort it stays; below it, it falls
    war = with_values(s, war=[1, 1])
    frozen, _ = regional.advance(war, year_of(case, p, war, levers=levers, draw=const(0.0)))
    assert np.all(frozen.regional_role == 1)


def test_coercion_persists_at_a_level_set_by_alignment_and_jumps_with_new_steps(case, params, state):
    s = with_values(state, prc_coercion=[0.0, 0.0], trade_china_share=[0.1, 0.3])
    levers = {**levers_for(case, s), "regional_role_effort": np.array([1.0, 1.0])}  # no step this year
    calm, _ = regional.advance(s, year_of(case, params, s, levers=levers))
    assert calm.prc_coercion[1] > calm.prc_coercion[0] > 0  # no step, yet pressure in proportion to trade
    resting = calm
    for _ in range(60):
        resting, _ = regional.advance(resting, year_of(case, params, resting, levers=levers))
    level = params["regional.coercion_base"] + params["regional.coercion_alignment"] * regional.alignment(
        resting
    ) * regional.exposure(resting, params)
    assert np.allclose(resting.prc_coercion, level)  # it settles there, not at zero
    step = {**levers, "regional_role_effort": np.array([3.0, 3.0])}
    jumped, ev = regional.advance(s, year_of(case, params, s, levers=step, draw=const(0.0)))
    assert ev["regional_up"].all()
    jump = jumped.prc_coercion - calm.prc_coercion
    assert jump[1] > jump[0] > 0  # a new step draws a jump, larger with more trade at stake


def test_alliance_values_follow_their_drivers(case, params, state):
    def evaluate(**columns):
        s = with_values(state, **columns)
        return alliance_value.evaluate(s, year_of(case, params, s, reference=REF))[0]

    us = evaluate(regional_role=[0.0, 3.0]).us_value
    assert us[1] - us[0] == pytest.approx(params["value.us_regional_role"])
    # A receding axis (the end of the Cold War) lowers US value by its weight; the ROK's value does not move.
    axis = evaluate(axis_cohesion=[0.6, 0.05])
    assert axis.us_value[0] - axis.us_value[1] == pytest.approx(0.55 * params["value.us_axis"])
    assert axis.rok_value[0] == axis.rok_value[1]
    rok = evaluate(credibility=[0.2, 0.9]).rok_value
    assert rok[1] > rok[0]
    paid = evaluate(cost_share=[1.5, 6.0])
    assert paid.rok_value[1] < paid.rok_value[0] and paid.us_value[1] > paid.us_value[0]


def test_a_division_of_labour_relieves_the_strain_of_a_war_elsewhere_by_the_sampled_share(params, state):
    s = with_values(state, us_overstretch=[1, 1], division_of_labour=[0, 1])
    strain = context.overstretch_strain(s, {**params, "context.overstretch_relief": 0.6})
    assert list(strain) == [1.0, pytest.approx(0.4)]
    none = context.overstretch_strain(s, {**params, "context.overstretch_relief": 0.0})
    assert list(none) == [1.0, 1.0]


# Proliferation


@pytest.mark.parametrize("sign", [-1.0, 1.0])
def test_public_support_follows_the_sampled_sign_of_abandonment_fear(case, params, state, sign):
    """Son & Yim 2021 (credibility lowers support) against Sukin 2020 (credibility raises it)."""
    p = {**params, "proliferation.support_abandonment": sign * 1.0}
    s = with_values(state, credibility=[0.9, 0.2])
    fear = proliferation.support_target(s, year_of(case, p, s))
    assert np.sign(fear[1] - fear[0]) == sign


def test_nuclear_hazard_rises_as_credibility_falls_and_with_a_cut_in_proportion_to_its_signal(case, params, state):
    s = with_values(state, credibility=[0.9, 0.1])
    h = proliferation.advance_hazard(s, year_of(case, params, s, events=NO_SIGNAL))
    assert h[1] > h[0]
    signals = {"abandonment_signal": np.array([0.5, 1.5])}
    cut = proliferation.advance_hazard(state, year_of(case, params, state, events=signals))
    base = proliferation.advance_hazard(state, year_of(case, params, state, events=NO_SIGNAL))
    assert base[0] < cut[0] < cut[1]


def test_nuclear_ladder_climbs_one_rung_and_pressure_reverses_early_steps(case, params, state):
    s = with_values(state, nuclear_status=[1, 3], peak_nuclear_status=[1, 3])
    up, ev = proliferation.advance(s, year_of(case, params, s, draw=const(0.0), events=NO_SIGNAL))
    assert list(up.nuclear_status) == [2, 4] and ev["nuclear_up"].all()
    s = with_values(state, nuclear_status=[2, 4], peak_nuclear_status=[2, 4])
    down, ev = proliferation.advance(s, year_of(case, params, s, draw=draws(nuclear_reversal=0.0), events=NO_SIGNAL))
    assert list(down.nuclear_status) == [1, 4]  # exploring reversed; armed is not
    assert list(down.peak_nuclear_status) == [2, 4]


# Deterrence and war


def test_war_is_deterred_by_credibility_and_the_balance_and_incidents_follow_provocation(case, params, state):
    def rate(fn, **columns):
        s = with_values(state, **columns)
        return fn(s, year_of(case, params, s))

    assert np.diff(rate(deterrence.war_rate, credibility=[0.2, 0.9]))[0] < 0
    assert np.diff(rate(deterrence.war_rate, troops=[0, 28500]))[0] < 0
    assert np.diff(rate(deterrence.war_rate, rok_strength=[1.0, 1.5]))[0] < 0
    assert np.diff(rate(deterrence.incident_rate, dprk_provocation=[0.1, 1.0]))[0] > 0


def test_the_us_balance_contribution_is_in_proportion_to_forces_and_readiness(params, state):
    full = deterrence.conventional_balance(with_values(state, troops=[28500, 14250], readiness=[1, 1]), params)
    us = full - params["deterrence.rok_conventional"]
    assert us[1] == pytest.approx(us[0] / 2) and us[0] == pytest.approx(params["deterrence.us_conventional"])


@pytest.mark.parametrize("sign", [-1.0, 1.0])
def test_third_party_deterrence_follows_the_sampled_sign(case, params, state, sign):
    p = {**params, "deterrence.war_third_party": sign * 0.3}
    s = with_values(state, division_of_labour=[0, 1])
    war = deterrence.war_rate(s, year_of(case, p, s))
    assert np.sign(war[0] - war[1]) == sign


def test_the_chance_the_us_fights_starts_at_the_base_rate_and_rises_with_forces_and_value(params, state):
    s = with_values(state, troops=[0, 0], us_value=[0, 0])
    assert deterrence.honour_chance(s, params) == pytest.approx(params["deterrence.honour_base"])
    more = deterrence.honour_chance(with_values(state, troops=[0, 28500], us_value=[0.3, 0.3]), params)
    valued = deterrence.honour_chance(with_values(state, us_value=[0.0, 0.5]), params)
    assert more[1] > more[0] and valued[1] > valued[0]


def test_a_commitment_not_honoured_ends_the_alliance(case, params, state):
    on = draws(war=0.0, honour=[0.0, 0.9999])
    new, ev = deterrence.advance(state, year_of(case, params, state, draw=on))
    assert ev["war_onset"].all() and list(ev["abandoned"]) == [False, True]
    assert list(new.treaty_status) == [0, 2] and list(new.abandoned) == [0, 1]


def test_armistice_channel_lowers_escalation(case, params, state):
    levers = dict(levers_for(case, state))
    levers["armistice_adherence"] = np.array([0.0, 1.0])
    # an incident every time, and an escalation draw just under the weaker channel's escalation chance
    threshold = params["deterrence.escalation"] * (1 - params["deterrence.armistice_channel"] * 0.5)
    on = draws(incident=0.0, escalation=threshold)
    _new, ev = deterrence.advance(state, year_of(case, params, state, levers=levers, draw=on))
    assert ev["war_onset"][0] and not ev["war_onset"][1]


# Termination


def test_termination_hazard_is_the_base_rate_at_the_reference_value_and_rises_below_it(case, params, state):
    reference = params["termination.value_reference"]
    s = with_values(state, us_value=[reference, reference - 0.3], rok_value=[0.8, 0.8])
    h = termination.notice_hazard(s, year_of(case, params, s))
    assert h[0] == pytest.approx(params["termination.base_hazard"]) and h[1] > h[0] and np.all(h <= 1)
    s = with_values(state, treaty_status=[0, 1])
    new, ev = termination.advance(s, year_of(case, params, s, draw=const(0.0)))
    assert list(new.treaty_status) == [1, 2] and ev["treaty_notice"][0] and ev["termination"][1]


# Politics: elections and packages


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


def decide(case, params, policy, state, *, year, draw, new_admin=(False, False)):
    events = {"us_new_admin": np.array(new_admin), "rok_new_admin": np.array([False, False])}
    return politics.decide_packages(
        state, year_of(case, params, state, year=year, draw=draw, events=events, policy=policy)
    )


def test_a_package_is_taken_up_with_the_chance_its_file_gives_the_government_in_office(case, params, policies, state):
    """transactional_pressure: the 2027 US government is transactional in one future, internationalist in the
    other; a draw between their chances separates them."""
    policy = policies["transactional_pressure"]
    first, second = policy.adoption.chance("us")  # internationalist, transactional
    s = with_values(state, us_transactional=[1, 0])
    new, ev = decide(case, params, policy, s, year=2027, draw=draws(us_package=(first + second) / 2, us_enactment=0.0))
    assert list(new.adopted_us) == [1, 0] and list(ev["us_adopted"]) == [True, False]
    assert list(new.in_force_us) == [1, 0]  # an executive choice takes effect at once
    later, ev = decide(case, params, policy, new, year=2028, draw=draws(us_package=0.9999, us_enactment=0.0))
    assert list(later.adopted_us) == [1, 0] and list(later.in_force_us) == [2, 0]  # no new administration


@pytest.mark.parametrize("level", ["executive", "joint_statement", "law"])
def test_an_unwilling_government_keeps_a_package_with_its_levels_persistence(case, params, policies, state, level):
    policy = policies["transactional_pressure"].model_copy(update={"institutionalisation": level})
    p = {**params, f"politics.persistence_{level}": 0.6}
    s = with_values(state, us_transactional=[0, 0], adopted_us=[1, 1], in_force_us=[3, 3])  # internationalist
    willing = policy.adoption.chance("us")[0]
    keep = willing + (1 - willing) * 0.6
    new, ev = decide(
        case, p, policy, s, year=2029, draw=draws(us_package=[keep - 0.01, keep + 0.01]), new_admin=(True, True)
    )
    assert list(new.adopted_us) == [1, 0] and list(new.in_force_us) == [4, 0] and list(ev["us_undone"]) == [False, True]


def test_a_law_binds_only_once_enacted_and_the_levers_wait_for_it(case, params, policies, state):
    policy = policies["division_of_labour"]
    assert policy.institutionalisation == "law"
    p = {**params, "politics.enactment_law": 0.3}
    s = with_values(state, us_transactional=[1, 1])
    adopted, _ = decide(case, p, policy, s, year=2027, draw=draws(us_package=0.0, us_enactment=[0.2, 0.4]))
    assert list(adopted.adopted_us) == [1, 1] and list(adopted.in_force_us) == [1, 0]
    plan = LeverPlan.compile(case, policy)
    target = plan.values(adopted, 2027)["troop_target"]
    assert target[0] < 28500 and target[1] == 28500  # the pending law sets nothing yet


def test_levers_ramp_over_the_years_in_force(case, policies, state):
    plan = LeverPlan.compile(case, policies["division_of_labour"])
    s = with_values(state, in_force_us=[1, 10])
    target = plan.values(s, 2036)["troop_target"]
    assert 8000 < target[0] < 28500 and target[1] == 8000


def test_each_future_gets_the_default_of_the_government_it_has(case, policies, state):
    plan = LeverPlan.compile(case, policies["current_course"])
    s = with_values(state, us_transactional=[1, 0], rok_progressive=[0, 1])
    levers = plan.values(s, 2028)
    for name, lever in case.levers.items():
        first, second = (lever.defaults[o] for o in ORIENTATIONS[lever.side])
        flags = s.us_transactional if lever.side == "us" else s.rok_progressive
        assert list(np.broadcast_to(levers[name], 2)) == [second if f == 1 else first for f in flags], name


def test_an_undone_package_falls_back_to_the_defaults(case, policies, state):
    plan = LeverPlan.compile(case, policies["transactional_pressure"])
    s = with_values(state, in_force_us=[1, 0])
    levers = plan.values(s, 2028)
    assert levers["cost_demand_multiplier"][0] == 5.0
    assert levers["cost_demand_multiplier"][1] == case.levers["cost_demand_multiplier"].defaults["transactional"]


# Context


def test_dprk_warheads_grow_by_the_sampled_production_and_the_threat_saturates(case, params, state):
    new, _ = context.advance(state, year_of(case, {**params, "dprk.warhead_production": 12.0}, state))
    assert np.allclose(new.dprk_warheads, state.dprk_warheads + 12.0)
    t = context.dprk_threat(np.array([10.0, 500.0]), params)
    assert 0 <= t[0] < t[1] < 1


def test_dprk_provocation_answers_exercises_by_the_sampled_slope_and_falls_with_engagement(case, params, state):
    p = {**params, "dprk.provocation_exercises": 0.2, "dprk.provocation_noise": 0.0}
    s = with_values(state, exercises=[0.0, 1.0])
    new, _ = context.advance(s, year_of(case, p, s))
    assert new.dprk_provocation[1] - new.dprk_provocation[0] == pytest.approx(0.2)
    levers = {**levers_for(case, state), "inter_korean_engagement": np.array([0.0, 1.0]), "engagement_support": 1.0}
    s = with_values(state, diplomatic_coordination=[1.0, 1.0])
    engaged, _ = context.advance(s, year_of(case, p, s, levers=levers))
    assert engaged.dprk_provocation[1] < engaged.dprk_provocation[0]
