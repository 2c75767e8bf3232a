from .expected_utility import EUPath, expected_utility
from .models import compromise, nash, power_compromise, weighted_median
from .negotiation import Negotiation, negotiate
from .scoring import Settings, fit, score_deu3
from .tables import BUILTIN_TABLES, Deu3, Stakeholders, read_deu3, read_stakeholders, stakeholders_from_rows

__all__ = [
    "BUILTIN_TABLES",
    "Deu3",
    "EUPath",
    "Negotiation",
    "Settings",
    "Stakeholders",
    "compromise",
    "expected_utility",
    "fit",
    "nash",
    "negotiate",
    "power_compromise",
    "read_deu3",
    "read_stakeholders",
    "score_deu3",
    "stakeholders_from_rows",
    "weighted_median",
]
