"""What a blinded study found: per version the mean score with its 95% confidence interval over
cases, a Wilcoxon test between each two versions on their per-case means, Krippendorff's alpha
between raters, letters per rater (the statistics: :mod:`.study_statistics`).

The trainer's promotion asks :func:`completed_result` for the latest completed study of two
versions and :meth:`StudyResult.prefers` whether it found one of them better.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

from letterdesk.core.evaluation.metrics import dimension_labels, model_labels
from letterdesk.core.evaluation.study_statistics import (
    SIGNIFICANCE,
    Comparison,
    Interval,
    agreement,
    compare,
    confidence_interval,
)
from letterdesk.core.store.database import Store
from letterdesk.core.store.model_versions import versions
from letterdesk.core.store.studies import (
    StudyScore,
    completed_studies_with,
    load_study,
    study_scores,
)

RESULT_FORMAT = 1


@dataclass(frozen=True)
class ModelScore:
    """One version's scores: per-case means with their 95% confidence interval."""

    model_id: int
    label: str
    ratings: int
    overall: Interval
    """Over cases, each case the mean of all its scores (every rater, every dimension)."""
    by_dimension: dict[str, Interval]


@dataclass(frozen=True)
class StudyResult:
    """What a study found; :meth:`prefers` is the answer the trainer's promotion asks for."""

    study_id: int
    name: str
    status: str
    completed_at: str | None
    dimensions: tuple[str, ...]
    models: tuple[ModelScore, ...]
    comparisons: tuple[Comparison, ...]
    agreement: dict[str, float | None]
    """Krippendorff's alpha per dimension and ``overall`` (every dimension's scores together)."""
    letters_per_rater: dict[str, int]
    significance: float = SIGNIFICANCE

    def comparison(self, model_a: int, model_b: int) -> Comparison | None:
        """The comparison of two versions, read from ``model_a``'s side."""
        for found in self.comparisons:
            if (found.model_a, found.model_b) == (model_a, model_b):
                return found
            if (found.model_b, found.model_a) == (model_a, model_b):
                return found.flipped()
        return None

    def prefers(self, model: int) -> bool:
        """True when the study found ``model`` better than every other version in it: the
        Wilcoxon p-value below :attr:`significance` and the effect in its favour."""
        others = [m.model_id for m in self.models if m.model_id != model]
        if not others or len(others) == len(self.models):
            return False
        found = [self.comparison(model, other) for other in others]
        return all(c is not None and c.favours(self.significance) == model for c in found)

    def winner(self, new: int, current: int) -> str:
        """``new``, ``current`` or ``tie``: what the trainer's promotion step reads."""
        return "new" if self.prefers(new) else "current" if self.prefers(current) else "tie"

    def to_dict(
        self,
        new: int | None = None,
        current: int | None = None,
        hashes: Mapping[int, tuple[str, str | None]] | None = None,
    ) -> dict[str, Any]:
        """The result as JSON data (``python -m training promote --study-result``): with
        ``new`` and ``current`` it says the ``winner`` between them and, from ``hashes``
        (:func:`model_hashes`), names both by the SHA-256 of their model and adapter files,
        without which the trainer does not accept the result."""
        data: dict[str, Any] = {"format": RESULT_FORMAT, **asdict(self)}
        data["prefers"] = [m.model_id for m in self.models if self.prefers(m.model_id)]
        if new is not None and current is not None:
            data["winner"] = self.winner(new, current)
            for role, model_id in (("new", new), ("current", current)):
                if hashes and model_id in hashes:
                    data[f"{role}_sha256"], data[f"{role}_adapter_sha256"] = hashes[model_id]
        return data


def model_hashes(store: Store, model_ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """The SHA-256 of each model version's file and adapter (None without one)."""
    known = {v.id: (v.sha256, v.adapter) for v in versions(store)}
    return {model_id: known[model_id] for model_id in model_ids if model_id in known}


def study_result(store: Store, study_id: int, models: Sequence[int] | None = None) -> StudyResult:
    """The study's result so far (all its versions, or only ``models``)."""
    current = load_study(store, study_id)
    chosen = [m for m in current.model_ids if models is None or m in models]
    rows = [r for r in study_scores(store, study_id) if r.model_id in chosen]
    names = dimension_labels()
    dimensions = tuple(names) + tuple(sorted({r.dimension for r in rows} - set(names)))
    labels = model_labels(store)
    means = {m: _case_means(rows, m) for m in chosen}
    return StudyResult(
        study_id=current.id,
        name=current.name,
        status=current.status,
        completed_at=current.completed_at,
        dimensions=dimensions,
        models=tuple(_model_score(rows, m, labels[m], dimensions) for m in chosen),
        comparisons=tuple(compare(a, b, means[a], means[b]) for a, b in combinations(chosen, 2)),
        agreement={
            **{d: agreement(_units([r for r in rows if r.dimension == d])) for d in dimensions},
            "overall": agreement(_units(rows)),
        },
        letters_per_rater={
            rater: len({r.item_id for r in rows if r.rater == rater})
            for rater in sorted({r.rater for r in rows})
        },
    )


def _case_means(
    rows: Sequence[StudyScore], model: int, dimension: str | None = None
) -> dict[str, float]:
    by_case: dict[str, list[int]] = {}
    for m, case, _, d, score, _ in rows:
        if m == model and dimension in (None, d):
            by_case.setdefault(case, []).append(score)
    return {case: statistics.fmean(scores) for case, scores in by_case.items()}


def _model_score(
    rows: Sequence[StudyScore], model: int, label: str, dimensions: Sequence[str]
) -> ModelScore:
    return ModelScore(
        model_id=model,
        label=label,
        ratings=sum(1 for r in rows if r.model_id == model),
        overall=confidence_interval(list(_case_means(rows, model).values())),
        by_dimension={
            d: confidence_interval(list(_case_means(rows, model, d).values())) for d in dimensions
        },
    )


def _units(rows: Sequence[StudyScore]) -> dict[Hashable, dict[str, int]]:
    units: dict[Hashable, dict[str, int]] = {}
    for _, _, rater, dimension, score, item in rows:
        units.setdefault((item, dimension), {})[rater] = score
    return units


def completed_result(store: Store, model_a: int, model_b: int) -> StudyResult | None:
    """The result between two versions of the latest completed study that rated both on the
    same cases; None when there is no such study."""
    for study_id in completed_studies_with(store, model_a, model_b):
        result = study_result(store, study_id, (model_a, model_b))
        found = result.comparison(model_a, model_b)
        if found is not None and found.cases > 0:
            return result
    return None
