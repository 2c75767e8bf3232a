"""Runs on disk: Parquet tables and the inputs needed to repeat them; the service's catalogue of runs in DuckDB."""

import lazy_loader

# Submodules load on first use (SPEC 1): `import alliance_futures` and the command line's --help stay fast.
__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
