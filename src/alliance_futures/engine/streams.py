"""Counter-based random streams: every draw is a pure function of (seed, future index, year, stream name).

Because no generator state is carried from one draw to the next, the numbers future *i* sees do not depend on how
futures are split into chunks or workers, on which other futures are simulated, or on the order in which
mechanisms draw, and every policy package sees the same numbers (common random numbers). The mixing function is
the SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA), used
as a counter-based generator in the sense of Salmon et al. 2011 ("Parallel random numbers: as easy as 1, 2, 3").

A future can also continue another one: through a year it draws what its source drew (so it retraces the source's
path exactly, and the state it reaches needs no saving), and after it, fresh numbers of its own (a `Lineage`). This is
how an ensemble updated by observations is re-simulated from the last observed year (`analysis.nowcast`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from typing import Protocol

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
    """The SplitMix64 finaliser of every entry, in place (`x` is overwritten and returned): no new array for each
    of its nine steps."""
    shifted = np.empty_like(x)
    for shift, multiplier in ((30, _M1), (27, _M2)):
        x ^= np.right_shift(x, np.uint64(shift), out=shifted)
        x *= np.uint64(multiplier)
    x ^= np.right_shift(x, np.uint64(31), out=shifted)
    return x


class Lineage(Protocol):
    """Futures continuing earlier ones: through year `through`, future j draws what future `source[j]` drew under
    `seed` (and so retraces its path). An ensemble lists its lineages earliest first, each `source` indexed by the
    ensemble's own futures (see `ensemble.Branch`)."""

    @property
    def through(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def source(self) -> NDArray[np.int64]: ...


def depth(branches: Sequence[Lineage], year: int) -> int:
    """How many branches back a future's `year` comes from: going back from the latest while the year is within
    each (0: the future's own)."""
    back = 0
    for branch in reversed(branches):
        if year > branch.through:
            break
        back += 1
    return back


class Streams:
    """Uniform draws in [0, 1) for a set of futures, addressed by year and stream name; futures that continue
    earlier ones (`branches`) draw, in a year up to a branch's, what their source drew."""

    def __init__(self, seed: int, futures: NDArray[np.int64], branches: Sequence[Lineage] = ()):
        self._seed, self._futures, self._branches = seed, futures, branches
        self._bases: dict[int, NDArray[np.uint64]] = {}  # by how many branches back the numbers come from

    def _base(self, year: int) -> NDArray[np.uint64]:
        """Whose numbers the futures draw in `year` (see `depth`)."""
        back = depth(self._branches, year)
        if back not in self._bases:
            if back == 0:
                self._bases[back] = _base(self._seed, self._futures)
            else:
                branch = self._branches[-back]
                self._bases[back] = _base(branch.seed, branch.source[self._futures])
        return self._bases[back]

    def uniform(self, year: int, name: str) -> NDArray[np.float64]:
        stream = _mix_int((zlib.crc32(name.encode()) << 32) ^ (year & 0xFFFFFFFF))
        bits = _mix(self._base(year) + np.uint64(stream))
        unit = np.right_shift(bits, np.uint64(11), out=bits).astype(np.float64)
        unit *= _TO_UNIT
        return unit

    def for_year(self, year: int) -> Callable[[str], NDArray[np.float64]]:
        return lambda name: self.uniform(year, name)


def _base(seed: int, futures: NDArray[np.int64]) -> NDArray[np.uint64]:
    return _mix(futures.astype(np.uint64) * np.uint64(_GOLDEN) + np.uint64(_mix_int(seed)))
