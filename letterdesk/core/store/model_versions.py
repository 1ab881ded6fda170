"""Model versions: the ``models`` table, one row per model file (with its LoRA adapter, if any).

A row is added once per file and adapter (:func:`add_version`); drafts refer to it
(``revisions.model_ref``). ``lineage`` (JSON) says where a version came from and
``is_default`` marks the version the app drafts with: at most one row is the default, and
switching it (:func:`promote`) and its audit entry are one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store

UNVERIFIED = "unverified:"
"""How the ``sha256`` of a model behind a server whose file could not be hashed here begins."""

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
    def verified(self) -> bool:
        """False for a model behind a server: its file was not hashed here and is not here."""
        return not self.sha256.startswith(UNVERIFIED)

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


def versions_of_file(store: Store, path: str, size_bytes: int) -> list[ModelVersion]:
    """The versions registered from the file at ``path`` while it had this size."""
    rows = store.conn.execute(
        f"SELECT {_COLUMNS} FROM models WHERE path = ? AND size_bytes = ?", (path, size_bytes)
    ).fetchall()
    return [_version(row) for row in rows]


_ID_SQL = "SELECT id FROM models WHERE sha256 = ? AND adapter IS NOT DISTINCT FROM ?"


def version_id(store: Store, sha256: str, adapter: str | None) -> int | None:
    """The id of the row of this model file and adapter; None when it is not registered."""
    row = store.conn.execute(_ID_SQL, (sha256, adapter)).fetchone()
    return None if row is None else int(row[0])


def add_version(
    store: Store,
    *,
    name: str,
    version: str,
    path: str,
    sha256: str,
    size_bytes: int,
    quantization: str | None,
    architecture: str | None,
    chat_template: str | None,
    adapter: str | None,
    lineage: dict[str, Any],
    user: str | None = None,
) -> int:
    """The id of the row of this model file and adapter, added (with an audit entry) on first
    use; a file registered before keeps its row as it is."""
    with store.transaction() as conn:
        row = conn.execute(_ID_SQL, (sha256, adapter)).fetchone()
        if row is not None:
            return int(row[0])
        if store.is_department and not store.may("register_models"):
            raise StoreError(
                f"The model {name} {version} is not registered in the department store.",
                "Only the department's admin registers models: a first draft written with it"
                " by an admin login registers it; then every physician can use it.",
            )
        cursor = conn.execute(
            "INSERT INTO models (name, version, path, sha256, size_bytes, quantization,"
            " architecture, chat_template, adapter, registered_at, lineage)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                name, version, path, sha256, size_bytes, quantization, architecture,
                chat_template, adapter, now_iso(), json.dumps(lineage, sort_keys=True),
            ),
        )  # fmt: skip
        model_id = int(cursor.fetchone()[0])
        audit.append(
            conn,
            "register_model",
            f"model:{model_id}",
            {"sha256": sha256, "adapter": adapter, "path": path},
            user=user,
        )
    return model_id


def update_lineage(
    store: Store, model_id: int, lineage: dict[str, Any], user: str | None = None
) -> None:
    """Replace a version's lineage, with an audit entry."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE models SET lineage = ? WHERE id = ?",
            (json.dumps(lineage, sort_keys=True), model_id),
        )
        audit.append(conn, "update_model_lineage", f"model:{model_id}", {}, user=user)


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
