"""What a case must give the model and the analysis, for the loader to check before anything runs."""

from __future__ import annotations

from ..case import Requirements
from ..engine import RECORDED
from ..model import REQUIREMENTS as MODEL_REQUIREMENTS
from . import calibration, compare, outcomes, signposts

# What a case must give the model and the analysis: the model's parameters, initial state and levers, the thresholds
# that turn paths into outcomes, named futures and signposts, and the base rates the model is calibrated against;
# the variables a signpost may read, and the thresholds that count years.
REQUIREMENTS = MODEL_REQUIREMENTS | Requirements.of(
    thresholds=(*outcomes.THRESHOLDS, *signposts.THRESHOLDS, *calibration.THRESHOLDS),
    base_rates=calibration.BASE_RATES,
    outcomes=compare.INDICATORS,
    recorded=RECORDED,
    year_counts=signposts.THRESHOLDS,
)
