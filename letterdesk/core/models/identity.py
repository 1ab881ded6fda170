"""Which model wrote a letter: the file's SHA-256, size, quantization, architecture, chat
template and LoRA adapter, registered once in the store's ``models`` table.

Every draft refers to its model's row (``revisions.model_ref``), so a letter can always be
traced to the exact weights. Hashing a multi-gigabyte file takes seconds, so a hash is
reused while the file's path, size and modification time are unchanged (kept in memory
and in the row's ``lineage``: :func:`recall_known_hash` reads it back before identifying).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models.gguf_header import GgufHeader
from letterdesk.core.store.database import Store
from letterdesk.core.store.model_versions import UNVERIFIED, add_version, versions_of_file

_HASHES: dict[tuple[str, int, int], str] = {}
_HASHES_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelIdentity:
    """Everything recorded about the model that writes a draft."""

    name: str
    """``general.name`` from the file (or the file name)."""
    version: str
    """``general.version`` from the file; empty when it has none."""
    path: str
    """Where the file was loaded from (or the server URL)."""
    sha256: str
    """SHA-256 of the model file, hex; ``unverified:…`` for a server that runs an unknown file."""
    size_bytes: int
    """Size of the model file."""
    quantization: str | None
    """Quantization (file type) such as ``Q4_K_M``."""
    architecture: str | None
    """``general.architecture``, e.g. ``llama``."""
    chat_template: str | None
    """The chat template the prompts were rendered with (None: LetterDesk's fallback)."""
    adapter: str | None = None
    """SHA-256 of the LoRA adapter file, None without an adapter."""
    lineage: dict[str, Any] = field(default_factory=dict)
    """Where the identity came from: modification time, adapter path, server URL."""


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, hex; reused while path, size and modification time are unchanged."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with _HASHES_LOCK:
            if key in _HASHES:
                return _HASHES[key]
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as exc:
        raise ModelError(
            f"The file {path} cannot be read to record which model wrote the letter: "
            f"{exc.strerror or exc}.",
            "Check that the model file is readable.",
        ) from exc
    with _HASHES_LOCK:
        _HASHES[key] = digest
    return digest


def identify(header: GgufHeader, adapter_path: Path | None = None) -> ModelIdentity:
    """The identity of a checked model file (and adapter); see :func:`recall_known_hash`."""
    path = header.path.resolve()
    stat = path.stat()
    lineage: dict[str, Any] = {"mtime_ns": stat.st_mtime_ns}
    adapter = None
    if adapter_path is not None:
        adapter = file_sha256(adapter_path)
        lineage["adapter_path"] = str(adapter_path)
    return ModelIdentity(
        name=header.name,
        version=header.version_label,
        path=str(path),
        sha256=file_sha256(path),
        size_bytes=stat.st_size,
        quantization=header.quantization,
        architecture=header.architecture,
        chat_template=header.chat_template,
        adapter=adapter,
        lineage=lineage,
    )


def server_identity(url: str, model: str, header: GgufHeader | None = None) -> ModelIdentity:
    """The identity of a model behind a server; exact when the same file is available here."""
    if header is not None:
        local = identify(header)
        return replace(local, lineage={**local.lineage, "server": url})
    digest = hashlib.sha256(f"{url}\n{model}".encode()).hexdigest()
    return ModelIdentity(
        name=model,
        version="",
        path=url,
        sha256=f"{UNVERIFIED}{digest}",
        size_bytes=0,
        quantization=None,
        architecture=None,
        chat_template=None,
        lineage={"server": url, "note": "the server's model file could not be hashed here"},
    )


def register(store: Store, identity: ModelIdentity, user: str | None = None) -> int:
    """The ``models`` row for this identity, added on first use; returns its id."""
    return add_version(store, **asdict(identity), user=user)


def recall_known_hash(store: Store, model_path: Path) -> bool:
    """Reuse the hash of a registered row for this very file (same path, size, modification
    time), so identifying the model next does not hash it again; whether there was one
    (none, or a file that cannot be read: identifying it then says so)."""
    try:
        path = model_path.resolve()
        stat = path.stat()
    except OSError:
        return False
    size, mtime_ns = stat.st_size, stat.st_mtime_ns
    for known in versions_of_file(store, str(path), size):
        if known.lineage.get("mtime_ns") == mtime_ns and known.verified:
            with _HASHES_LOCK:
                _HASHES[(str(path.resolve()), size, mtime_ns)] = known.sha256
            return True
    return False
