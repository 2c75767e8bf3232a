"""Structured expert judgement: Cooke's classical model (`classical`) and the studies it scores, in our YAML format
(`study`) or EXCALIBUR's (`excalibur`)."""

from .classical import (
    DecisionMaker,
    Scores,
    Split,
    Study,
    cross_validation,
    decision_maker,
    equal_decision_maker,
    optimal_decision_maker,
    robustness,
    score,
    subset,
    weights,
)
from .excalibur import BUILTIN_STUDIES, read_excalibur
from .study import read_study

__all__ = [
    "BUILTIN_STUDIES",
    "DecisionMaker",
    "Scores",
    "Split",
    "Study",
    "cross_validation",
    "decision_maker",
    "equal_decision_maker",
    "optimal_decision_maker",
    "read_excalibur",
    "read_study",
    "robustness",
    "score",
    "subset",
    "weights",
]
