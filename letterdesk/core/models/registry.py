"""Model versions: the store's ``models`` table as the registry of the learning loop.

Each row is one model file (with its LoRA adapter, if any). ``lineage`` (JSON) says where a
fine-tuned version came from — base model, dataset manifest hash, hyperparameters, held-out
metrics, the promotion decision — and ``is_default`` marks the version the app drafts with.
At most one row is the default; switching it and its audit entry are one transaction.

The trainer (``python -m training promote``) runs as a subprocess and must not write to a
store the app holds open, so it leaves its result in ``candidate.json``;
:func:`register_candidate` files it from the app's own store connection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.errors import ModelError, StoreError
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.models.identity import identify, register
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store

CANDIDATE_FORMAT = 1

_COLUMNS = (
    "id, name, version, path, sha256, size_bytes, quantization, architecture, adapter,"
    " registered_at, lineage, is_default"
)


@dataclass(frozen=True)
class ModelVersion:
    """One registered model version."""

    id: int
    name: str
    version: str
    path: str
    """The GGUF model file."""
    sha256: str
    size_bytes: int
    quantization: str | None
    architecture: str | None
    adapter: str | None
    """SHA-256 of the GGUF LoRA adapter, None for a plain (or merged) model."""
    registered_at: str
    lineage: dict[str, Any]
    is_default: bool

    @property
    def adapter_path(self) -> str | None:
        """Where the LoRA adapter file is, for a version that is base + adapter."""
        value = self.lineage.get("adapter_path")
        return str(value) if value else None

    @property
    def evaluation(self) -> dict[str, Any]:
        """Held-out metrics of this version and of the one it was compared with (may be empty)."""
        value = self.lineage.get("evaluation")
        return value if isinstance(value, dict) else {}

    @property
    def decision(self) -> dict[str, Any]:
        """Whether the trainer found it fit to become the default, and why."""
        value = self.lineage.get("decision")
        return value if isinstance(value, dict) else {}


def _version(row: tuple[Any, ...]) -> ModelVersion:
    try:
        lineage = json.loads(row[10] or "{}")
    except ValueError:
        lineage = {"unreadable": row[10]}
    model_id, name, label, path, sha256, size, quantization, architecture, adapter, at = row[:10]
    return ModelVersion(
        id=int(model_id),
        name=str(name),
        version=str(label),
        path=str(path),
        sha256=str(sha256),
        size_bytes=int(size),
        quantization=quantization,
        architecture=architecture,
        adapter=adapter,
        registered_at=str(at),
        lineage=lineage if isinstance(lineage, dict) else {},
        is_default=bool(row[11]),
    )


def versions(store: Store) -> list[ModelVersion]:
    """Every registered model version, newest first."""
    rows = store.conn.execute(f"SELECT {_COLUMNS} FROM models ORDER BY id DESC").fetchall()
    return [_version(row) for row in rows]


def version(store: Store, model_id: int) -> ModelVersion:
    """The version with this id."""
    row = store.conn.execute(f"SELECT {_COLUMNS} FROM models WHERE id = ?", (model_id,)).fetchone()
    if row is None:
        raise StoreError(f"There is no model version {model_id} in the store.")
    return _version(row)


def default_version(store: Store) -> ModelVersion | None:
    """The version letters are drafted with, or None when none was promoted yet."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM models WHERE is_default = 1 ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return _version(row) if row else None


def promote(store: Store, model_id: int, *, reason: str, user: str | None = None) -> ModelVersion:
    """Make this version the default (the only one), with an audit entry saying why."""
    with store.transaction() as conn:
        row = conn.execute("SELECT id, path FROM models WHERE id = ?", (model_id,)).fetchone()
        if row is None:
            raise StoreError(f"There is no model version {model_id} in the store.")
        before = conn.execute("SELECT id FROM models WHERE is_default = 1").fetchall()
        conn.execute("UPDATE models SET is_default = 0 WHERE is_default = 1")
        conn.execute("UPDATE models SET is_default = 1 WHERE id = ?", (model_id,))
        audit.append(
            conn,
            "promote_model",
            f"model:{model_id}",
            {"previous": [r[0] for r in before], "reason": reason, "path": row[1]},
            user=user,
        )
    return version(store, model_id)


