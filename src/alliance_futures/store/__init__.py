"""Runs on disk: Parquet tables and the inputs needed to repeat them."""

from .runs import Run, check_new_folder, load_run, save_run

__all__ = ["Run", "check_new_folder", "load_run", "save_run"]
