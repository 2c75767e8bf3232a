"""Write the README's example tables from a default run, as `alliance-futures run` and `alliance-futures claims`
print them.

    python docs/readme_table.py          # rewrite the tables in README.md
    python docs/readme_table.py --check  # exit 1 if README.md's tables are not what a default run prints

The default run is the built-in case, all six packages, 10,000 futures (1,000 parameter vectors × 10 replications),
20 years, seed 1953. tests/test_docs.py checks that the README's tables are this script's output.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

import alliance_futures as af
from alliance_futures.cli import claims_table, comparison_table

README = Path(__file__).resolve().parents[1] / "README.md"
WIDTH = 150  # columns the tables are laid out in; README code blocks scroll sideways beyond that
MARKERS = ("default-run table", "claims table")  # each table follows '<!-- MARKER: docs/readme_table.py -->'


def fence(marker: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- {marker}: docs/readme_table\.py -->\n```text\n)(.*?)(```)", re.S)


def plain(table: Table) -> str:
    console = Console(width=WIDTH, file=io.StringIO(), color_system=None, record=True)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()).strip("\n") + "\n"


def default_tables() -> dict[str, str]:
    """The tables a default `alliance-futures run` and `alliance-futures claims` on it print, as plain text."""
    ensemble = af.run()
    summary = af.summarize(af.outcome_tables(ensemble), ensemble.replications)
    first = int(ensemble.calendar_years[0])
    run = comparison_table(summary, ensemble.futures, ensemble.years, first, ensemble.replications)
    return {"default-run table": plain(run), "claims table": plain(claims_table(af.claims(ensemble)))}


def readme_table(text: str, marker: str) -> str:
    found = fence(marker).search(text)
    if found is None:
        raise SystemExit(f"{README}: no block after '<!-- {marker}: docs/readme_table.py -->'")
    return found.group(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    text, tables = README.read_text(encoding="utf-8"), default_tables()
    if args.check:
        sys.exit(0 if all(readme_table(text, m) == tables[m] for m in MARKERS) else 1)
    for marker in MARKERS:
        readme_table(text, marker)  # refuse a README without the block before writing anything
        text = fence(marker).sub(lambda m, t=tables[marker]: m.group(1) + t + m.group(3), text)
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
