"""Letters and their revisions: the model's draft is kept unchanged, each correction is new.

A letter belongs to a case; revision 1.. are numbered per letter. ``kind`` is ``draft`` for
text the model wrote (regenerating adds another draft) and ``correction`` for text a
physician changed. Signing off fixes one revision as final; a signed letter takes no more
revisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit, postgres
from letterdesk.core.store.database import Store
from letterdesk.core.store.written_ahead import (
    check_opened,
    record_opened,
    record_written,
    waiting_letter,
)


@dataclass(frozen=True)
class Revision:
    """One stored version of a letter's text."""

    id: int
    letter_id: int
    number: int
    kind: str
    text: str
    author: str
    created_at: str
    model_ref: int | None
    prompt: str | None
    editing_seconds: float
    slotted: str | None = None
    """For a draft of a model that writes fact slots: the text as the model wrote it."""
    case_version_ref: int | None = None
    """The case version this revision was written against (a draft: the case's newest when it
    was drafted; a correction: its draft's), see :mod:`letterdesk.core.store.case_versions`."""
    based_on: int | None = None
    """The revision the editor started from; None where not known (drafts, older stores)."""
    client_ref: str | None = None
    """The journal's name for a revision saved while the store was unreachable."""
    conflict_with: int | None = None
    """Set when this save was a conflict: the newer revision someone else saved meanwhile
    (both texts are kept; the editor shows them side by side)."""


@dataclass(frozen=True)
class Letter:
    """A letter with its sign-off state."""

    id: int
    case_id: str
    letter_type: str
    language: str
    created_at: str
    created_by: str
    signed_revision_id: int | None
    signed_by: str | None
    signed_at: str | None

    @property
    def is_signed(self) -> bool:
        """True once the letter was signed off; it is read-only from then on."""
        return self.signed_at is not None


_LETTER_SQL = (
    "SELECT l.id, c.case_id, l.letter_type, l.language, l.created_at, l.created_by,"
    " l.signed_revision_id, l.signed_by, l.signed_at FROM letters l"
    " JOIN cases c ON c.id = l.case_ref"
)
_REVISION_SQL = (
    "SELECT id, letter_id, number, kind, text, author, created_at, {model},"
    " editing_seconds, slotted, case_version_ref, based_on, client_ref,"
    " (SELECT MAX(o.id) FROM revisions o WHERE o.letter_id = revisions.letter_id"
    "  AND revisions.based_on IS NOT NULL AND o.number < revisions.number"
    "  AND o.id <> revisions.based_on AND o.number > (SELECT b.number FROM revisions b"
    "  WHERE b.id = revisions.based_on)) FROM revisions"
)


def create_letter(
    store: Store,
    case_id: str,
    draft: str,
    *,
    author: str,
    prompt: str | None = None,
    model_ref: int | None = None,
    details: dict[str, Any] | None = None,
    slotted: str | None = None,
    written_ahead: bool = False,
    case_version: int | None = None,
) -> tuple[Letter, Revision]:
    """Store a new letter for a case with the model's draft as revision 1 (``slotted``: the
    draft as a model that writes fact slots wrote it; ``case_version``: the id of the case
    version it was written from, default the newest).

    ``written_ahead``: a pre-draft, which must be opened before it can be signed. It is stored
    only while the case still has no letter and ``case_version`` is still its newest version;
    otherwise :class:`DraftOvertaken` is raised and nothing is stored. A draft a physician
    asked for, for a case whose draft was written ahead meanwhile and not opened yet, becomes
    that letter's next revision (and the letter counts as opened): one case, one letter.
    """
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT id, letter_type, language FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"There is no case {case_id} in the store.")
        case_ref = int(row[0])
        if isinstance(conn, postgres.PostgresConnection):  # one new letter of a case at a time
            conn.lock(postgres.CASE_LETTER_LOCK, case_ref)
        waiting = None
        if written_ahead:
            _check_not_overtaken(conn, case_id, case_ref, case_version)
        else:
            waiting = waiting_letter(conn, case_ref)
        if waiting is not None:
            letter_id = waiting
        else:
            letter_id = int(
                conn.execute(
                    "INSERT INTO letters (case_ref, letter_type, language, created_at,"
                    " created_by) VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (case_ref, row[1], row[2], now_iso(), author),
                ).fetchone()[0]
            )
        revision_id = _insert_revision(
            conn, letter_id, "draft", draft, author, prompt, model_ref, 0.0, slotted,
            case_version=case_version,
        )  # fmt: skip
        audit.append(
            conn,
            "generate",
            f"letter:{letter_id}",
            {"case": case_id, "revision": revision_id, **(details or {})},
            user=author,
        )
        if written_ahead:
            record_written(conn, letter_id, case_id, author)
        elif waiting is not None:  # the physician has it before them now
            record_opened(conn, letter_id, author)
    return letter(store, letter_id), revision(store, revision_id)


