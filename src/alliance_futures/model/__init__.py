"""The alliance model: state, one module per mechanism, and the yearly step."""

from .levers import LeverPlan
from .state import STATE_VARIABLES, State, initial_state
from .step import step

__all__ = ["STATE_VARIABLES", "LeverPlan", "State", "initial_state", "step"]
