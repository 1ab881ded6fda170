"""Writing files so that nothing is ever half-written: a temporary file, then one rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` through a synced temporary file in the same folder.

    The file keeps mkstemp's owner-only permissions (it may hold patient data); on any
    failure the temporary file is removed and ``path`` is left as it was.
    """
    path = path.resolve()
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
