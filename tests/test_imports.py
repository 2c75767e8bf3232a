"""The packages load their submodules lazily (SPEC 1): every exported name resolves to what it names, and the
command line starts without the analysis stack."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

LAZY = ["alliance_futures", "alliance_futures.analysis", "alliance_futures.bargaining", "alliance_futures.report"]
LAZY += ["alliance_futures.store"]


@pytest.mark.parametrize("name", LAZY)
def test_every_exported_name_resolves_and_none_is_shadowed_by_a_submodule(name):
    """A function named like its package's submodule would be replaced by the module once the module is imported."""
    package = importlib.import_module(name)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "__main__":
            importlib.import_module(f"{name}.{info.name}")
    for exported in package.__all__:
        value = getattr(package, exported)
        assert exported == "analysis" or not isinstance(value, types.ModuleType), f"{name}.{exported} is a module"


@pytest.mark.parametrize(
    ("command", "unloaded"),
    [
        ("--help", ["pandas", "pyarrow", "scipy", "sklearn", "altair", "SALib", "fastapi", "duckdb"]),
        ("validate", ["scipy", "sklearn", "altair", "SALib", "fastapi", "duckdb"]),
    ],
)
def test_the_command_line_starts_without_the_analysis_stack(command, unloaded, tmp_path):
    from alliance_futures.case.loader import DATA

    args = ["--help"] if command == "--help" else ["validate", str(DATA / "us_rok.yaml")]
    code = (
        "import sys\nfrom alliance_futures.cli import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {unloaded!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
