"""Files written whole or not at all."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

NEW_FILE_MODE = 0o666  # before the user's umask, as open() creates files
MAX_NAME_BYTES = 200  # a file name's limit is 255 bytes on common file systems; whole_file adds a prefix and suffix


@contextmanager
def whole_file(path: Path) -> Iterator[BinaryIO]:
    """A file to write to `path` through a temporary file in the same folder, renamed over it once the block ends
    without an error: a reader sees the old file or the new one, never part of one. The file gets the permissions
    the user's umask gives any new file."""
    check_writable(path)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            yield f
        os.replace(tmp, path)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        raise InputError(path, "the disk is full" if full else f"cannot be written: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def check_writable(path: str | Path) -> Path:
    """Refuse, before any slow work, a file that cannot be written: a name too long, its folder missing or not
    writable, or a folder where a file is expected."""
    target = Path(path)
    if len(target.name.encode()) > MAX_NAME_BYTES:
        raise InputError(target, f"the file name is longer than {MAX_NAME_BYTES} bytes")
    try:
        if target.is_dir():
            raise InputError(target, "is a folder; give a file name")
        if not target.parent.is_dir():
            raise InputError(target, "the folder does not exist")
    except OSError as exc:  # a path too long, or a loop of links
        raise InputError(target, f"cannot be used: {exc.strerror}") from None
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InputError(target, "the folder cannot be written to")
    return target


def write_whole(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all (see `whole_file`)."""
    with whole_file(path) as f:
        f.write(data)
    return path