def register_version(
    store: Store,
    model_path: Path,
    *,
    adapter_path: Path | None = None,
    version_label: str = "",
    lineage: dict[str, Any] | None = None,
    user: str | None = None,
) -> ModelVersion:
    """Register a GGUF model (and adapter) with its lineage; not made the default.

    The identity (hash, size, quantization, chat template) is read from the file, exactly as
    when the app loads it, so drafts written with it later refer to this row. Registering a
    known file again adds the new lineage to its row.
    """
    identity = identify(read_header(model_path), adapter_path)
    merged = {**identity.lineage, **(lineage or {})}
    identity = replace(identity, version=version_label or identity.version, lineage=merged)
    model_id = register(store, identity, user=user)
    current = version(store, model_id)
    if current.lineage != {**current.lineage, **merged}:
        with store.transaction() as conn:
            conn.execute(
                "UPDATE models SET lineage = ? WHERE id = ?",
                (json.dumps({**current.lineage, **merged}, sort_keys=True), model_id),
            )
            audit.append(conn, "update_model_lineage", f"model:{model_id}", {}, user=user)
    return version(store, model_id)


@dataclass(frozen=True)
class CandidateOutcome:
    """What filing a trained candidate did."""

    version: ModelVersion
    promoted: bool
    reason: str
    promotable: bool = False
    """Whether it may become the default now: the trainer decided so and the default is still
    the version it was compared with."""


def read_candidate(path: Path) -> dict[str, Any]:
    """A candidate.json written by ``python -m training promote``, checked for its fields."""
    try:
        candidate = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"The result of the training run ({path}) cannot be read: {exc}",
            "Run the promotion step again: python -m training promote ...",
        ) from exc
    missing = [k for k in ("format", "model_path", "lineage", "decision") if k not in candidate]
    if missing or candidate.get("format") != CANDIDATE_FORMAT:
        raise ModelError(
            f"The result of the training run ({path}) is incomplete: {', '.join(missing)}",
            "It was written by another LetterDesk version; run the promotion step again.",
        )
    return dict(candidate)


def register_candidate(
    store: Store, candidate_path: Path, *, user: str | None = None, auto_promote: bool = True
) -> CandidateOutcome:
    """Register a trained version and promote it if the trainer decided so.

    It is promoted only while the default is still the version it was compared with: a
    default changed meanwhile (another promotion) means the comparison no longer holds. With
    ``auto_promote=False`` it is only registered, and ``promotable`` says whether promoting it
    would be allowed (the app asks the user first, then files it again with promotion).
    """
    candidate = read_candidate(candidate_path)
    adapter = candidate.get("adapter_path")
    decision = candidate["decision"]
    registered = register_version(
        store,
        Path(candidate["model_path"]),
        adapter_path=Path(adapter) if adapter else None,
        version_label=str(candidate.get("version", "")),
        lineage={**candidate["lineage"], "decision": decision},
        user=user,
    )
    reason = str(decision.get("reason", ""))
    if not decision.get("promote"):
        return CandidateOutcome(registered, False, reason)
    evaluation = candidate["lineage"].get("evaluation") or {}
    compared = (evaluation.get("current_sha256"), evaluation.get("current_adapter"))
    now_default = default_version(store)
    if now_default is not None and now_default.id == registered.id:
        return CandidateOutcome(registered, True, reason)  # promoted before: nothing changes
    if now_default is not None and compared != (now_default.sha256, now_default.adapter):
        return CandidateOutcome(
            registered,
            False,
            "The default model changed while this version was trained and evaluated; it was "
            "kept but not made the default. Evaluate it again against the new default.",
        )
    if not auto_promote:
        return CandidateOutcome(registered, False, reason, promotable=True)
    promoted = promote(store, registered.id, reason=reason, user=user)
    return CandidateOutcome(promoted, True, reason, promotable=True)
