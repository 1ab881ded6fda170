"""The toolchain's files, never half-written: JSON read with an error that names the file,
written through a temporary file; model files and folders built beside their place and
swapped in whole."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.files import write_text_atomically
from training.errors import ToolchainError


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file's content; ToolchainError if it is missing or not valid JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolchainError(f"{path} is missing") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ToolchainError(f"{path} is not valid JSON: {exc}") from None


def shared(mode: int) -> int:
    """``mode`` (0o644 for a file everyone may read, 0o755 for a folder) as far as the process's
    umask allows: the trainer the app starts runs with umask 077, and then even a tokenizer or
    a model trained on letters stays its user's."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mode & ~mask


def write_shared_text(path: Path, text: str) -> None:
    """Write a file everyone may read (a tokenizer, a result: no patient data), atomically."""
    write_text_atomically(path, text, mode=shared(0o644))


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON (paths and other objects as text), atomically."""
    write_shared_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def replace_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` in place of ``target``; an old target is removed only after the swap."""
    if not target.exists():
        os.replace(new, target)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_dir(target: Path, *, mode: int | None = 0o755) -> Iterator[Path]:
    """A new empty folder beside ``target`` to fill; when the block ends without an error it
    takes ``target``'s place, with ``mode`` (None: private, as mkdtemp made it). On an error
    it is removed and ``target`` is left as it was."""
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        yield staging
        if mode is not None:
            staging.chmod(shared(mode))
        replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def staged_file(target: Path) -> Iterator[Path]:
    """The path of a new empty file beside ``target``, for a writer that wants a path (GGUF,
    llama.cpp); when the block ends without an error it takes ``target``'s place, readable by
    all (a model file holds no patient data). On an error it is removed."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    staging = Path(name)
    try:
        yield staging
        os.chmod(staging, shared(0o644))  # mkstemp makes it private
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
