"""Small array helpers shared by the mechanisms."""

from __future__ import annotations

import numpy as np

from .state import Array


def logistic(z: Array) -> Array:
    """The logistic function 1 / (1 + e^-z)."""
    return 1.0 / (1.0 + np.exp(-z))


def clip01(x: Array) -> Array:
    return np.clip(x, 0.0, 1.0)


def yearly_probability(rate: Array) -> Array:
    """Probability of at least one event in a year from a Poisson rate per year."""
    return -np.expm1(-rate)


def toward(current: Array, target: Array, speed: Array | float) -> Array:
    """Partial adjustment: close the share `speed` of the gap between current and target in one year."""
    return current + speed * (target - current)
