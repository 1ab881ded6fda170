"""Model drafts as the evaluation reads them: each letter's newest model draft beside its
signed text, and every rating of a model draft.

A letter's draft is its newest revision of kind ``draft`` written by a model; its final text is
the signed revision (None until signed). Letters drafted for a blinded study
(:mod:`letterdesk.core.store.studies`) are left out: they are the study's.
"""

from __future__ import annotations

from dataclasses import dataclass

from letterdesk.core.store.database import Store


@dataclass(frozen=True)
class DraftedLetter:
    """One letter with its newest model draft and, once signed, its final text."""

    letter_id: int
    case_id: str
    document: str
    """The case version the draft was written from (JSON)."""
    letter_type: str
    language: str
    draft_revision_id: int
    draft: str
    model_ref: int
    drafted_at: str
    final: str | None
    """The signed revision's text; None until the letter is signed."""
    editing_seconds: float
    """Time spent on the letter's corrections, all together."""


@dataclass(frozen=True)
class DraftRating:
    """One score given to a model draft, with its letter and model."""

    rating_id: int
    revision_id: int
    letter_id: int
    model_ref: int
    letter_type: str
    rater: str
    dimension: str
    score: int
    rated_at: str
    drafted_at: str


_NOT_IN_A_STUDY = (
    " AND l.id NOT IN (SELECT r2.letter_id FROM study_items si"
    " JOIN revisions r2 ON r2.id = si.revision_id)"
)
_LETTERS_SQL = (
    "SELECT l.id, c.case_id, (SELECT document FROM case_versions WHERE id = d.case_version_ref),"
    " l.letter_type, l.language, d.id, d.text, d.model_ref,"
    " d.created_at, s.text, (SELECT COALESCE(SUM(e.editing_seconds), 0) FROM revisions e"
    " WHERE e.letter_id = l.id AND e.kind = 'correction')"
    " FROM letters l JOIN cases c ON c.id = l.case_ref"
    " JOIN revisions d ON d.id = (SELECT id FROM revisions WHERE letter_id = l.id"
    " AND kind = 'draft' AND model_ref IS NOT NULL ORDER BY number DESC LIMIT 1)"
    " LEFT JOIN revisions s ON s.id = l.signed_revision_id WHERE 1 = 1"
    + _NOT_IN_A_STUDY
    + " ORDER BY d.created_at, l.id"
)
_RATINGS_SQL = (
    "SELECT rt.id, rt.revision_id, l.id, r.model_ref, l.letter_type, rt.rater, rt.dimension,"
    " rt.score, rt.created_at, r.created_at FROM ratings rt"
    " JOIN revisions r ON r.id = rt.revision_id JOIN letters l ON l.id = r.letter_id"
    " WHERE r.kind = 'draft' AND r.model_ref IS NOT NULL" + _NOT_IN_A_STUDY + " ORDER BY rt.id"
)


def drafted_letters(store: Store) -> list[DraftedLetter]:
    """Every letter a model drafted (study letters left out), in the order they were drafted."""
    return [DraftedLetter(*row) for row in store.conn.execute(_LETTERS_SQL).fetchall()]


def draft_ratings(store: Store) -> list[DraftRating]:
    """Every score given to a model draft (study letters left out), in the order given."""
    return [DraftRating(*row) for row in store.conn.execute(_RATINGS_SQL).fetchall()]
