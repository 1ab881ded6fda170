"""How each model version's drafts fared, computed from the store.

For each model version (the ``models`` row that wrote a draft) and letter type: every rating
dimension's mean ± SD and distribution over the 4-point scale, and the numbers of letters and
raters. For each letter: the correction effort — word edit distance from the draft to the final
letter (:mod:`letterdesk.core.foundation.diffing`), the share of the draft kept, the time spent
editing
(``revisions.editing_seconds``) — ROUGE-1/2/L between draft and final letter, and the draft's
fact precision and recall. Trends are counted per ISO week of the draft.

A letter's draft is its newest model draft (the one corrections are compared with and ratings
refer to); its final text is the signed revision, so correction effort and ROUGE are reported
for signed letters only. A rating belongs to the model of the draft revision it rates. Letters
drafted for a blinded study (:mod:`letterdesk.core.evaluation.study`) are left out: they are the
study's.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rouge_score import rouge_scorer

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.facts.key_facts import fact_recall
from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.diffing import diff_words
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.foundation.paths import resource
from letterdesk.core.store.database import Store
from letterdesk.core.store.drafts import DraftedLetter, draft_ratings, drafted_letters
from letterdesk.core.store.model_versions import versions

SCALE = (1, 2, 3, 4)
ALL_TYPES = "all"
"""The letter type of a model version's summary over all its letters."""
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")

FactMetrics = Callable[[Case, str], tuple[float | None, float]]
"""(fact precision or None where it cannot be measured, key-fact recall) of a letter."""


# --- per letter and per rating -------------------------------------------------------------------


@dataclass(frozen=True)
class LetterMetrics:
    """One letter's draft, measured against its final text and its case."""

    letter_id: int
    case_id: str
    letter_type: str
    language: str
    model: str
    """The label of the model version that wrote the draft (see :func:`model_labels`)."""
    draft_revision_id: int
    drafted_at: str
    week: str
    """ISO week of the draft, e.g. ``2025-W07``."""
    signed: bool
    draft_words: int
    edit_distance: int | None
    """Words inserted, deleted or substituted from draft to final letter; None until signed."""
    kept_share: float | None
    """Share of the draft's words the final letter kept, 0..1; None until signed."""
    editing_seconds: float
    """Time spent correcting the letter, over all its corrections."""
    rouge: dict[str, float] | None
    """ROUGE-1/2/L F-measures of the draft against the final letter; None until signed."""
    fact_precision: float | None
    """Share of the facts the draft states that the case supports (None: not measurable)."""
    fact_recall: float
    """Share of the case's key facts the draft states."""


@dataclass(frozen=True)
class RatingRecord:
    """One stored score, with the model version and letter it belongs to."""

    rating_id: int
    revision_id: int
    letter_id: int
    model: str
    letter_type: str
    rater: str
    dimension: str
    score: int
    rated_at: str
    week: str
    """ISO week of the rated draft."""


# --- summaries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSummary:
    """One dimension's scores in one group: mean ± sample SD and the count of each point."""

    dimension: str
    n: int
    mean: float | None
    sd: float | None
    """Sample standard deviation (n - 1); None below two scores."""
    counts: tuple[int, ...]
    """How often each point of the scale (1, 2, 3, 4) was given."""


@dataclass(frozen=True)
class GroupSummary:
    """One model version's letters of one letter type (or of all, :data:`ALL_TYPES`)."""

    model: str
    letter_type: str
    letters: int
    signed_letters: int
    raters: int
    ratings: int
    scores: tuple[ScoreSummary, ...]
    """One per dimension, in the order of :attr:`Evaluation.dimensions`."""
    edit_distance: float | None
    """Mean over signed letters, like the other correction and ROUGE numbers."""
    kept_share: float | None
    editing_seconds: float | None
    rouge: dict[str, float | None]
    fact_precision: float | None
    """Mean over the letters' drafts, like fact recall."""
    fact_recall: float | None


@dataclass(frozen=True)
class WeekTrend:
    """One model version's drafts of one ISO week."""

    week: str
    model: str
    letters: int
    mean_score: float | None
    """Mean of every score (all dimensions) given to that week's drafts."""
    kept_share: float | None
    """Mean share of the draft kept, over that week's signed letters."""


