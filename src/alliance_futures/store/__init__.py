"""Runs on disk: Parquet tables and the inputs needed to repeat them; the service's catalogue of runs in DuckDB."""

from .catalogue import BANDS_FILE, Catalogue, write_bands
from .runs import Run, check_new_folder, load_run, save_run

__all__ = ["BANDS_FILE", "Catalogue", "Run", "check_new_folder", "load_run", "save_run", "write_bands"]
