"""The alliance model: state, one module per mechanism, and the yearly step.

Every mechanism module declares the parameters (`PARAMETERS`) and levers (`LEVERS`) it reads, and the forms of any
structural switch it reads by position (`CHOICES`); together with the initial state they make `REQUIREMENTS`, what a
case must give the model, no more and no less.
"""

from ..case import Requirements
from .levers import LeverPlan
from .politics import put_forward
from .state import DOMAINS, INITIAL_VARIABLES, STATE_VARIABLES, State, Year, initial_state
from .step import MODULES, step

REQUIREMENTS = Requirements.of(
    parameters=(name for module in MODULES for name in module.PARAMETERS),
    initial=INITIAL_VARIABLES,
    domains=DOMAINS,
    levers=(name for module in MODULES for name in module.LEVERS),
    choices={name: forms for module in MODULES for name, forms in getattr(module, "CHOICES", {}).items()},
)

__all__ = ["REQUIREMENTS", "STATE_VARIABLES", "LeverPlan", "State", "Year", "initial_state", "put_forward", "step"]