class DraftOvertaken(StoreError):
    """A draft written ahead that is not stored: while it was written, the case got a letter
    or changed."""


def _check_not_overtaken(conn: Any, case_id: str, case_ref: int, case_version: int | None) -> None:
    if conn.execute("SELECT 1 FROM letters WHERE case_ref = ? LIMIT 1", (case_ref,)).fetchone():
        raise DraftOvertaken(f"Case {case_id} got a letter while its draft was written ahead.")
    newest = conn.execute(
        "SELECT id FROM case_versions WHERE case_ref = ? ORDER BY number DESC LIMIT 1",
        (case_ref,),
    ).fetchone()
    if case_version is not None and newest is not None and int(newest[0]) != case_version:
        raise DraftOvertaken(f"Case {case_id} changed while its draft was written ahead.")


def add_revision(
    store: Store,
    letter_id: int,
    text: str,
    *,
    author: str,
    kind: str = "correction",
    prompt: str | None = None,
    model_ref: int | None = None,
    editing_seconds: float = 0.0,
    details: dict[str, Any] | None = None,
    slotted: str | None = None,
    based_on: int | None = None,
    client_ref: str | None = None,
    case_version: int | None = None,
) -> Revision:
    """Add a revision (a physician's correction, or a regenerated draft) to an unsigned letter.

    ``details`` go into the audit entry (for drafts: the model, decoding, finish reason).
    ``based_on``: the revision the editor started from; when someone saved a newer one
    meanwhile, this save still lands and says so (:attr:`Revision.conflict_with`).
    ``client_ref``: the journal's name for the save; saving it again returns the first.
    ``case_version``: for a draft, the id of the case version it was written from (default the
    newest).
    """
    if kind == "correction":
        author = store.acting_user(author)
    with store.transaction() as conn:
        if client_ref is not None and (
            done := conn.execute(
                "SELECT id FROM revisions WHERE client_ref = ?", (client_ref,)
            ).fetchone()
        ):
            return revision(store, int(done[0]))  # written before the connection dropped
        _lock_letter(conn, letter_id)
        current = _letter(conn, letter_id)
        if current.is_signed:
            raise StoreError(
                "This letter is signed off and can no longer be changed.",
                "Start a new letter for the case to make changes.",
            )
        revision_id = _insert_revision(
            conn, letter_id, kind, text, author, prompt, model_ref, editing_seconds, slotted,
            based_on, client_ref, case_version,
        )  # fmt: skip
        action = "edit" if kind == "correction" else "generate"
        entry = {"revision": revision_id, **(details or {})}
        if kind == "correction":
            entry["editing_seconds"] = editing_seconds
        audit.append(conn, action, f"letter:{letter_id}", entry, user=author)
    return revision(store, revision_id)


def model_writing(store: Store, model_ref: int, limit: int) -> list[str]:
    """The model's last ``limit`` drafts as it wrote them (a slot model's with its slots),
    oldest first: what a fresh worker takes as the model's earlier letters (prompt lookup).
    Nothing for a role that may not see which model wrote a draft."""
    if not store.may("see_models"):
        return []
    rows = store.conn.execute(
        "SELECT COALESCE(slotted, text) FROM revisions WHERE kind = 'draft' AND model_ref = ?"
        " ORDER BY id DESC LIMIT ?",
        (model_ref, limit),
    ).fetchall()
    return [row[0] for row in reversed(rows)]


def sign_off(
    store: Store,
    letter_id: int,
    revision_id: int,
    *,
    user: str,
    details: dict[str, Any] | None = None,
) -> Letter:
    """Sign off one revision as the final letter; only its author may sign (the letter's)."""
    user = store.acting_user(user)
    with store.transaction() as conn:
        _lock_letter(conn, letter_id)
        current = _letter(conn, letter_id)
        if current.is_signed:
            raise StoreError("This letter is already signed off.")
        owner = conn.execute(
            "SELECT letter_id FROM revisions WHERE id = ?", (revision_id,)
        ).fetchone()
        if owner is None or owner[0] != letter_id:
            raise StoreError(f"Revision {revision_id} does not belong to letter {letter_id}.")
        check_opened(conn, letter_id)
        conn.execute(
            "UPDATE letters SET signed_revision_id = ?, signed_by = ?, signed_at = ? WHERE id = ?",
            (revision_id, user, now_iso(), letter_id),
        )
        audit.append(
            conn,
            "sign_off",
            f"letter:{letter_id}",
            {"revision": revision_id, **(details or {})},
            user=user,
        )
    return letter(store, letter_id)


