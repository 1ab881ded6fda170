"""The audit log: an append-only, hash-chained record of every action on a letter.

Each entry's hash covers its content and the previous entry's hash, so changing,
removing or reordering any entry breaks the chain from that entry on. (Removing the
newest entries leaves a valid shorter chain; exports record their entry's hash.)
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.store import postgres
from letterdesk.core.store.connection import Connection

GENESIS = "0" * 64


def current_user() -> str:
    """The operating-system user acting at this workstation."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return "unknown"


def _entry_hash(prev_hash: str, at: str, user: str, action: str, subject: str, details: str) -> str:
    body = json.dumps(
        [prev_hash, at, user, action, subject, details], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _last_hash(conn: Connection) -> str:
    if isinstance(conn, postgres.PostgresConnection):  # raters may append but not read
        row = conn.execute("SELECT letterdesk_last_audit_hash()").fetchone()
    else:
        row = conn.execute("SELECT entry_hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return str(row[0]) if row and row[0] else GENESIS


def append(
    conn: Connection,
    action: str,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
    user: str | None = None,
) -> int:
    """Append one entry inside the caller's transaction; return its id."""
    text = json.dumps(dict(details or {}), ensure_ascii=False, sort_keys=True)
    return append_recorded(conn, now_iso(), user or current_user(), action, subject, text)


def append_recorded(
    conn: Connection, at: str, user: str, action: str, subject: str, details: str
) -> int:
    """Append an entry as it was recorded (its time and details text as given), chained onto
    this log: what :func:`append` writes, and how a moved-in store's entries arrive."""
    who = user
    if isinstance(conn, postgres.PostgresConnection):
        conn.lock(postgres.AUDIT_LOCK)  # workstations append one after another: one chain
        who = conn.login or who  # the department's user is its database login
    prev = _last_hash(conn)
    digest = _entry_hash(prev, at, who, action, subject, details)
    row = conn.execute(
        'INSERT INTO audit_log (at, "user", action, subject, details, prev_hash, entry_hash)'
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (at, who, action, subject, details, prev, digest),
    ).fetchone()
    return int(row[0])


def rechain(conn: Connection) -> None:
    """Compute the hash chain for entries written before the log had one (migration 2)."""
    prev = GENESIS
    rows = conn.execute(
        'SELECT id, at, "user", action, subject, details FROM audit_log ORDER BY id'
    ).fetchall()
    for entry_id, at, user, action, subject, details in rows:
        digest = _entry_hash(prev, at, user, action, subject, details)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE id = ?",
            (prev, digest, entry_id),
        )
        prev = digest


def has_entry(conn: Connection, action: str) -> bool:
    """True when the log holds at least one entry of ``action``."""
    row = conn.execute("SELECT 1 FROM audit_log WHERE action = ? LIMIT 1", (action,)).fetchone()
    return row is not None


def details_of(conn: Connection, action: str, subject: str) -> list[dict[str, Any]]:
    """The details of every entry of ``action`` on ``subject``, oldest first."""
    rows = conn.execute(
        "SELECT details FROM audit_log WHERE action = ? AND subject = ? ORDER BY id",
        (action, subject),
    )
    return [json.loads(details) for (details,) in rows]


@dataclass(frozen=True)
class Verification:
    """Outcome of checking the chain: ``first_bad`` is None when every entry holds."""

    entries: int
    first_bad: int | None
    reason: str = ""


def verify(conn: Connection) -> Verification:
    """Walk the chain from the start and name the first entry that does not hold."""
    prev, count = GENESIS, 0
    rows = conn.execute(
        'SELECT id, at, "user", action, subject, details, prev_hash, entry_hash'
        " FROM audit_log ORDER BY id"
    )
    for entry_id, at, user, action, subject, details, prev_hash, entry_hash in rows:
        count += 1
        if prev_hash != prev:
            return Verification(count, entry_id, "it does not follow the entry before it")
        if _entry_hash(prev, at, user, action, subject, details) != entry_hash:
            return Verification(count, entry_id, "its content was changed")
        prev = entry_hash
    return Verification(count, None)
