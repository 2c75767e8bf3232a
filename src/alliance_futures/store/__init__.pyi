from .catalogue import BANDS_FILE, Catalogue, write_bands
from .export import DEFAULT_NAMES, export_run, save_ema
from .runs import (
    CASE_FILE,
    Run,
    check_output_file,
    claim_folder,
    clean_saves,
    load_run,
    policy_file,
    read_record,
    release_folder,
    save_run,
    saving,
    unfinished_saves,
)

__all__ = [
    "BANDS_FILE",
    "CASE_FILE",
    "DEFAULT_NAMES",
    "Catalogue",
    "Run",
    "check_output_file",
    "claim_folder",
    "clean_saves",
    "export_run",
    "load_run",
    "policy_file",
    "read_record",
    "release_folder",
    "save_ema",
    "save_run",
    "saving",
    "unfinished_saves",
    "write_bands",
]