@dataclass(frozen=True)
class Evaluation:
    """Everything the evaluation view and the report show."""

    created_at: str
    dimensions: tuple[str, ...]
    labels: dict[str, str]
    """Each dimension's English label."""
    letters: tuple[LetterMetrics, ...]
    ratings: tuple[RatingRecord, ...]
    groups: tuple[GroupSummary, ...]
    """Per model version: first all its letter types together, then each letter type."""
    trends: tuple[WeekTrend, ...]

    @property
    def is_empty(self) -> bool:
        """True while no model has drafted a letter: there is nothing to report yet."""
        return not self.letters and not self.ratings

    @property
    def models(self) -> tuple[str, ...]:
        """The model versions evaluated, in the order of :attr:`groups`."""
        return tuple(dict.fromkeys(g.model for g in self.groups))

    def group(self, model: str, letter_type: str = ALL_TYPES) -> GroupSummary | None:
        """The summary of one model version's letters of one type (default: all types)."""
        for group in self.groups:
            if (group.model, group.letter_type) == (model, letter_type):
                return group
        return None


# --- building blocks ------------------------------------------------------------------------------


def summarise_scores(dimension: str, scores: Sequence[int]) -> ScoreSummary:
    """Mean, sample SD and distribution of scores on the 4-point scale."""
    counts = tuple(sum(1 for s in scores if s == point) for point in SCALE)
    mean = statistics.fmean(scores) if scores else None
    sd = statistics.stdev(scores) if len(scores) >= 2 else None
    return ScoreSummary(dimension, len(scores), mean, sd, counts)


