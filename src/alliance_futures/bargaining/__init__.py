"""Stakeholder bargaining forecasts: compromise, weighted median, Nash bargaining, and our power compromise,
over arrays of many issues at once; readers for stakeholder tables and the DEU III data set; out-of-sample scoring.
Independent of the alliance simulation."""

from .models import compromise, nash, power_compromise, weighted_median
from .scoring import score_deu3
from .tables import Deu3, Stakeholders, read_deu3, read_stakeholders

__all__ = [
    "Deu3",
    "Stakeholders",
    "compromise",
    "nash",
    "power_compromise",
    "read_deu3",
    "read_stakeholders",
    "score_deu3",
    "weighted_median",
]
