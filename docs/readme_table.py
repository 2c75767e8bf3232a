"""Write the README's example table from a default run, as `alliance-futures run` prints it.

    python docs/readme_table.py          # rewrite the table in README.md
    python docs/readme_table.py --check  # exit 1 if README.md's table is not what a default run prints

The default run is the built-in case, all six packages, 10,000 futures, 20 years, seed 1953. tests/test_docs.py
checks that the README's table is this script's output.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

from rich.console import Console

import alliance_futures as af
from alliance_futures.cli import comparison_table

README = Path(__file__).resolve().parents[1] / "README.md"
WIDTH = 150  # columns the table is laid out in; README code blocks scroll sideways beyond that
FENCE = re.compile(r"(<!-- default-run table: docs/readme_table\.py -->\n```text\n)(.*?)(```)", re.S)


def default_table() -> str:
    """The table a default `alliance-futures run` prints, as plain text."""
    ensemble = af.run(paths=False)
    summary = af.summarize(af.outcome_tables(ensemble))
    console = Console(width=WIDTH, file=io.StringIO(), color_system=None, record=True)
    console.print(comparison_table(summary, ensemble.futures, ensemble.years, int(ensemble.calendar_years[0])))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines()).strip("\n") + "\n"


def readme_table(text: str) -> str:
    found = FENCE.search(text)
    if found is None:
        raise SystemExit(f"{README}: no block after '<!-- default-run table: docs/readme_table.py -->'")
    return found.group(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    text, table = README.read_text(encoding="utf-8"), default_table()
    if args.check:
        sys.exit(0 if readme_table(text) == table else 1)
    README.write_text(FENCE.sub(lambda m: m.group(1) + table + m.group(3), text), encoding="utf-8")


if __name__ == "__main__":
    main()
