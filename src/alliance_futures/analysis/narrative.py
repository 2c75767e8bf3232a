"""Plain-language, dated narratives of single simulated futures.

A future is simulated again on its own (same seed, same index, same parameters: the counter-based streams make
that exact), this time keeping every year's events, which are then told in the analyst's vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..case import Case, Policy
from ..engine import Branch, Ensemble, Paths, parameter_values, simulate
from .outcomes import NAMED_FUTURES, outcome_table

US = {0.0: "internationalist", 1.0: "transactional"}
ROK = {0.0: "conservative", 1.0: "progressive"}
NUCLEAR = {
    2.0: "begins exploring nuclear-weapons options",
    3.0: "decides to pursue nuclear weapons",
    4.0: "tests a nuclear weapon",
}
BEFORE_PAYMENTS = {
    "overstretch_onset": "the US is drawn into a major war elsewhere",
    "overstretch_end": "the US war elsewhere ends",
    "sma_reopened": "Washington reopens the cost-sharing agreement before it expires",
}
AFTER_PAYMENTS = {
    "opcon_transfer": "wartime operational control passes to a ROK-led Future-CFC",
    "division_adopted": "the allies adopt a division of labour: Seoul holds conventional defence, Washington the "
    "nuclear umbrella and third-party deterrence",
    "nuclear_reversed": "US pressure halts the ROK nuclear programme",
    "incident": "a deadly gray-zone incident with the DPRK",
    "war_onset": "war breaks out on the peninsula",
    "abandoned": "Washington does not come to the ROK's defence, and the alliance is broken",
    "nuclear_use": "nuclear weapons are used",
    "treaty_notice": "notice is given to end the Mutual Defense Treaty",
    "termination": "the Mutual Defense Treaty ends; US forces leave",
}
REGIONAL = {
    0.0: "Seoul gives up its commitments beyond the peninsula",
    1.0: "Seoul's regional role is declaratory again",
    2.0: "Seoul takes on operational commitments beyond the peninsula (maritime capacity building, logistics support)",
    3.0: "Seoul makes formal regional commitments (a Quad-plus seat, agreed strategic flexibility of US forces)",
}
INTEGRATION = {
    0.0: "nuclear consultation lapses",
    1.0: "nuclear consultation (NCG level)",
    2.0: "joint nuclear planning",
    3.0: "NATO-like nuclear sharing arrangements",
}


def trace_future(
    case: Case,
    policy: Policy,
    experiments: pd.DataFrame,
    future: int,
    years: int,
    seed: int,
    branches: Sequence[Branch] = (),
) -> Paths:
    """Re-simulate one future of an ensemble (continuing an earlier one's through `branches`, if it does), keeping
    its yearly state and events."""
    params = parameter_values(case, experiments.iloc[[future]])
    return simulate(case, policy, params, np.array([future]), years, seed, record=True, trace=True, branches=branches)


def _year_lines(
    ev: dict[str, np.ndarray],
    y: dict[str, np.ndarray],
    t: int,
    troops_before: float,
    policy: Policy,
    first_scheduled_cut: bool,
) -> list[str]:
    """What happened in one year, as short sentences."""
    at = {k: float(v[0, t]) for k, v in y.items()}
    lines: list[str] = []

    def happened(name: str) -> bool:
        return bool(ev[name][0])

    if happened("us_new_admin"):
        change = " (a change of course)" if happened("us_switched") else ""
        orientation = US[at["us_transactional"]]
        lines.append(
            f"{'an' if orientation[0] in 'aeiou' else 'a'} {orientation} US administration takes office{change}"
        )
    if happened("rok_new_admin"):
        early = "early " if happened("rok_early_election") else ""
        lines.append(f"a {ROK[at['rok_progressive']]} ROK president wins the {early}election")
    for side, who in (("us", "Washington"), ("rok", "Seoul")):
        if happened(f"{side}_undone"):
            lines.append(f"{who}'s new government abandons the '{policy.title}' package")
        if happened(f"{side}_adopted"):
            lines.append(f"{who} takes up the '{policy.title}' package")
        if happened(f"{side}_enacted"):
            lines.append(f"{who}'s part of the package takes effect ({policy.institutionalisation.replace('_', ' ')})")
    lines += [text for event, text in BEFORE_PAYMENTS.items() if happened(event)]
    if happened("sma_renewal"):
        dispute = ", a bitter dispute" if happened("cost_dispute") else ""
        lines.append(
            f"new cost-sharing deal: Seoul pays KRW {at['cost_share']:.2f} T a year against a US demand "
            f"of KRW {at['us_demand']:.2f} T{dispute}"
        )
    if happened("drawdown"):
        lines.append(f"Washington withdraws {troops_before - at['troops']:,.0f} troops (USFK now {at['troops']:,.0f})")
    if first_scheduled_cut:
        lines.append("a scheduled drawdown of US ground forces begins")
    if happened("regional_up") or happened("regional_down"):
        lines.append(REGIONAL[at["regional_role"]])
    if happened("integration_up") or happened("integration_down"):
        lines.append(f"nuclear integration: {INTEGRATION[at['nuclear_integration']]}")
    if happened("nuclear_up"):
        lines.append(f"Seoul {NUCLEAR[at['nuclear_status']]} (public support {at['public_support']:.0%})")
    lines += [text for event, text in AFTER_PAYMENTS.items() if happened(event)]
    return lines


def narrate(case: Case, policy: Policy, paths: Paths, first_year: int) -> str:
    """A dated narrative of one traced future (see `trace_future`)."""
    if paths.yearly is None or paths.events is None:
        raise ValueError("narrate needs a traced simulation (record=True, trace=True)")
    yearly = paths.yearly
    troops_before = case.initial["troops"].value
    scheduled = [bool(ev["scheduled_cut"][0]) for ev in paths.events]
    first_scheduled = scheduled.index(True) if any(scheduled) else -1
    out = []
    for t, ev in enumerate(paths.events):
        lines = _year_lines(ev, yearly, t, troops_before, policy, t == first_scheduled)
        troops_before = float(yearly["troops"][0, t])
        if lines:
            sentence = "; ".join(lines)
            out.append(f"{first_year + t}: {sentence[0].upper()}{sentence[1:]}.")
    last = first_year + len(paths.events) - 1
    named = outcome_table(paths.final, case, len(paths.events))["named_future"].iloc[0]
    f = paths.final
    out.append(
        f"By {last}: {NAMED_FUTURES[named]}. Credibility {f['credibility'][0]:.2f}, {f['troops'][0]:,.0f} US troops, "
        f"public support for nuclear weapons {f['public_support'][0]:.0%}, friction {f['friction'][0]:.2f}."
    )
    return "\n".join(out)


def tell(ensemble: Ensemble, package: str, future: int) -> str:
    """The dated narrative of one future of an ensemble under one package."""
    policy = ensemble.policies[package]
    paths = trace_future(
        ensemble.case, policy, ensemble.experiments, future, ensemble.years, ensemble.seed, ensemble.branches
    )
    return narrate(ensemble.case, policy, paths, int(ensemble.calendar_years[0]))
