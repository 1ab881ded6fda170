"""The shared start of every prompt, kept across restarts: its KV state saved once per model
and letter type.

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
prefix's text, and its header repeats them with the prefix's tokens (so a restart need not
tokenize the prefix again); the SHA-256 of tokens and state is checked before it is
loaded. Anything else — another model, another llama.cpp, a damaged or cut file, a state
llama.cpp refuses — is detected, the file removed, the prefix evaluated and saved again.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import mmap
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.engine.lookup import evaluate_prompt
from letterdesk.core.foundation.files import atomic_file

FORMAT = "letterdesk-prefix-state/2"
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
    prefix: str
    """The prefix's text (its tokens are in the file: a restart need not tokenize it)."""

    def name(self) -> str:
        """The file name: the SHA-256 of everything above."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest() + ".state"


def load(
    llama: Any,
    folder: Path,
    made: Made,
    tokenize: Callable[[str], list[int]],
    known: list[int] | None = None,
    hold: Callable[[], bool] = lambda: False,
    evaluate: bool = True,
) -> tuple[str, list[int]]:
    """Put the prefix's state into ``llama``; how, and the prefix's tokens. ``kept`` when its
    cache already holds it (``known``: the prefix's tokens, when the worker has them),
    ``loaded`` from the saved file, else ``evaluated`` (``rebuilt`` when a saved file was
    unusable) and saved for the next start. The evaluation goes step by step, calling
    ``hold`` between steps (the worker's pause and cancel: on an 8B model on a CPU it takes
    about a minute); ``cancelled`` when ``hold`` said stop — nothing is saved. Without
    ``evaluate`` only a saved state is loaded: ``none`` (no tokens) when there is none."""
    if known is not None and llama.input_ids[: min(llama.n_tokens, len(known))].tolist() == known:
        return "kept", known
    path = folder / made.name()
    found = path.is_file()
    if found and (tokens := _restore(llama, path, made)) is not None:
        path.touch()  # recently used: kept when the folder is pruned
        return "loaded", tokens
    path.unlink(missing_ok=True)
    if not evaluate:
        return "none", []
    tokens = known if known is not None else tokenize(made.prefix)
    if not evaluate_prompt(llama, tokens, hold):
        return "cancelled", tokens
    _save(llama, path, made, tokens)
    return ("rebuilt" if found else "evaluated"), tokens


def latest(folder: Path, made: Made) -> Made | None:
    """Of the saved states made like ``made`` for any prefix (the same model, adapter,
    llama.cpp and context), the most recently used one's: the letter type written last with
    this model. None when there is none. Only the files' first lines are read."""
    states = sorted(folder.glob("*.state"), key=_used_at, reverse=True)
    expected = {"format": FORMAT, **asdict(made)}
    for path in states:
        try:
            with path.open("rb") as file:
                header = json.loads(file.readline())
        except (OSError, ValueError):
            continue
        if isinstance(header, dict) and isinstance(header.get("prefix"), str):
            if all(header.get(k) == v for k, v in expected.items() if k != "prefix"):
                return Made(**{**asdict(made), "prefix": header["prefix"]})
    return None


def _used_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed meanwhile
        return 0.0


def _checksum(tokens: list[int], state: bytes | memoryview) -> str:
    """The SHA-256 of the tokens and the state together: damage to either is seen."""
    digest = hashlib.sha256(json.dumps(tokens).encode("utf-8"))
    digest.update(state)
    return digest.hexdigest()


def _save(llama: Any, path: Path, made: Made, tokens: list[int]) -> None:
    import llama_cpp

    size = llama_cpp.llama_state_get_size(llama.ctx)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
    state = bytes(buffer[:written])
    header = {
        "format": FORMAT,
        **asdict(made),
        "tokens": tokens,
        "state_bytes": len(state),
        "sha256": _checksum(tokens, state),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, binary=True, mode=0o600) as file:
        file.write(json.dumps(header).encode("utf-8") + b"\n")
        file.write(state)
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP` most recently used states."""
    states = sorted(folder.glob("*.state"), key=_used_at, reverse=True)
    for old in states[KEEP:]:
        old.unlink(missing_ok=True)


def _restore(llama: Any, path: Path, made: Made) -> list[int] | None:
    """Load the saved state if it is intact and was made with exactly ``made``; its tokens.
    The state is mapped, not read: checked and handed to llama.cpp without two copies of it
    (on a fresh worker ~2 ms of the demo model's ~90 ms restart, more on a large model)."""
    import llama_cpp

    try:
        with path.open("rb") as file:
            header = json.loads(file.readline())
            start = file.tell()
            mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_COPY)
    except (OSError, ValueError):  # ValueError also for an empty file
        return None
    with mapped:
        expected = {"format": FORMAT, **asdict(made)}
        if not isinstance(header, dict) or any(header.get(k) != v for k, v in expected.items()):
            return None
        tokens = header.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, int) for t in tokens):
            return None
        size = len(mapped) - start
        with memoryview(mapped) as whole, whole[start:] as state:
            checksum = _checksum(tokens, state)
        if size != header.get("state_bytes") or checksum != header.get("sha256"):
            return None
        buffer = (ctypes.c_uint8 * size).from_buffer(mapped, start)
        try:
            llama.reset()
            if llama_cpp.llama_state_set_data(llama.ctx, buffer, size) != size:
                llama.reset()
                return None
        finally:
            del buffer  # the map closes only once nothing points into it
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return tokens
