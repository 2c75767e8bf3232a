from .catalogue import BANDS_FILE, Catalogue, write_bands
from .export import DEFAULT_NAMES, export_run, save_ema
from .runs import CASE_FILE, Run, check_new_folder, load_run, policy_file, save_run

__all__ = [
    "BANDS_FILE",
    "CASE_FILE",
    "DEFAULT_NAMES",
    "Catalogue",
    "Run",
    "check_new_folder",
    "export_run",
    "load_run",
    "policy_file",
    "save_ema",
    "save_run",
    "write_bands",
]
