"""Small array helpers shared by the mechanisms."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .state import Array, Draw

Index = NDArray[np.intp] | slice  # some futures, by position
ALL: Index = slice(None)


def at(values: Array | float, futures: Index) -> Array | float:
    """The values of some futures: a per-future array indexed, a number shared by every future as it is."""
    return values[futures] if isinstance(values, np.ndarray) and values.ndim else values


def logistic(z: Array) -> Array:
    """The logistic function 1 / (1 + e^-z)."""
    return 1.0 / (1.0 + np.exp(-z))


def clip01(x: Array) -> Array:
    return np.clip(x, 0.0, 1.0)


def yearly_probability(rate: Array) -> Array:
    """Probability of at least one event in a year from a Poisson rate per year."""
    return -np.expm1(-rate)


def toward(current: Array, target: Array | float, speed: Array | float) -> Array:
    """Partial adjustment: close the share `speed` of the gap between current and target in one year."""
    return current + speed * (target - current)


def draw_if(draw: Draw, stream: str, needed: NDArray[Any]) -> Array | float:
    """Draw a stream only if some future needs it this year; 1.0 (no event) otherwise. Draws are addressed, not
    sequential (see engine.streams), so skipping one changes no other number."""
    return draw(stream) if needed.any() else 1.0
