"""Blinded comparison studies: model versions draft the same cases; raters score every draft
without knowing which version wrote it.

The story: an admin chooses cases and two or more model versions (rows of the ``models``
table, each a GGUF file) → :func:`draft_study` drafts every letter in advance, loading each
model in turn (a cancellable job with progress; a letter cut short by cancelling is not kept,
and the next run goes on where this one stopped) → each rater gets every draft once, in an
order of their own (shuffled with a seed made of the study's seed and the rater's name), under
a label that does not name the model → raters score each draft on every dimension
(:func:`letterdesk.core.store.ratings.rate` on the study's revisions) → the admin completes the
study, which freezes its ratings → :func:`study_result`: per version the mean score with a 95%
t confidence interval over cases, a Wilcoxon signed-rank test between each two versions on
their per-case means, Krippendorff's alpha (ordinal) between raters, letters per rater.

The trainer's promotion asks :func:`completed_result` for the latest completed study of two
versions and :meth:`StudyResult.prefers` whether it found one of them better.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import Any

import krippendorff
from scipy import stats

from letterdesk.core.cases.case import Case
from letterdesk.core.engine.factory import open_engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, LetterModel
from letterdesk.core.evaluation.metrics import SCALE, dimension_labels, model_labels
from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import Interrupted, LetterDeskError
from letterdesk.core.generation.draft import decoding_record, write_letter
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter
from letterdesk.core.store.ratings import rate

SIGNIFICANCE = 0.05
"""A difference between two versions counts when the Wilcoxon test's p-value is below this."""
CONFIDENCE = 0.95
RESULT_FORMAT = 1
_LABEL_CHARACTERS = "ACDEFHJKLMNPRTUVWXY34679"  # none that reads like another (0/O, 1/I, 5/S)


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
    with store.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO studies (name, seed, created_at, created_by) VALUES (?, ?, ?, ?)",
            (name.strip(), seed, now_iso(), user or audit.current_user()),
        )
        study_id = int(cursor.lastrowid or 0)
        for case_id, model_id in pairs:
            conn.execute(
                "INSERT INTO study_items (study_id, case_ref, model_ref)"
                " SELECT ?, id, ? FROM cases WHERE case_id = ?",
                (study_id, model_id, case_id),
            )
        details = {"name": name.strip(), "cases": cases, "models": models}
        audit.append(conn, "create_study", f"study:{study_id}", details, user=user)
    return load_study(store, study_id)


def _setup_problems(store: Store, name: str, cases: list[str], models: list[int]) -> list[str]:
    problems = [] if name.strip() else ["it needs a name"]
    if not cases:
        problems.append("choose at least one case")
    known = {r[0] for r in store.conn.execute("SELECT case_id FROM cases")}
    problems += [f"there is no case {c}" for c in cases if c not in known]
    if len(models) < 2:
        problems.append("choose at least two model versions")
    rows = dict(store.conn.execute("SELECT id, sha256 FROM models").fetchall())
    for model_id in models:
        if model_id not in rows:
            problems.append(f"there is no model version {model_id}")
        elif str(rows[model_id]).startswith("unverified:"):
            problems.append(f"model version {model_id} runs on a server and has no file here")
    return problems


def load_study(store: Store, study_id: int) -> Study:
    """One study with its cases, versions and drafting progress."""
    row = store.conn.execute(
        "SELECT id, name, seed, status, created_at, created_by, completed_at FROM studies"
        " WHERE id = ?",
        (study_id,),
    ).fetchone()
    if row is None:
        raise StudyError(f"There is no study {study_id} in the store.")
    items = store.conn.execute(
        "SELECT c.case_id, si.model_ref, si.revision_id FROM study_items si"
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
        model_ids=tuple(sorted({int(i[1]) for i in items})),
        items=len(items),
        drafted=sum(1 for i in items if i[2] is not None),
    )


def studies(store: Store) -> list[Study]:
    """Every study, newest first."""
    ids = [r[0] for r in store.conn.execute("SELECT id FROM studies ORDER BY id DESC")]
    return [load_study(store, study_id) for study_id in ids]


