from .catalogue import BANDS_FILE, Catalogue, write_bands
from .export import DEFAULT_NAMES, export_run, save_ema
from .runs import CASE_FILE, Run, claim_folder, load_run, policy_file, release_folder, save_run

__all__ = [
    "BANDS_FILE",
    "CASE_FILE",
    "DEFAULT_NAMES",
    "Catalogue",
    "Run",
    "claim_folder",
    "export_run",
    "load_run",
    "policy_file",
    "release_folder",
    "save_ema",
    "save_run",
    "write_bands",
]
