"""Blinded comparison studies in the store: ``studies``, ``study_items`` and ``study_assignments``.

A study's item is one case drafted by one model version; its revision is the draft raters
score. Each rater sees every item once, at a position of their own, under a label that does
not name the model (how the items are dealt is :mod:`letterdesk.core.evaluation.study`'s).
A study goes from ``drafting`` to ``rating`` when its last letter is recorded, and to
``completed`` when its ratings are frozen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store


class StudyError(LetterDeskError):
    """A study cannot be set up, drafted or rated as asked."""


@dataclass(frozen=True)
class Study:
    """One blinded comparison study and how far it has come."""

    id: int
    name: str
    seed: int
    status: str
    """``drafting`` (letters are being written), ``rating``, or ``completed`` (ratings frozen)."""
    created_at: str
    created_by: str
    completed_at: str | None
    case_ids: tuple[str, ...]
    model_ids: tuple[int, ...]
    items: int
    """Letters in the study: every case drafted by every version."""
    drafted: int


@dataclass(frozen=True)
class Assignment:
    """One draft as one rater sees it: a position, a label, the case — never the model."""

    item_id: int
    position: int
    label: str
    case_id: str
    rated: bool


class StudyScore(NamedTuple):
    """One score a rater gave one of the study's letters on one dimension."""

    model_id: int
    case_id: str
    rater: str
    dimension: str
    score: int
    item_id: int


# --- setting a study up and following it -----------------------------------------------------


def missing_cases(store: Store, case_ids: Iterable[str]) -> list[str]:
    """Those of ``case_ids`` that are not in the store, in their order."""
    known = {r[0] for r in store.conn.execute("SELECT case_id FROM cases")}
    return [c for c in case_ids if c not in known]


def add_study(
    store: Store,
    name: str,
    seed: int,
    items: Sequence[tuple[str, int]],
    *,
    details: Mapping[str, Any],
    user: str | None = None,
) -> int:
    """Store a new study of these (case ID, model version) items, in their order, with an
    audit entry of ``details``; returns its id."""
    user = store.acting_user(user)
    with store.transaction() as conn:
        study_id = int(
            conn.execute(
                "INSERT INTO studies (name, seed, created_at, created_by) VALUES (?, ?, ?, ?)"
                " RETURNING id",
                (name, seed, now_iso(), user),
            ).fetchone()[0]
        )
        for case_id, model_id in items:
            conn.execute(
                "INSERT INTO study_items (study_id, case_ref, model_ref)"
                " SELECT ?, id, ? FROM cases WHERE case_id = ?",
                (study_id, model_id, case_id),
            )
        audit.append(conn, "create_study", f"study:{study_id}", dict(details), user=user)
    return study_id


def load_study(store: Store, study_id: int) -> Study:
    """One study with its cases, versions and drafting progress."""
    row = store.conn.execute(
        "SELECT id, name, seed, status, created_at, created_by, completed_at FROM studies"
        " WHERE id = ?",
        (study_id,),
    ).fetchone()
    if row is None:
        raise StudyError(f"There is no study {study_id} in the store.")
    model = "si.model_ref" if store.may("see_models") else "NULL"  # raters rate blinded
    items = store.conn.execute(
        f"SELECT c.case_id, {model}, si.revision_id FROM study_items si"
        " JOIN cases c ON c.id = si.case_ref WHERE si.study_id = ? ORDER BY si.id",
        (study_id,),
    ).fetchall()
    study_id, name, seed, status, created_at, created_by, completed_at = row
    return Study(
        int(study_id),
        str(name),
        int(seed),
        str(status),
        str(created_at),
        str(created_by),
        completed_at,
        case_ids=tuple(sorted({i[0] for i in items})),
        model_ids=tuple(sorted({int(i[1]) for i in items if i[1] is not None})),
        items=len(items),
        drafted=sum(1 for i in items if i[2] is not None),
    )


def studies(store: Store) -> list[Study]:
    """Every study, newest first."""
    ids = [r[0] for r in store.conn.execute("SELECT id FROM studies ORDER BY id DESC")]
    return [load_study(store, study_id) for study_id in ids]


