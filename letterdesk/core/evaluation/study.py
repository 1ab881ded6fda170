"""Blinded comparison studies: model versions draft the same cases; raters score every draft
without knowing which version wrote it.

The story: an admin chooses cases and two or more model versions (rows of the ``models``
table, each a GGUF file) → :func:`create_study` → :func:`.study_drafting.draft_study` drafts
every letter in advance, loading each model in turn (a cancellable job with progress; a letter
cut short by cancelling is not kept, and the next run goes on where this one stopped) → each
rater gets every draft once, in an order of their own (shuffled with a seed made of the
study's seed and the rater's name), under a label that does not name the model
(:func:`assignments`) → raters score each draft on every dimension (:func:`rate_item`) → the
admin completes the study, which freezes its ratings (:func:`complete_study`) →
:func:`.study_result.study_result`: per version the mean score with a 95% t confidence interval
over cases, a Wilcoxon signed-rank test between each two versions on their per-case means,
Krippendorff's alpha (ordinal) between raters, letters per rater
(:mod:`.study_statistics`).

The study's tables and how it moves from drafting to rating are the store's
(:mod:`letterdesk.core.store.studies`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from letterdesk.core.cases.case import Case
from letterdesk.core.store import case_versions
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import revision
from letterdesk.core.store.model_versions import versions
from letterdesk.core.store.ratings import rate, ratings_for
from letterdesk.core.store.studies import (
    Assignment,
    Study,
    StudyError,
    add_study,
    assigned_revision,
    deal_assignments,
    load_study,
    mark_completed,
    missing_cases,
    rater_assignments,
)

_LABEL_CHARACTERS = "ACDEFHJKLMNPRTUVWXY34679"  # none that reads like another (0/O, 1/I, 5/S)


@dataclass(frozen=True)
class BlindedLetter:
    """What the rater reads and scores for one assignment."""

    assignment: Assignment
    total: int
    case: Case
    text: str
    scores: dict[str, int]
    """The rater's scores so far, by dimension."""
    comment: str


# --- setting a study up ------------------------------------------------------------------------


def create_study(
    store: Store,
    name: str,
    case_ids: Sequence[str],
    model_ids: Sequence[int],
    *,
    user: str | None = None,
    seed: int | None = None,
) -> Study:
    """A new study of these cases and model versions; every problem is reported at once."""
    cases, models = list(dict.fromkeys(case_ids)), list(dict.fromkeys(model_ids))
    problems = _setup_problems(store, name, cases, models)
    if problems:
        raise StudyError(
            "The study cannot be created: " + "; ".join(problems) + ".",
            "Choose stored cases and at least two registered model files.",
        )
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    pairs = [(case_id, model_id) for case_id in cases for model_id in models]
    random.Random(seed).shuffle(pairs)  # item ids then say nothing about the model
    details = {"name": name.strip(), "cases": cases, "models": models}
    study_id = add_study(store, name.strip(), seed, pairs, details=details, user=user)
    return load_study(store, study_id)


def _setup_problems(store: Store, name: str, cases: list[str], models: list[int]) -> list[str]:
    problems = [] if name.strip() else ["it needs a name"]
    if not cases:
        problems.append("choose at least one case")
    problems += [f"there is no case {c}" for c in missing_cases(store, cases)]
    if len(models) < 2:
        problems.append("choose at least two model versions")
    known = {v.id: v for v in versions(store)}
    for model_id in models:
        if model_id not in known:
            problems.append(f"there is no model version {model_id}")
        elif not known[model_id].verified:
            problems.append(f"model version {model_id} runs on a server and has no file here")
    return problems


def complete_study(store: Store, study_id: int, user: str | None = None) -> Study:
    """Close the study: its ratings are frozen and its result may decide a promotion."""
    current = load_study(store, study_id)
    if current.status == "drafting":
        raise StudyError(
            f"Study “{current.name}” cannot be completed before its letters are drafted."
        )
    if current.status == "rating":
        mark_completed(store, study_id, user)
    return load_study(store, study_id)


# --- rating --------------------------------------------------------------------------------------


def assignments(store: Store, study_id: int, rater: str) -> list[Assignment]:
    """The rater's letters of the study in the rater's own order (made on first use)."""
    current = load_study(store, study_id)
    rater = store.acting_user(rater.strip()) if store.is_department else rater.strip()
    if not rater:
        raise StudyError("Ratings need the rater's name.", "Set the rater name in the settings.")
    if current.status == "drafting":
        raise StudyError(
            f"The letters of study “{current.name}” are still being drafted "
            f"({current.drafted} of {current.items}); rating starts when all are ready."
        )
    if current.status == "rating":
        deal_assignments(store, study_id, rater, lambda items: _deal(current, rater, items))
    return rater_assignments(store, study_id, rater)


def _deal(study: Study, rater: str, items: list[int]) -> list[tuple[int, str]]:
    # the rater's own order and labels, the same every time for this study and rater
    rng = random.Random(f"{study.seed}:{rater}")
    rng.shuffle(items)
    labels: list[str] = []
    while len(labels) < len(items):
        label = "".join(rng.choice(_LABEL_CHARACTERS) for _ in range(4))
        labels += [] if label in labels else [label]
    return list(zip(items, labels, strict=True))


def open_assignment(store: Store, study_id: int, rater: str, item_id: int) -> BlindedLetter:
    """One of the rater's letters: the case, the draft's text and the rater's scores so far."""
    mine = assignments(store, study_id, rater)
    found = next((a for a in mine if a.item_id == item_id), None)
    if found is None:
        raise StudyError(f"This letter is not among {rater}'s letters of study {study_id}.")
    draft = revision(store, _revision_of(store, study_id, rater, item_id))
    who = store.acting_user(rater.strip())
    scores = [r for r in ratings_for(store, draft.id) if r.rater == who]
    return BlindedLetter(
        found,
        len(mine),
        # the case as the draft was written from it
        store.case(found.case_id)
        if draft.case_version_ref is None
        else case_versions.version(store, draft.case_version_ref).case,
        str(draft.text),
        {str(r.dimension): int(r.score) for r in scores},
        str(scores[0].comment) if scores else "",
    )


def rate_item(
    store: Store,
    study_id: int,
    rater: str,
    item_id: int,
    scores: Mapping[str, int],
    comment: str = "",
) -> Assignment:
    """Store the rater's scores of one of their study letters."""
    current = load_study(store, study_id)
    if current.status == "completed":
        raise StudyError(f"Study “{current.name}” is completed; its ratings can no longer change.")
    rate(store, _revision_of(store, study_id, rater, item_id), rater.strip(), scores, comment)
    return next(a for a in assignments(store, study_id, rater) if a.item_id == item_id)


def _revision_of(store: Store, study_id: int, rater: str, item_id: int) -> int:
    found = assigned_revision(store, study_id, rater.strip(), item_id)
    if found is None:
        raise StudyError(f"This letter is not among {rater}'s letters of study {study_id}.")
    return found
