"""Calibration: at the central values of the ranges, the model's start-year hazards lie within the intervals of the
base rates the case records, and the command line prints them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import cli, write_edited

from alliance_futures import api, load_policy
from alliance_futures.analysis.calibration import BASE_RATES, central_parameters, hazards
from alliance_futures.case.loader import DATA


@pytest.fixture(scope="module")
def calibration():
    return api.calibrate(futures=4000, seed=1)["hazards"]


def test_every_central_start_year_hazard_lies_within_its_base_rate_interval(calibration):
    assert set(calibration) == set(BASE_RATES)
    outside = {
        name: (row["central"], row["base_low"], row["base_high"])
        for name, row in calibration.items()
        if not row["base_low"] <= row["central"] <= row["base_high"]
    }
    assert not outside, outside


def test_the_ranges_spread_around_the_central_value(calibration):
    for name, row in calibration.items():
        assert 0 <= row["p05"] <= row["central"] * 1.0001 + 0.02 and row["p05"] <= row["p95"] <= 1, name


def test_a_larger_abandonment_signal_makes_a_nuclear_move_more_likely(case):
    """The signal test forces a cut in the first year: a larger one moves more futures up the nuclear ladder."""
    policy = load_policy("current_course", case)
    params, n = central_parameters(case, 500)
    moves = []
    for share in (0.05, 0.5):
        thresholds = {
            **case.thresholds,
            "calibration_signal_cut": case.thresholds["calibration_signal_cut"].model_copy(update={"value": share}),
        }
        moves.append(
            hazards(case.model_copy(update={"thresholds": thresholds}), policy, params, n, 3)[
                "nuclear_move_after_signal"
            ].mean()
        )
    assert moves[1] > moves[0]


def test_calibrate_prints_a_table_and_json():
    table = cli("calibrate", "--futures", 400)
    assert table.returncode == 0, table.stderr
    assert "treaty notice" in table.stdout and "nuclear move after signal" in table.stdout
    hazards_json = json.loads(cli("calibrate", "--futures", 400, "--format", "json").stdout)["hazards"]
    assert set(hazards_json) == set(BASE_RATES)
    for row in hazards_json.values():
        assert set(row) >= {"central", "p05", "p95", "base_rate", "base_low", "base_high", "source"}
        assert np.isfinite(row["central"]) and row["source"]


def test_calibrate_names_a_case_without_a_base_rate(tmp_path):
    broken = write_edited(DATA / "us_rok.yaml", tmp_path / "case.yaml", lambda d: d["base_rates"].pop("war_onset"))
    result = cli("calibrate", "--case", broken, "--futures", 400)
    assert result.returncode == 2 and "missing key: the model needs 'war_onset' under 'base_rates'" in result.stderr
