"""The mechanisms' contract: each declares the parameters and levers it reads, and the loader checks a case against
those declarations."""

from __future__ import annotations

import sys
from collections import defaultdict

import numpy as np
import pytest
from helpers import write_edited

from alliance_futures import InputError, load_case
from alliance_futures.case.loader import DATA
from alliance_futures.engine import parameter_values, sample
from alliance_futures.engine.streams import Streams
from alliance_futures.model import REQUIREMENTS, LeverPlan, initial_state, step
from alliance_futures.model.step import MODULES, SIMULATED

BUILTIN = DATA / "us_rok.yaml"


class Recording(dict):
    """A mapping that notes which module read each key."""

    def __init__(self, data, seen):
        super().__init__(data)
        self.seen = seen

    def __getitem__(self, key):
        self.seen[sys._getframe(1).f_globals["__name__"]].add(key)
        return super().__getitem__(key)


class RecordLevers(type(SIMULATED)):
    """Nothing recorded from history; the levers handed to the mechanisms note who reads them."""

    def __init__(self, seen):
        self.seen = seen

    def levers(self, levers):
        return Recording(levers, self.seen)


def reads(case, policies):
    """Which module read which parameter and lever, over 25 years of 64 futures under every package."""
    params_seen, levers_seen = defaultdict(set), defaultdict(set)
    experiments = sample(case, 64, seed=5)
    params = Recording(parameter_values(case, experiments), params_seen)
    for policy in policies.values():
        plan = LeverPlan.compile(case, policy)
        streams = Streams(5, np.arange(64))
        state = initial_state(case, 64)
        for year in range(2027, 2052):
            state, _ = step(state, case, plan, params, streams.for_year(year), year, RecordLevers(levers_seen))
    return params_seen, levers_seen


@pytest.fixture(scope="module")
def seen(case, policies):
    return reads(case, policies)


def test_every_module_reads_only_what_it_declares(seen):
    params_seen, levers_seen = seen
    for module in MODULES:
        assert params_seen[module.__name__] <= set(module.PARAMETERS), module.__name__
        assert levers_seen[module.__name__] <= set(module.LEVERS), module.__name__


def test_the_declarations_are_what_the_model_reads(seen):
    params_seen, levers_seen = seen
    assert set().union(*params_seen.values()) == REQUIREMENTS.parameters
    assert set().union(*levers_seen.values()) == REQUIREMENTS.levers


def test_a_case_must_give_exactly_what_the_model_declares(tmp_path):
    unread = write_edited(
        BUILTIN,
        tmp_path / "extra.yaml",
        lambda d: d["parameters"]["credibility"].update(
            spare={"value": 1.0, "allowed": [0, 2], "unit": "x", "meaning": "m", "source": "s"}
        ),
    )
    with pytest.raises(InputError, match="unknown key: the model does not use it") as err:
        load_case(unread)
    assert err.value.key == "parameters.credibility.spare" and err.value.line
    missing = write_edited(BUILTIN, tmp_path / "missing.yaml", lambda d: d["parameters"]["credibility"].pop("memory"))
    with pytest.raises(InputError, match=r"missing key: the model needs 'credibility\.memory'"):
        load_case(missing)


def test_a_switch_must_list_its_forms_in_the_order_the_model_reads_them(tmp_path):
    def swap(d):
        forms = d["parameters"]["credibility"]["troop_signal"]["choices"]
        d["parameters"]["credibility"]["troop_signal"]["choices"] = dict(reversed(list(forms.items())))

    swapped = write_edited(BUILTIN, tmp_path / "swapped.yaml", swap)
    with pytest.raises(InputError, match=r"expected the choices \['tripwire', 'balance'\] in this order") as err:
        load_case(swapped)
    assert err.value.key == "parameters.credibility.troop_signal.choices" and err.value.line
