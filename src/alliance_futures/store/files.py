"""Files written whole or not at all."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from ..case import InputError

NEW_FILE_MODE = 0o666  # before the user's umask, as open() creates files


def write_whole(path: Path, data: bytes, key: str) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, renamed over it once complete: a reader
    sees the old file or the new one, never part of one. The file gets the permissions the user's umask gives any
    new file."""
    if not path.parent.is_dir():
        raise InputError(path, "the folder does not exist", key=key)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
