"""Writing files so that nothing is ever half-written: a temporary file, then one rename."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_file(path: Path, *, binary: bool = False, mode: int | None = None) -> Iterator[IO[Any]]:
    """Open a synced temporary file beside ``path``; on success it replaces ``path``.

    The file keeps mkstemp's owner-only permissions (it may hold patient data) unless
    ``mode`` says otherwise (0o644 for a model card everyone may read). On any failure the
    temporary file is removed and ``path`` is left as it was. ``OSError`` from creating the
    temporary file propagates, so callers can say which folder could not be written.
    """
    path = Path(path).resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        if binary:
            file: IO[Any] = os.fdopen(handle, "wb")
        else:
            file = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        with file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write UTF-8 text to ``path`` through :func:`atomic_file`."""
    with atomic_file(path, mode=mode) as file:
        file.write(text)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
