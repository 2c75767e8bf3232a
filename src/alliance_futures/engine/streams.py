"""Counter-based random streams: every draw is a pure function of (seed, future index, year, stream name).

Because no generator state is carried from one draw to the next, the numbers future *i* sees do not depend on how
futures are split into chunks or workers, on which other futures are simulated, or on the order in which
mechanisms draw, and every policy package sees the same numbers (common random numbers). The mixing function is
the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA), used
as a counter-based generator in the sense of Salmon et al. 2011 ("Parallel random numbers: as easy as 1, 2, 3").
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15  # 2^64 / golden ratio, the SplitMix64 increment
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_TO_UNIT = 1.0 / (1 << 53)


def _mix_int(x: int) -> int:
    x &= _MASK
    x = ((x ^ (x >> 30)) * _M1) & _MASK
    x = ((x ^ (x >> 27)) * _M2) & _MASK
    return x ^ (x >> 31)


def _mix(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(_M1)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(_M2)
    return x ^ (x >> np.uint64(31))


class Streams:
    """Uniform draws in [0, 1) for a set of futures, addressed by year and stream name."""

    def __init__(self, seed: int, futures: NDArray[np.int64]):
        key = np.uint64(_mix_int(seed))
        self._base = _mix(futures.astype(np.uint64) * np.uint64(_GOLDEN) + key)

    def uniform(self, year: int, name: str) -> NDArray[np.float64]:
        stream = _mix_int((zlib.crc32(name.encode()) << 32) ^ (year & 0xFFFFFFFF))
        bits = _mix(self._base + np.uint64(stream))
        return (bits >> np.uint64(11)).astype(np.float64) * _TO_UNIT

    def for_year(self, year: int) -> Callable[[str], NDArray[np.float64]]:
        return lambda name: self.uniform(year, name)
