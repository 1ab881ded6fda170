"""What the learning loop reads from the store: signed letters, their drafts and prompts.

``signed_drafts`` serves the training-data export of the desk
(:mod:`letterdesk.core.documents.training_pairs`); ``signed_letters`` and
``default_chat_template`` serve the trainer's dataset export (``python -m training dataset``).
"""

from __future__ import annotations

from dataclasses import dataclass

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.store.database import Store

_VERSION_OF = "(SELECT document FROM case_versions WHERE id = {revision}.case_version_ref)"
"""The case as the revision was written against it (a store version, never today's data)."""


@dataclass(frozen=True)
class SignedLetter:
    """One signed-off letter as the store holds it."""

    letter_id: int
    case: Case
    text: str
    signed_at: str


def signed_letters(store: Store) -> list[SignedLetter]:
    """Every signed-off letter with the case version it was signed against and the text of the
    signed revision, oldest first."""
    rows = store.conn.execute(
        "SELECT l.id, c.case_id, " + _VERSION_OF.format(revision="r") + ", r.text, l.signed_at"
        " FROM letters l"
        " JOIN cases c ON c.id = l.case_ref JOIN revisions r ON r.id = l.signed_revision_id"
        " WHERE l.signed_at IS NOT NULL ORDER BY l.signed_at, l.id"
    ).fetchall()
    return [
        SignedLetter(int(i), parse_case(doc, f"stored case {case_id}"), str(text), str(at))
        for i, case_id, doc, text, at in rows
    ]


@dataclass(frozen=True)
class SignedDraft:
    """A signed letter with its case and the newest draft it came from."""

    letter_id: int
    letter_type: str
    language: str
    signed_at: str
    case_id: str
    document: str
    """The case version the letter was signed against (JSON)."""
    prompt: str | None
    """The prompt stored with the draft; None for a draft stored without one."""
    draft: str
    final: str
    """The text of the signed revision."""
    model_sha256: str | None
    """The model version that wrote the draft; None for a draft no model wrote."""


_SIGNED_DRAFTS_SQL = (
    "SELECT l.id, l.letter_type, l.language, l.signed_at, c.case_id, "
    + _VERSION_OF.format(revision="s")
    + ", d.prompt,"
    " d.text, s.text, m.sha256 FROM letters l JOIN cases c ON c.id = l.case_ref"
    " JOIN revisions s ON s.id = l.signed_revision_id"
    " JOIN revisions d ON d.id = (SELECT id FROM revisions WHERE letter_id = l.id"
    " AND kind = 'draft' ORDER BY number DESC LIMIT 1)"
    " LEFT JOIN models m ON m.id = d.model_ref"
    " WHERE l.signed_at IS NOT NULL AND l.id NOT IN (SELECT r.letter_id FROM study_items si"
    " JOIN revisions r ON r.id = si.revision_id) ORDER BY l.signed_at, l.id"
)


def signed_drafts(store: Store) -> list[SignedDraft]:
    """Every signed letter outside studies with its newest draft and that draft's prompt and
    model, oldest first."""
    drafts = []
    for row in store.conn.execute(_SIGNED_DRAFTS_SQL).fetchall():
        letter_id, letter_type, language, signed_at, case_id, document, prompt = row[:7]
        draft, final, sha256 = row[7:]
        drafts.append(
            SignedDraft(
                int(letter_id),
                str(letter_type),
                str(language),
                str(signed_at),
                str(case_id),
                str(document),
                prompt,
                str(draft),
                str(final),
                sha256,
            )  # fmt: skip
        )
    return drafts


def default_chat_template(store: Store) -> str | None:
    """The chat template of the default model version, None when it has none (or there is no
    default)."""
    row = store.conn.execute(
        "SELECT chat_template FROM models WHERE is_default = 1 ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]) if row and row[0] else None
