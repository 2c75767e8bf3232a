"""Runs on disk: Parquet tables and the inputs needed to repeat them; the service's catalogue of runs in DuckDB."""

from .catalogue import Catalogue, recorded_variables, yearly_bands
from .runs import Run, check_new_folder, load_run, save_run

__all__ = ["Catalogue", "Run", "check_new_folder", "load_run", "recorded_variables", "save_run", "yearly_bands"]
