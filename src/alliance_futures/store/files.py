"""Files written whole or not at all."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

NEW_FILE_MODE = 0o666  # before the user's umask, as open() creates files


@contextmanager
def whole_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write to `path` through a temporary file in the same folder, renamed over it once the block ends
    without an error: a reader sees the old file or the new one, never part of one. The file gets the permissions
    the user's umask gives any new file."""
    if not path.parent.is_dir():
        raise InputError(path, "the folder does not exist")
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_whole(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all (see `whole_file`)."""
    with whole_file(path) as f:
        f.write(data)
    return path
