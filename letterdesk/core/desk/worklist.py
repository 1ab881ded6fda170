"""The physician's worklist: the queries the desktop window needs, on top of the store.

A case opened at the desk brings its latest letter, the revision the editor shows (the
newest), the model draft corrections are compared with (the newest draft) and the rater's
own scores for that draft. With a letter, the case is the version that letter was written
against (the fact check reads the letter against it), and what changed in the case since.
Everything here reads or writes through :class:`Store`, in the calling thread (the window's
store worker).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from letterdesk.core.cases.case import Case
from letterdesk.core.cases.changes import Change, case_changes
from letterdesk.core.facts.findings import Findings
from letterdesk.core.facts.sign_off import sign_off_with_flags
from letterdesk.core.store import case_versions, written_ahead
from letterdesk.core.store.database import CaseSummary, Store
from letterdesk.core.store.letters import Letter, Revision, letters_for_case, revisions, sign_off
from letterdesk.core.store.ratings import ratings_for

_GERMAN_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: the store's summary and whether the case is synthetic."""

    summary: CaseSummary
    synthetic: bool
    ready: bool = False
    """Its draft was written ahead and waits, unopened (:mod:`letterdesk.core.desk.predraft`)."""
    not_drafted: str = ""
    """Why its draft could not be written ahead; empty when nothing failed."""


@dataclass(frozen=True)
class LetterAtDesk:
    """A case's latest letter as the editor opens it."""

    letter: Letter
    latest: Revision
    """The newest revision: the text the editor shows."""
    draft: Revision
    """The newest model draft: what corrections are compared with and ratings refer to."""
    revision_count: int


@dataclass(frozen=True)
class CaseAtDesk:
    """A case opened at the desk, with its letter (if any) and the rater's scores."""

    case: Case
    """The case as the shown letter was written against it; without a letter, the newest."""
    letter: LetterAtDesk | None
    scores: dict[str, int] = field(default_factory=dict)
    """The rater's scores of ``letter.draft`` by dimension; empty when not rated yet."""
    comment: str = ""
    changed_since: tuple[Change, ...] = ()
    """What the case's newest version changed after the shown letter was written."""


def search_text(search: str) -> str:
    """The search as the store matches it: a German date ``17.06.1972`` becomes ISO."""
    found = _GERMAN_DATE.match(search)
    if found:
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return search


def case_rows(store: Store, search: str = "", status: str | None = None) -> list[CaseRow]:
    """The case list for a search (name, case or patient ID, birth date) and a status."""
    summaries = store.cases(search_text(search), status)
    synthetic = store.synthetic_case_ids()
    waiting = written_ahead.waiting(store)
    failed = written_ahead.failures(store)
    return [
        CaseRow(
            s,
            s.case_id in synthetic,
            s.case_id in waiting,
            failed[s.case_id].reason if s.status == "new" and s.case_id in failed else "",
        )
        for s in summaries
    ]


def open_case(store: Store, case_id: str, rater: str) -> CaseAtDesk:
    """The case with its latest letter and the rater's scores of that letter's newest draft."""
    newest = store.case(case_id)
    letters = letters_for_case(store, case_id)
    if not letters:
        return CaseAtDesk(newest, None)
    written_ahead.mark_opened(store, letters[-1].id, rater)  # a draft written ahead is seen
    at_desk = letter_at_desk(store, letters[-1])
    scores, comment = rater_scores(store, at_desk.draft.id, rater)
    written_from = at_desk.latest.case_version_ref
    case = newest if written_from is None else case_versions.version(store, written_from).case
    return CaseAtDesk(case, at_desk, scores, comment, tuple(case_changes(case, newest)))


def letter_at_desk(store: Store, letter: Letter) -> LetterAtDesk:
    """A letter with its newest revision and newest draft."""
    history = revisions(store, letter.id)
    drafts = [r for r in history if r.kind == "draft"]
    return LetterAtDesk(letter, history[-1], drafts[-1] if drafts else history[0], len(history))


def rater_scores(store: Store, revision_id: int, rater: str) -> tuple[dict[str, int], str]:
    """One rater's scores of a revision by dimension, and their comment."""
    mine = [r for r in ratings_for(store, revision_id) if r.rater == rater]
    return {r.dimension: r.score for r in mine}, (mine[0].comment if mine else "")


def sign_latest(
    store: Store,
    letter_id: int,
    user: str,
    findings: Findings | None = None,
    *,
    confirmed: bool = False,
) -> Letter:
    """Sign off the letter's newest revision (saved corrections included) as final.

    With ``findings``, the fact check of that revision's text, the sign-off records the check
    and ``confirmed`` (signed despite its flags) in the audit log; a flagged check must be
    confirmed (see :func:`letterdesk.core.facts.sign_off.sign_off_with_flags`).
    """
    newest = revisions(store, letter_id)[-1]
    if findings is not None:
        return sign_off_with_flags(
            store, letter_id, newest.id, user=user, findings=findings, confirmed=confirmed
        )
    return sign_off(store, letter_id, newest.id, user=user)