def _insert_revision(
    conn: Any,
    letter_id: int,
    kind: str,
    text: str,
    author: str,
    prompt: str | None,
    model_ref: int | None,
    editing_seconds: float,
    slotted: str | None = None,
    based_on: int | None = None,
    client_ref: str | None = None,
    case_version: int | None = None,
) -> int:
    number, previous = conn.execute(
        "SELECT COALESCE(MAX(number), 0) + 1, (SELECT case_version_ref FROM revisions"
        " WHERE letter_id = ? ORDER BY number DESC LIMIT 1) FROM revisions WHERE letter_id = ?",
        (letter_id, letter_id),
    ).fetchone()
    if kind == "draft" and case_version is not None:  # the version the draft was written from
        previous = case_version
    elif kind == "draft" or previous is None:  # else from the case as it is now
        previous = conn.execute(
            "SELECT v.id FROM case_versions v JOIN letters l ON l.case_ref = v.case_ref"
            " WHERE l.id = ? ORDER BY v.number DESC LIMIT 1",
            (letter_id,),
        ).fetchone()[0]
    # PostgreSQL's text cannot hold a NUL, and no letter has one: a model that writes one (a
    # broken byte) loses it on both back ends, as the editor and the Word export show it
    text = _no_nul(text)
    prompt, slotted = (None if v is None else _no_nul(v) for v in (prompt, slotted))
    row = conn.execute(
        "INSERT INTO revisions (letter_id, number, kind, text, author, created_at, model_ref,"
        " prompt, editing_seconds, slotted, case_version_ref, based_on, client_ref)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (letter_id, number, kind, text, author, now_iso(), model_ref, prompt, editing_seconds,
         slotted, previous, based_on, client_ref),
    ).fetchone()  # fmt: skip
    return int(row[0])


def _revision_sql(store: Store) -> str:
    # a rater reads a study letter blinded: the database gives them neither model nor prompt
    seen = "model_ref, prompt" if store.may("see_models") else "NULL, NULL"
    return _REVISION_SQL.format(model=seen)


def _lock_letter(conn: Any, letter_id: int) -> None:
    """Saves and the sign-off of one letter, one after another (on the department store; the
    store file has one writer anyway): a correction never lands beside a sign-off."""
    if isinstance(conn, postgres.PostgresConnection):
        conn.lock(postgres.LETTER_LOCK, letter_id)


def _no_nul(value: str) -> str:
    return value.replace("\x00", "")


def _letter(conn: Any, letter_id: int) -> Letter:
    row = conn.execute(_LETTER_SQL + " WHERE l.id = ?", (letter_id,)).fetchone()
    if row is None:
        raise StoreError(f"There is no letter {letter_id} in the store.")
    return Letter(*row)


def letter(store: Store, letter_id: int) -> Letter:
    """One stored letter."""
    return _letter(store.conn, letter_id)


# Letters drafted for a blinded study are the study's, never the physician's desk letters.
NOT_STUDY_LETTER = (
    "NOT EXISTS (SELECT 1 FROM study_items si JOIN revisions sr ON sr.id = si.revision_id"
    " WHERE sr.letter_id = l.id)"
)


def letters_for_case(store: Store, case_id: str) -> list[Letter]:
    """Every letter of a case at the desk (study drafts left out), oldest first."""
    rows = store.conn.execute(
        _LETTER_SQL + f" WHERE c.case_id = ? AND {NOT_STUDY_LETTER} ORDER BY l.id", (case_id,)
    )
    return [Letter(*row) for row in rows]


def revision(store: Store, revision_id: int) -> Revision:
    """One stored revision."""
    row = store.conn.execute(_revision_sql(store) + " WHERE id = ?", (revision_id,)).fetchone()
    if row is None:
        raise StoreError(f"There is no revision {revision_id} in the store.")
    return Revision(*row)


def revisions(store: Store, letter_id: int) -> list[Revision]:
    """All revisions of a letter in order; the first draft is revision 1."""
    rows = store.conn.execute(
        _revision_sql(store) + " WHERE letter_id = ? ORDER BY number", (letter_id,)
    )
    return [Revision(*row) for row in rows]