def complete_study(store: Store, study_id: int, user: str | None = None) -> Study:
    """Close the study: its ratings are frozen and its result may decide a promotion."""
    current = load_study(store, study_id)
    if current.status == "drafting":
        raise StudyError(
            f"Study “{current.name}” cannot be completed before its letters are drafted."
        )
    if current.status == "rating":
        with store.transaction() as conn:
            conn.execute(
                "UPDATE studies SET status = 'completed', completed_at = ? WHERE id = ?",
                (now_iso(), study_id),
            )
            audit.append(conn, "complete_study", f"study:{study_id}", {}, user=user)
    return load_study(store, study_id)


# --- drafting ----------------------------------------------------------------------------------


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


def draft_study(
    store: Store,
    study_id: int,
    settings: EngineSettings,
    *,
    options: DecodingOptions | None = None,
    user: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    open_model: Callable[[EngineSettings], LetterModel] = open_engine,
) -> Study:
    """Draft every letter of the study not drafted yet, one model version after the other.

    ``settings`` are the engine settings to run with (threads, GPU layers, context); the model
    file (and adapter) of each version replaces theirs. ``progress(done, total)`` follows every
    letter; ``cancel`` is polled while letters stream and raises :class:`Interrupted` — what
    was drafted is kept and the next call goes on from there.
    """
    options = (options or DecodingOptions()).checked()
    user = user or audit.current_user()
    current = load_study(store, study_id)
    todo = store.conn.execute(
        "SELECT c.case_id, si.model_ref FROM study_items si JOIN cases c ON c.id = si.case_ref"
        " WHERE si.study_id = ? AND si.revision_id IS NULL ORDER BY si.model_ref, c.case_id",
        (study_id,),
    ).fetchall()
    done = current.drafted
    if progress is not None:
        progress(done, current.items)
    for model_id in dict.fromkeys(int(row[1]) for row in todo):
        _stop_if(cancel)
        engine = open_model(_model_settings(store, model_id, settings))
        try:
            _check_identity(store, engine, model_id)
            drafting = _Drafting(store, engine, study_id, model_id, options, user, cancel)
            for case_id in (row[0] for row in todo if row[1] == model_id):
                _stop_if(cancel)
                record_draft(store, study_id, case_id, model_id, drafting.draft(case_id))
                done += 1
                if progress is not None:
                    progress(done, current.items)
        finally:
            engine.close()
    return load_study(store, study_id)


