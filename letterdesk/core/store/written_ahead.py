"""Drafts written ahead (pre-drafts): which wait unopened, which cases could not be drafted.

A draft LetterDesk wrote ahead, before a physician asked for it, is an ordinary letter with
its draft revision; the audit log, written in the same transaction, says it was written
ahead (``write_ahead`` on ``letter:ID``). The first time a physician opens it, ``opened``
is logged on the letter; until then it cannot be signed (:func:`check_opened`, called by
:func:`letterdesk.core.store.letters.sign_off`).

A case whose draft could not be written ahead (the model file is missing, the case is over
the context) is recorded against the case (``write_ahead_failed`` on ``case:ID``) with the
reason, the model and the case's version: it is not tried again with the same model until
the case changes.

Everything is in the audit log, so both back ends and every role that works at the desk
have it without a table of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit
from letterdesk.core.store.connection import Connection
from letterdesk.core.store.database import Store

WRITTEN = "write_ahead"
OPENED = "opened"
FAILED = "write_ahead_failed"


def record_written(conn: Connection, letter_id: int, case_id: str, user: str) -> None:
    """Say, inside the transaction that stores it, that this letter's draft was written ahead."""
    audit.append(conn, WRITTEN, f"letter:{letter_id}", {"case": case_id}, user=user)


_UNOPENED_SQL = (
    "l.signed_at IS NULL"
    " AND 'letter:' || l.id IN (SELECT subject FROM audit_log WHERE action = ?)"
    " AND 'letter:' || l.id NOT IN (SELECT subject FROM audit_log WHERE action = ?)"
)
"""A letter ``l`` whose draft was written ahead and no one has opened (params WRITTEN, OPENED)."""


def waiting(store: Store) -> dict[str, int]:
    """Case ID → letter ID of every draft written ahead that no one has opened yet."""
    rows = store.conn.execute(
        "SELECT c.case_id, l.id FROM letters l JOIN cases c ON c.id = l.case_ref"
        f" WHERE {_UNOPENED_SQL}",
        (WRITTEN, OPENED),
    ).fetchall()
    return {str(case_id): int(letter_id) for case_id, letter_id in rows}


def waiting_letter(conn: Connection, case_ref: int) -> int | None:
    """The case's draft written ahead that no one has opened yet, by the case's row id."""
    row = conn.execute(
        f"SELECT l.id FROM letters l WHERE l.case_ref = ? AND {_UNOPENED_SQL} ORDER BY l.id"
        " LIMIT 1",
        (case_ref, WRITTEN, OPENED),
    ).fetchone()
    return None if row is None else int(row[0])


def record_opened(conn: Connection, letter_id: int, user: str) -> None:
    """Say, inside a transaction, that a physician has this draft written ahead before them."""
    audit.append(conn, OPENED, f"letter:{letter_id}", {}, user=user)


def _is_waiting(conn: Connection, letter_id: int) -> bool:
    subject = f"letter:{letter_id}"
    found = conn.execute(
        "SELECT (SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ?),"
        " (SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ?)",
        (WRITTEN, subject, OPENED, subject),
    ).fetchone()
    return bool(found[0]) and not found[1]


def mark_opened(store: Store, letter_id: int, user: str) -> bool:
    """Log that a physician opened this draft written ahead; False when there was nothing
    to mark (not written ahead, or opened before)."""
    if not _is_waiting(store.conn, letter_id):  # the common case: read only
        return False
    with store.transaction() as conn:
        if not _is_waiting(conn, letter_id):  # someone else opened it just now
            return False
        record_opened(conn, letter_id, store.acting_user(user))
    return True


def check_opened(conn: Connection, letter_id: int) -> None:
    """Refuse to sign a draft written ahead that no physician has opened."""
    if _is_waiting(conn, letter_id):
        raise StoreError(
            "This draft was written ahead by LetterDesk and no one has opened it yet.",
            "Open the letter, read it against the case, then sign it.",
        )


@dataclass(frozen=True)
class Failure:
    """Why a case's draft could not be written ahead, with which model, on which version."""

    reason: str
    model: str
    """The model file or server it was tried with (the settings' words for it)."""
    case_version: int


def record_failure(store: Store, case_id: str, failure: Failure, user: str) -> None:
    """Record against the case that its draft could not be written ahead, and why."""
    with store.transaction() as conn:
        audit.append(
            conn,
            FAILED,
            f"case:{case_id}",
            {
                "reason": failure.reason,
                "model": failure.model,
                "case_version": failure.case_version,
            },
            user=user,
        )


def failures(store: Store) -> dict[str, Failure]:
    """Case ID → the latest reason its draft could not be written ahead."""
    rows = store.conn.execute(
        "SELECT subject, details FROM audit_log WHERE action = ? ORDER BY id", (FAILED,)
    ).fetchall()
    found = {}
    for subject, details in rows:
        fields = json.loads(details)
        found[str(subject).removeprefix("case:")] = Failure(
            str(fields["reason"]), str(fields["model"]), int(fields["case_version"])
        )
    return found
