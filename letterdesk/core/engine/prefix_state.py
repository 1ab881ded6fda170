"""The shared start of every prompt, kept across restarts: its KV state saved once per model.

Every prompt of a letter type opens with the same text — the chat template's system message
(a slot model's house style) and the letter type's instruction line
(:func:`letterdesk.core.generation.prompts.shared_prefix`). Within a session the worker's KV
cache already keeps it; after a restart it would be evaluated again, which on a CPU is most
of the first letter's wait. So the worker saves llama.cpp's state after evaluating that
prefix, and the next worker loads it instead.

What a file holds: the prefix's tokens and llama.cpp's state after them (the KV cache of
those tokens). The prefix ends before the first line of the case, so **no patient data**:
the files are not encrypted, and they live in LetterDesk's data folder (``prefix-states``).

A file is used only when everything it was made with is the same: its name is the SHA-256
of the model's SHA-256, the adapter's, llama-cpp-python's version, the context size and the
prefix's tokens, and its header repeats them; the state's own SHA-256 is checked before it
is loaded. Anything else — another model, another llama.cpp, a damaged or cut file, a state
llama.cpp refuses — is detected, the file removed, the prefix evaluated and saved again.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.files import atomic_file

FORMAT = "letterdesk-prefix-state/1"
FOLDER = "prefix-states"
"""The folder in LetterDesk's data folder that holds the saved states."""
KEEP = 12
"""Saved states kept (the most recently used): every letter type and language of a model or
two; states of models no longer used go (an 8B model's is ~80 MB)."""


@dataclass(frozen=True)
class Made:
    """What a saved state was made with; all of it must match for the state to be used."""

    model_sha256: str
    adapter_sha256: str | None
    llama_cpp: str
    n_ctx: int
    tokens: tuple[int, ...]

    def name(self) -> str:
        """The file name: the SHA-256 of everything above."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest() + ".state"


def load(llama: Any, folder: Path, made: Made) -> str:
    """Put the prefix's state into ``llama``: ``kept`` when its cache already holds it,
    ``loaded`` from the saved file, else ``evaluated`` (``rebuilt`` when a saved file was
    unusable) and saved for the next start."""
    tokens = list(made.tokens)
    if llama.input_ids[: min(llama.n_tokens, len(tokens))].tolist() == tokens:
        return "kept"
    path = folder / made.name()
    found = path.is_file()
    if found and _restore(llama, path, made):
        path.touch()  # recently used: kept when the folder is pruned
        return "loaded"
    path.unlink(missing_ok=True)
    llama.reset()
    llama.eval(tokens)
    _save(llama, path, made)
    return "rebuilt" if found else "evaluated"


def _save(llama: Any, path: Path, made: Made) -> None:
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama.ctx)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
    state = bytes(buffer[:written])
    header = {
        "format": FORMAT,
        **asdict(made),
        "tokens": list(made.tokens),
        "state_bytes": len(state),
        "state_sha256": hashlib.sha256(state).hexdigest(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, binary=True, mode=0o600) as file:
        file.write(json.dumps(header).encode("utf-8") + b"\n")
        file.write(state)
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently used states."""
    states = sorted(folder.glob("*.state"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in states[KEEP:]:
        old.unlink(missing_ok=True)


def _restore(llama: Any, path: Path, made: Made) -> bool:
    """Load the saved state if it is intact and was made with exactly ``made``."""
    import llama_cpp

    try:
        with path.open("rb") as file:
            header = json.loads(file.readline())
            state = file.read()
    except (OSError, ValueError):
        return False
    expected = {"format": FORMAT, **asdict(made), "tokens": list(made.tokens)}
    if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
        return False
    if len(state) != header.get("state_bytes") or (
        hashlib.sha256(state).hexdigest() != header.get("state_sha256")
    ):
        return False
    buffer = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
    llama.reset()
    if llama_cpp.llama_state_set_data(llama.ctx, buffer, len(state)) != len(state):
        llama.reset()
        return False
    tokens = list(made.tokens)
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return True