def _stop_if(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise Interrupted()


def _model_settings(store: Store, model_id: int, base: EngineSettings) -> EngineSettings:
    path, adapter, lineage = store.conn.execute(
        "SELECT path, adapter, lineage FROM models WHERE id = ?", (model_id,)
    ).fetchone()
    adapter_path = json.loads(lineage or "{}").get("adapter_path") if adapter else None
    if adapter and not adapter_path:
        raise StudyError(
            f"The adapter file of model version {model_id} is not known.",
            "Register the version again with its adapter file.",
        )
    return replace(
        base,
        backend="local",
        model_path=Path(path),
        lora_path=Path(adapter_path) if adapter_path else None,
    )


def _check_identity(store: Store, engine: LetterModel, model_id: int) -> None:
    identity = engine.identity(store)
    sha256, adapter, path = store.conn.execute(
        "SELECT sha256, adapter, path FROM models WHERE id = ?", (model_id,)
    ).fetchone()
    if (identity.sha256, identity.adapter) != (sha256, adapter):
        raise StudyError(
            f"The model file {path} is no longer the version chosen for the study "
            f"({model_labels(store)[model_id]}): its content has changed.",
            "Restore the file, or register it as a new version and set up a new study.",
        )


@dataclass(frozen=True)
class _Drafting:
    """One model version writing its letters of a study."""

    store: Store
    engine: LetterModel
    study_id: int
    model_id: int
    options: DecodingOptions
    user: str
    cancel: Callable[[], bool] | None

    def draft(self, case_id: str) -> int:
        """Write and store the case's letter; returns the draft revision's id."""
        case = self.store.case(case_id)
        written = write_letter(self.engine, case, self.options, cancel=self.cancel)
        if written.finished.reason == "cancelled":
            raise Interrupted()  # a letter cut short would be compared unfairly: not kept
        details = {
            "study": self.study_id,
            "finish_reason": written.finished.reason,
            "decoding": decoding_record(written.options),
        }
        _, revision = create_letter(
            self.store, case_id, written.text, author=self.user, prompt=written.prompt,
            model_ref=self.model_id, details=details, slotted=written.slotted,
        )  # fmt: skip
        return revision.id


# --- rating --------------------------------------------------------------------------------------


def assignments(store: Store, study_id: int, rater: str) -> list[Assignment]:
    """The rater's letters of the study in the rater's own order (made on first use)."""
    current = load_study(store, study_id)
    rater = rater.strip()
    if not rater:
        raise StudyError("Ratings need the rater's name.", "Set the rater name in the settings.")
    if current.status == "drafting":
        raise StudyError(
            f"The letters of study “{current.name}” are still being drafted "
            f"({current.drafted} of {current.items}); rating starts when all are ready."
        )
    if current.status == "rating":
        _ensure_assignments(store, current, rater)
    rows = store.conn.execute(
        "SELECT a.item_id, a.position, a.label, c.case_id, EXISTS (SELECT 1 FROM ratings rt"
        " WHERE rt.revision_id = si.revision_id AND rt.rater = a.rater)"
        " FROM study_assignments a JOIN study_items si ON si.id = a.item_id"
        " JOIN cases c ON c.id = si.case_ref WHERE a.study_id = ? AND a.rater = ?"
        " ORDER BY a.position",
        (study_id, rater),
    ).fetchall()
    return [Assignment(int(i), int(p), str(label), str(c), bool(r)) for i, p, label, c, r in rows]


def _ensure_assignments(store: Store, study: Study, rater: str) -> None:
    with store.transaction() as conn:
        if conn.execute(
            "SELECT 1 FROM study_assignments WHERE study_id = ? AND rater = ?", (study.id, rater)
        ).fetchone():
            return
        items = [r[0] for r in conn.execute(
            "SELECT id FROM study_items WHERE study_id = ? ORDER BY id", (study.id,)
        )]  # fmt: skip
        rng = random.Random(f"{study.seed}:{rater}")
        rng.shuffle(items)
        labels: list[str] = []
        while len(labels) < len(items):
            label = "".join(rng.choice(_LABEL_CHARACTERS) for _ in range(4))
            labels += [] if label in labels else [label]
        for position, (item_id, label) in enumerate(zip(items, labels, strict=True), 1):
            conn.execute(
                "INSERT INTO study_assignments (study_id, item_id, rater, position, label)"
                " VALUES (?, ?, ?, ?, ?)",
                (study.id, item_id, rater, position, label),
            )


def open_assignment(store: Store, study_id: int, rater: str, item_id: int) -> BlindedLetter:
    """One of the rater's letters: the case, the draft's text and the rater's scores so far."""
    mine = assignments(store, study_id, rater)
    found = next((a for a in mine if a.item_id == item_id), None)
    if found is None:
        raise StudyError(f"This letter is not among {rater}'s letters of study {study_id}.")
    revision_id, text = store.conn.execute(
        "SELECT r.id, r.text FROM study_items si JOIN revisions r ON r.id = si.revision_id"
        " WHERE si.id = ?",
        (item_id,),
    ).fetchone()
    scores = store.conn.execute(
        "SELECT dimension, score, comment FROM ratings WHERE revision_id = ? AND rater = ?",
        (revision_id, rater.strip()),
    ).fetchall()
    return BlindedLetter(
        found,
        len(mine),
        store.case(found.case_id),
        str(text),
        {str(d): int(s) for d, s, _ in scores},
        str(scores[0][2]) if scores else "",
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
    row = store.conn.execute(
        "SELECT si.revision_id FROM study_assignments a JOIN study_items si ON si.id = a.item_id"
        " WHERE a.study_id = ? AND a.rater = ? AND a.item_id = ?",
        (study_id, rater.strip(), item_id),
    ).fetchone()
    if row is None:
        raise StudyError(f"This letter is not among {rater}'s letters of study {study_id}.")
    rate(store, int(row[0]), rater.strip(), scores, comment)
    return next(a for a in assignments(store, study_id, rater) if a.item_id == item_id)


# --- statistics ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval (None where too few values give none)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


def confidence_interval(values: Sequence[float], level: float = CONFIDENCE) -> Interval:
    """The mean and its t confidence interval (scipy.stats.t); needs two values for a range."""
    if not values:
        return Interval(None, None, None, 0)
    mean = statistics.fmean(values)
    if len(values) == 1:
        return Interval(mean, None, None, 1)
    sd = statistics.stdev(values)
    if sd == 0:
        return Interval(mean, mean, mean, len(values))
    low, high = stats.t.interval(
        level, len(values) - 1, loc=mean, scale=sd / math.sqrt(len(values))
    )
    return Interval(mean, float(low), float(high), len(values))


@dataclass(frozen=True)
class Comparison:
    """Two versions' per-case mean scores compared with the Wilcoxon signed-rank test."""

    model_a: int
    model_b: int
    cases: int
    """Cases both versions' letters were rated for."""
    mean_difference: float | None
    """Mean of (a - b) over those cases, in points of the 4-point scale."""
    statistic: float | None
    """Wilcoxon's W (the smaller rank sum), zero differences left out."""
    p_value: float | None
    effect: float | None
    """Matched-pairs rank-biserial correlation, -1..1: positive favours a, negative b."""

    def favours(self, significance: float = SIGNIFICANCE) -> int | None:
        """The version the test found better (p below ``significance``), else None."""
        if self.p_value is None or self.p_value >= significance or not self.effect:
            return None
        return self.model_a if self.effect > 0 else self.model_b

    def flipped(self) -> Comparison:
        """The same comparison read from b's side."""
        negate = lambda v: None if v is None else -v  # noqa: E731 - two uses, one line
        return replace(
            self, model_a=self.model_b, model_b=self.model_a,
            mean_difference=negate(self.mean_difference), effect=negate(self.effect),
        )  # fmt: skip


def compare(
    model_a: int, model_b: int, a_by_case: Mapping[str, float], b_by_case: Mapping[str, float]
) -> Comparison:
    """Wilcoxon signed-rank test (scipy.stats.wilcoxon) on the cases both versions have."""
    cases = sorted(set(a_by_case) & set(b_by_case))
    differences = [round(a_by_case[c] - b_by_case[c], 9) for c in cases]
    if not differences:
        return Comparison(model_a, model_b, 0, None, None, None, None)
    mean_difference = statistics.fmean(differences)
    nonzero = [d for d in differences if d != 0]  # as Wilcoxon did: no difference, no rank
    if not nonzero:
        return Comparison(model_a, model_b, len(cases), mean_difference, 0.0, 1.0, 0.0)
    test = stats.wilcoxon(nonzero)
    ranks = stats.rankdata([abs(d) for d in nonzero])
    plus = float(sum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0))
    effect = (2 * plus - float(sum(ranks))) / float(sum(ranks))
    return Comparison(
        model_a, model_b, len(cases), mean_difference, float(test.statistic),
        float(test.pvalue), effect,
    )  # fmt: skip


def agreement(units: Mapping[Hashable, Mapping[str, int]]) -> float | None:
    """Krippendorff's alpha (ordinal) of the raters' scores; ``units`` maps each rated thing to
    its scores by rater. None with fewer than two raters or where alpha is undefined."""
    raters = sorted({rater for scores in units.values() for rater in scores})
    if len(raters) < 2:
        return None
    table = [[units[u].get(r, math.nan) for u in units] for r in raters]
    try:
        alpha = float(
            krippendorff.alpha(
                reliability_data=table, level_of_measurement="ordinal", value_domain=list(SCALE)
            )
        )
    except (ValueError, ZeroDivisionError):  # no pairable scores, or no variation at all
        return None
    return None if math.isnan(alpha) else alpha


# --- results -------------------------------------------------------------------------------------


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
    found = {}
    for model_id in model_ids:
        row = store.conn.execute(
            "SELECT sha256, adapter FROM models WHERE id = ?", (model_id,)
        ).fetchone()
        if row is not None:
            found[model_id] = (str(row[0]), row[1])
    return found


def study_result(store: Store, study_id: int, models: Sequence[int] | None = None) -> StudyResult:
    """The study's result so far (all its versions, or only ``models``)."""
    current = load_study(store, study_id)
    chosen = [m for m in current.model_ids if models is None or m in models]
    rows = [
        (int(model), str(case), str(rater), str(dimension), int(score), int(item))
        for model, case, rater, dimension, score, item in store.conn.execute(
            "SELECT si.model_ref, c.case_id, rt.rater, rt.dimension, rt.score, si.id"
            " FROM study_items si JOIN cases c ON c.id = si.case_ref"
            " JOIN ratings rt ON rt.revision_id = si.revision_id WHERE si.study_id = ?"
            " ORDER BY si.id, rt.rater, rt.dimension",
            (study_id,),
        )
        if int(model) in chosen
    ]
    names = dimension_labels()
    dimensions = tuple(names) + tuple(sorted({r[3] for r in rows} - set(names)))
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
            **{d: agreement(_units([r for r in rows if r[3] == d])) for d in dimensions},
            "overall": agreement(_units(rows)),
        },
        letters_per_rater={
            rater: len({r[5] for r in rows if r[2] == rater})
            for rater in sorted({r[2] for r in rows})
        },
    )