def mean_or_none(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are there; None when there are none."""
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


class UnicodeWords:
    """A tokenizer for rouge-score that keeps German words whole.

    rouge-score's default tokenizer keeps only ASCII letters and digits ("Müller" → "m ller").
    """

    def tokenize(self, text: str) -> list[str]:
        """Lower-cased words of letters and digits, umlauts and ß included."""
        return re.findall(r"\w+", text.casefold())


_SCORER = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=UnicodeWords())


def rouge(draft: str, final: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F-measures of the draft against the final letter."""
    scores = _SCORER.score(final, draft)
    return {name: float(scores[name].fmeasure) for name in ROUGE_TYPES}


def fact_metrics_function() -> FactMetrics:
    """Fact precision and recall from ``fact_metrics(case, letter)`` where the fact check offers
    it (:mod:`letterdesk.core.facts.extract`, else :mod:`letterdesk.core.facts.grounding`); else
    key-fact
    recall alone (:func:`letterdesk.core.facts.key_facts.fact_recall`)."""
    for name in ("letterdesk.core.facts.extract", "letterdesk.core.facts.grounding"):
        offered = getattr(importlib.import_module(name), "fact_metrics", None)
        if callable(offered):
            return _precision_recall(offered)
    return lambda case, text: (None, fact_recall(case.data, text))


def _precision_recall(metrics: Callable[[Case, str], dict[str, Any]]) -> FactMetrics:
    def measure(case: Case, text: str) -> tuple[float | None, float]:
        found = metrics(case, text)
        precision = found.get("precision")
        return (None if precision is None else float(precision)), float(found["recall"])

    return measure


def iso_week(timestamp: str) -> str:
    """The ISO week of a stored timestamp, e.g. ``2025-W07``."""
    year, week, _ = dt.datetime.fromisoformat(timestamp).isocalendar()
    return f"{year}-W{week:02d}"


def dimension_labels() -> dict[str, str]:
    """The rating dimensions of ``resources/rating_dimensions.json`` with their English labels."""
    document = json.loads(resource("rating_dimensions.json").read_text(encoding="utf-8"))
    return {str(d["key"]): str(d["label"]["en"]) for d in document["dimensions"]}


def model_labels(store: Store) -> dict[int, str]:
    """A readable label for every model version, oldest first: name and version, plus the
    start of its hash where two versions would otherwise read the same."""
    found = sorted(versions(store), key=lambda v: v.id)
    plain = {v.id: f"{v.name} {v.version}".strip() for v in found}
    shared = {label for label in plain.values() if list(plain.values()).count(label) > 1}
    return {
        v.id: f"{plain[v.id]} ({v.sha256.split(':')[-1][:8]})"
        if plain[v.id] in shared
        else plain[v.id]
        for v in found
    }


# --- from the store ------------------------------------------------------------------------------


def evaluate(
    store: Store,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Evaluation:
    """Measure every drafted letter and summarise the ratings (a job: progress per letter,
    ``cancel`` polled between letters, which raises :class:`Interrupted`)."""
    labels = model_labels(store)
    drafted = drafted_letters(store)
    measure = fact_metrics_function()
    letters = []
    for done, found in enumerate(drafted):
        if cancel is not None and cancel():
            raise Interrupted()
        letters.append(_letter_metrics(found, labels, measure))
        if progress is not None:
            progress(done + 1, len(drafted))
    ratings = [
        RatingRecord(
            int(r.rating_id),
            int(r.revision_id),
            int(r.letter_id),
            labels[int(r.model_ref)],
            str(r.letter_type),
            str(r.rater),
            str(r.dimension),
            int(r.score),
            str(r.rated_at),
            iso_week(str(r.drafted_at)),
        )  # fmt: skip
        for r in draft_ratings(store)
    ]
    dimension_names = dimension_labels()
    seen = {r.dimension for r in ratings}
    dimensions = tuple(dimension_names) + tuple(sorted(seen - set(dimension_names)))
    return Evaluation(
        created_at=now_iso(),
        dimensions=dimensions,
        labels={d: dimension_names.get(d, d) for d in dimensions},
        letters=tuple(letters),
        ratings=tuple(ratings),
        groups=_groups(letters, ratings, dimensions, list(labels.values())),
        trends=_trends(letters, ratings),
    )


def nothing_yet() -> Evaluation:
    """The evaluation of a store that does not exist yet: nothing to report."""
    labels = dimension_labels()
    return Evaluation(now_iso(), tuple(labels), labels, (), (), (), ())


def _letter_metrics(
    found: DraftedLetter, labels: dict[int, str], measure: FactMetrics
) -> LetterMetrics:
    draft, final = found.draft, found.final
    case = parse_case(found.document, f"stored case {found.case_id}")
    precision, recall = measure(case, draft)
    diff = diff_words(draft, final) if final is not None else None
    return LetterMetrics(
        letter_id=int(found.letter_id),
        case_id=str(found.case_id),
        letter_type=str(found.letter_type),
        language=str(found.language),
        model=labels[int(found.model_ref)],
        draft_revision_id=int(found.draft_revision_id),
        drafted_at=str(found.drafted_at),
        week=iso_week(str(found.drafted_at)),
        signed=final is not None,
        draft_words=diff.draft_words if diff else len(str(draft).split()),
        edit_distance=diff.edit_distance if diff else None,
        kept_share=diff.kept_share if diff else None,
        editing_seconds=float(found.editing_seconds),
        rouge=rouge(draft, final) if final is not None else None,
        fact_precision=precision,
        fact_recall=recall,
    )


def _groups(
    letters: Sequence[LetterMetrics],
    ratings: Sequence[RatingRecord],
    dimensions: Sequence[str],
    model_order: Sequence[str],
) -> tuple[GroupSummary, ...]:
    both: list[LetterMetrics | RatingRecord] = [*letters, *ratings]
    models = [m for m in model_order if any(x.model == m for x in both)]
    groups = []
    for model in models:
        types = sorted({x.letter_type for x in both if x.model == model})
        for letter_type in (ALL_TYPES, *types):
            groups.append(
                _group(
                    model,
                    letter_type,
                    [x for x in letters if _belongs(x, model, letter_type)],
                    [r for r in ratings if _belongs(r, model, letter_type)],
                    dimensions,
                )
            )
    return tuple(groups)


def _belongs(item: LetterMetrics | RatingRecord, model: str, letter_type: str) -> bool:
    return item.model == model and letter_type in (ALL_TYPES, item.letter_type)


def _group(
    model: str,
    letter_type: str,
    letters: Sequence[LetterMetrics],
    ratings: Sequence[RatingRecord],
    dimensions: Sequence[str],
) -> GroupSummary:
    signed = [x for x in letters if x.signed]
    return GroupSummary(
        model=model,
        letter_type=letter_type,
        letters=len(letters),
        signed_letters=len(signed),
        raters=len({r.rater for r in ratings}),
        ratings=len(ratings),
        scores=tuple(
            summarise_scores(d, [r.score for r in ratings if r.dimension == d]) for d in dimensions
        ),
        edit_distance=mean_or_none(x.edit_distance for x in signed),
        kept_share=mean_or_none(x.kept_share for x in signed),
        editing_seconds=mean_or_none(x.editing_seconds for x in signed),
        rouge={n: mean_or_none(x.rouge[n] for x in signed if x.rouge) for n in ROUGE_TYPES},
        fact_precision=mean_or_none(x.fact_precision for x in letters),
        fact_recall=mean_or_none(x.fact_recall for x in letters),
    )


def _trends(
    letters: Sequence[LetterMetrics], ratings: Sequence[RatingRecord]
) -> tuple[WeekTrend, ...]:
    both: list[LetterMetrics | RatingRecord] = [*letters, *ratings]
    keys = sorted({(x.week, x.model) for x in both})
    return tuple(
        WeekTrend(
            week=week,
            model=model,
            letters=sum(1 for x in letters if (x.week, x.model) == (week, model)),
            mean_score=mean_or_none(r.score for r in ratings if (r.week, r.model) == (week, model)),
            kept_share=mean_or_none(
                x.kept_share for x in letters if (x.week, x.model) == (week, model)
            ),
        )
        for week, model in keys
    )