def mark_completed(store: Store, study_id: int, user: str | None = None) -> None:
    """Set the study's status to ``completed`` now, with an audit entry."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE studies SET status = 'completed', completed_at = ? WHERE id = ?",
            (now_iso(), study_id),
        )
        audit.append(conn, "complete_study", f"study:{study_id}", {}, user=user)


def completed_studies_with(store: Store, model_a: int, model_b: int) -> list[int]:
    """The completed studies that drafted letters by both versions, latest completed first."""
    rows = store.conn.execute(
        "SELECT s.id FROM studies s WHERE s.status = 'completed'"
        " AND EXISTS (SELECT 1 FROM study_items WHERE study_id = s.id AND model_ref = ?)"
        " AND EXISTS (SELECT 1 FROM study_items WHERE study_id = s.id AND model_ref = ?)"
        " ORDER BY s.completed_at DESC, s.id DESC",
        (model_a, model_b),
    ).fetchall()
    return [int(study_id) for (study_id,) in rows]


# --- drafting ----------------------------------------------------------------------------------


def undrafted(store: Store, study_id: int) -> list[tuple[str, int]]:
    """The (case ID, model version) items still without a letter, version after version."""
    rows = store.conn.execute(
        "SELECT c.case_id, si.model_ref FROM study_items si JOIN cases c ON c.id = si.case_ref"
        " WHERE si.study_id = ? AND si.revision_id IS NULL ORDER BY si.model_ref, c.case_id",
        (study_id,),
    ).fetchall()
    return [(str(case_id), int(model_id)) for case_id, model_id in rows]


def record_draft(
    store: Store, study_id: int, case_id: str, model_id: int, revision_id: int
) -> Study:
    """Make a stored draft the study's letter for one case and version; the study moves on to
    rating once every letter is drafted."""
    with store.transaction() as conn:
        owner = conn.execute(
            "SELECT c.case_id, r.model_ref FROM revisions r JOIN letters l ON l.id = r.letter_id"
            " JOIN cases c ON c.id = l.case_ref WHERE r.id = ? AND r.kind = 'draft'",
            (revision_id,),
        ).fetchone()
        if owner is None or tuple(owner) != (case_id, model_id):
            raise StudyError(
                f"Revision {revision_id} is not a draft of case {case_id} by version {model_id}."
            )
        updated = conn.execute(
            "UPDATE study_items SET revision_id = ? WHERE study_id = ? AND model_ref = ?"
            " AND revision_id IS NULL AND case_ref = (SELECT id FROM cases WHERE case_id = ?)",
            (revision_id, study_id, model_id, case_id),
        ).rowcount
        if updated != 1:
            raise StudyError(
                f"Study {study_id} has no undrafted letter of {case_id} by {model_id}."
            )
        left = conn.execute(
            "SELECT COUNT(*) FROM study_items WHERE study_id = ? AND revision_id IS NULL",
            (study_id,),
        ).fetchone()[0]
        if left == 0:
            conn.execute("UPDATE studies SET status = 'rating' WHERE id = ?", (study_id,))
            audit.append(conn, "study_drafted", f"study:{study_id}", {})
    return load_study(store, study_id)


# --- rating --------------------------------------------------------------------------------------


def deal_assignments(
    store: Store,
    study_id: int,
    rater: str,
    deal: Callable[[list[int]], Iterable[tuple[int, str]]],
) -> None:
    """Give the rater the study's letters once: ``deal`` puts the item ids (in the order
    stored) in the rater's order, each with its label. A rater who has them keeps them."""
    with store.transaction() as conn:
        if conn.execute(
            "SELECT 1 FROM study_assignments WHERE study_id = ? AND rater = ?", (study_id, rater)
        ).fetchone():
            return
        items = [r[0] for r in conn.execute(
            "SELECT id FROM study_items WHERE study_id = ? ORDER BY id", (study_id,)
        )]  # fmt: skip
        for position, (item_id, label) in enumerate(deal(items), 1):
            conn.execute(
                "INSERT INTO study_assignments (study_id, item_id, rater, position, label)"
                " VALUES (?, ?, ?, ?, ?)",
                (study_id, item_id, rater, position, label),
            )


def rater_assignments(store: Store, study_id: int, rater: str) -> list[Assignment]:
    """The rater's letters of the study, in the rater's order."""
    rater = store.acting_user(rater)
    rows = store.conn.execute(
        "SELECT a.item_id, a.position, a.label, c.case_id, EXISTS (SELECT 1 FROM ratings rt"
        " WHERE rt.revision_id = si.revision_id AND rt.rater = a.rater)"
        " FROM study_assignments a JOIN study_items si ON si.id = a.item_id"
        " JOIN cases c ON c.id = si.case_ref WHERE a.study_id = ? AND a.rater = ?"
        " ORDER BY a.position",
        (study_id, rater),
    ).fetchall()
    return [Assignment(int(i), int(p), str(label), str(c), bool(r)) for i, p, label, c, r in rows]


def assigned_revision(store: Store, study_id: int, rater: str, item_id: int) -> int | None:
    """The draft revision of a letter of the study assigned to the rater; None when it is not
    among their letters."""
    rater = store.acting_user(rater)
    row = store.conn.execute(
        "SELECT si.revision_id FROM study_assignments a JOIN study_items si ON si.id = a.item_id"
        " WHERE a.study_id = ? AND a.rater = ? AND a.item_id = ?",
        (study_id, rater, item_id),
    ).fetchone()
    return None if row is None else int(row[0])


def study_scores(store: Store, study_id: int) -> list[StudyScore]:
    """Every score given to the study's letters, letter by letter, then by rater and dimension."""
    rows = store.conn.execute(
        "SELECT si.model_ref, c.case_id, rt.rater, rt.dimension, rt.score, si.id"
        " FROM study_items si JOIN cases c ON c.id = si.case_ref"
        " JOIN ratings rt ON rt.revision_id = si.revision_id WHERE si.study_id = ?"
        " ORDER BY si.id, rt.rater, rt.dimension",
        (study_id,),
    )
    return [
        StudyScore(int(model), str(case), str(rater), str(dimension), int(score), int(item))
        for model, case, rater, dimension, score, item in rows
    ]