Row = tuple[int, str, str, str, int, int]
"""model, case, rater, dimension, score, item."""


def _case_means(rows: Sequence[Row], model: int, dimension: str | None = None) -> dict[str, float]:
    by_case: dict[str, list[int]] = {}
    for m, case, _, d, score, _ in rows:
        if m == model and dimension in (None, d):
            by_case.setdefault(case, []).append(score)
    return {case: statistics.fmean(scores) for case, scores in by_case.items()}


def _model_score(
    rows: Sequence[Row], model: int, label: str, dimensions: Sequence[str]
) -> ModelScore:
    return ModelScore(
        model_id=model,
        label=label,
        ratings=sum(1 for r in rows if r[0] == model),
        overall=confidence_interval(list(_case_means(rows, model).values())),
        by_dimension={
            d: confidence_interval(list(_case_means(rows, model, d).values())) for d in dimensions
        },
    )


def _units(rows: Sequence[Row]) -> dict[Hashable, dict[str, int]]:
    units: dict[Hashable, dict[str, int]] = {}
    for _, _, rater, dimension, score, item in rows:
        units.setdefault((item, dimension), {})[rater] = score
    return units


def completed_result(store: Store, model_a: int, model_b: int) -> StudyResult | None:
    """The result between two versions of the latest completed study that rated both on the
    same cases; None when there is no such study."""
    ids = store.conn.execute(
        "SELECT s.id FROM studies s WHERE s.status = 'completed'"
        " AND EXISTS (SELECT 1 FROM study_items WHERE study_id = s.id AND model_ref = ?)"
        " AND EXISTS (SELECT 1 FROM study_items WHERE study_id = s.id AND model_ref = ?)"
        " ORDER BY s.completed_at DESC, s.id DESC",
        (model_a, model_b),
    ).fetchall()
    for (study_id,) in ids:
        result = study_result(store, study_id, (model_a, model_b))
        found = result.comparison(model_a, model_b)
        if found is not None and found.cases > 0:
            return result
    return None
