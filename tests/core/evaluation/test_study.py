"""Blinded comparison studies (letterdesk.core.evaluation.study): set-up, drafting with real tiny
models,
blinded rating, and results whose statistics are worked out by hand below."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.evaluation.metrics import evaluate
from letterdesk.core.evaluation.study import (
    StudyError,
    agreement,
    assignments,
    compare,
    complete_study,
    completed_result,
    confidence_interval,
    create_study,
    draft_study,
    load_study,
    model_hashes,
    open_assignment,
    rate_item,
    record_draft,
    study_result,
)
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.models.identity import ModelIdentity, identify, register
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter, revision
from tests.core.sample_cases import case

DIMENSIONS = ("factual_correctness", "completeness", "language_style", "clinical_benefit")
T_975_2 = 4.302652729749462
"""The 97.5% quantile of Student's t with 2 degrees of freedom (from a printed t table)."""


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def add_cases(store: Store, count: int) -> list[str]:
    ids = [f"SYN-STUDY-{n}" for n in range(1, count + 1)]
    store.import_cases([parse_case(json.dumps(case(case_id=i))) for i in ids])
    return ids


def fake_model(store: Store, name: str) -> int:
    identity = ModelIdentity(name, "", f"/models/{name}.gguf", name[0] * 64, 1, None, None, None)
    return register(store, identity)


def drafted_study(store: Store, count: int) -> tuple[int, int, int, list[str]]:
    """A study of ``count`` cases by versions A and B, every letter drafted (no model run)."""
    cases = add_cases(store, count)
    a, b = fake_model(store, "a-version"), fake_model(store, "b-version")
    study = create_study(store, "A gegen B", cases, [a, b], user="admin", seed=7)
    for case_id in cases:
        for model_id in (a, b):
            stored = create_letter(
                store, case_id, f"Brief von {model_id}", author="admin", model_ref=model_id
            )[1]
            record_draft(store, study.id, case_id, model_id, stored.id)
    return study.id, a, b, cases


def rate_all(store: Store, study_id: int, scores: dict[tuple[int, str], tuple[int, int]]) -> None:
    """Rater r1 and r2 give the letter of (model, case) their score on every dimension."""
    for position, rater in enumerate(("r1", "r2")):
        for assignment in assignments(store, study_id, rater):
            model_id = store.conn.execute(
                "SELECT model_ref FROM study_items WHERE id = ?", (assignment.item_id,)
            ).fetchone()[0]
            score = scores[(model_id, assignment.case_id)][position]
            rate_item(store, study_id, rater, assignment.item_id, dict.fromkeys(DIMENSIONS, score))


def test_a_study_needs_a_name_stored_cases_and_two_versions(store):
    add_cases(store, 1)
    only = fake_model(store, "a-version")
    with pytest.raises(StudyError) as refused:
        create_study(store, " ", ["SYN-STUDY-1", "SYN-NOWHERE"], [only, only, 99])
    message = refused.value.message
    assert "it needs a name" in message
    assert "there is no case SYN-NOWHERE" in message
    assert "there is no model version 99" in message
    assert "choose at least two model versions" not in message  # 2 distinct ids were named


def test_raters_see_every_letter_once_in_their_own_order_without_the_model(store):
    study_id, a, b, cases = drafted_study(store, 3)
    assert load_study(store, study_id).status == "rating"
    first, second = assignments(store, study_id, "r1"), assignments(store, study_id, "r2")
    assert [x.position for x in first] == [1, 2, 3, 4, 5, 6]
    assert sorted(x.item_id for x in first) == sorted(x.item_id for x in second)
    assert [x.item_id for x in first] != [x.item_id for x in second]
    assert len({x.label for x in first}) == 6 and all(len(x.label) == 4 for x in first)
    assert assignments(store, study_id, "r1") == first  # the order is kept
    assert not any(hasattr(x, "model_id") or hasattr(x, "revision_id") for x in first)
    letter = open_assignment(store, study_id, "r1", first[0].item_id)
    assert letter.text.startswith("Brief von ") and letter.total == 6
    assert letter.case.case_id == first[0].case_id and letter.scores == {}


def test_result_per_version_paired_test_agreement_and_letters_per_rater(store):
    study_id, a, b, cases = drafted_study(store, 3)
    c1, c2, c3 = cases
    # (r1, r2) on every dimension. Per-case means: A 4, 3.5, 3; B 2, 1, 1.5.
    rate_all(
        store,
        study_id,
        {
            (a, c1): (4, 4), (a, c2): (4, 3), (a, c3): (3, 3),
            (b, c1): (2, 2), (b, c2): (1, 1), (b, c3): (2, 1),
        },
    )  # fmt: skip
    result = study_result(store, study_id)
    version_a, version_b = result.models
    # A: mean 3.5, SD 0.5, SE 0.5 / sqrt(3); CI 3.5 ± t(0.975, 2) · SE = 3.5 ± 1.242084
    half = T_975_2 * 0.5 / 3**0.5
    assert version_a.overall.mean == 3.5 and version_a.overall.n == 3
    assert (version_a.overall.low, version_a.overall.high) == pytest.approx(
        (3.5 - half, 3.5 + half)
    )
    assert version_b.overall.mean == 1.5
    assert (version_b.overall.low, version_b.overall.high) == pytest.approx(
        (1.5 - half, 1.5 + half)
    )
    assert version_a.by_dimension["completeness"] == version_a.overall
    assert version_a.ratings == 2 * 3 * 4
    # differences 2, 2.5, 1.5: all positive, so W = 0 and the exact two-sided p = 2 · 1/2³
    (comparison,) = result.comparisons
    assert (comparison.model_a, comparison.model_b, comparison.cases) == (a, b, 3)
    assert comparison.mean_difference == 2.0
    assert (comparison.statistic, comparison.p_value, comparison.effect) == (0.0, 0.25, 1.0)
    assert not result.prefers(a) and not result.prefers(b)  # 3 cases cannot show it
    # ordinal alpha over 6 letters: 4 scores of each point, D_o = 3, D_e = 3240 / 132: 79/90;
    # over the 24 (letter, dimension) units: 313/360
    assert result.agreement["factual_correctness"] == pytest.approx(79 / 90)
    assert result.agreement["overall"] == pytest.approx(313 / 360)
    assert result.letters_per_rater == {"r1": 6, "r2": 6}
    data = result.to_dict(new=a, current=b)
    assert (data["status"], data["winner"], data["prefers"]) == ("rating", "tie", [])


def test_a_completed_study_decides_between_two_versions(store):
    study_id, a, b, cases = drafted_study(store, 6)
    # A gets 4 from both raters; B's per-case means 3.5, 3, 2.5, 2, 1.5, 1: six positive,
    # distinct differences, W = 0, exact two-sided p = 2 · 1/2⁶ = 0.03125
    b_scores = [(4, 3), (3, 3), (3, 2), (2, 2), (2, 1), (1, 1)]
    scores = {(a, c): (4, 4) for c in cases} | {
        (b, c): s for c, s in zip(cases, b_scores, strict=True)
    }
    rate_all(store, study_id, scores)
    assert completed_result(store, a, b) is None  # not completed yet
    complete_study(store, study_id, user="admin")
    result = completed_result(store, b, a)
    comparison = result.comparison(a, b)
    assert comparison.p_value == pytest.approx(0.03125) and comparison.statistic == 0.0
    assert comparison.mean_difference == pytest.approx(1.75) and comparison.effect == 1.0
    assert result.comparison(b, a).effect == -1.0
    assert result.prefers(a) and not result.prefers(b)
    assert result.winner(new=a, current=b) == "new"
    named = result.to_dict(new=b, current=a, hashes=model_hashes(store, [a, b]))
    assert named["winner"] == "current"
    sha = dict(store.conn.execute("SELECT id, sha256 FROM models").fetchall())
    assert (named["new_sha256"], named["current_sha256"]) == (sha[b], sha[a])  # the trainer
    assert "new_sha256" not in result.to_dict(new=b, current=a)  # checks them before it trusts
    assert result.to_dict()["status"] == "completed"
    first = assignments(store, study_id, "r1")[0]
    with pytest.raises(StudyError, match="completed"):
        rate_item(store, study_id, "r1", first.item_id, {"completeness": 1})
    assert completed_result(store, a, fake_model(store, "c-version")) is None


def test_statistics_on_tiny_tables():
    # mean 3, SD 1: 3 ± 4.302653 / sqrt(3)
    interval = confidence_interval([2, 3, 4])
    assert interval.mean == 3.0
    assert (interval.low, interval.high) == pytest.approx((0.515862, 5.484138), abs=1e-6)
    assert confidence_interval([3]).low is None and confidence_interval([]).mean is None
    # two raters, three letters: 1/1, 2/2, 3/4. Coincidences o₁₁ = o₂₂ = 2, o₃₄ = o₄₃ = 1;
    # n₁ = n₂ = 2, n₃ = n₄ = 1; ordinal δ²₃₄ = 1, so D_o = 2/6; Σ n_c n_k δ² = 198, D_e = 6.6
    units = {"l1": {"a": 1, "b": 1}, "l2": {"a": 2, "b": 2}, "l3": {"a": 3, "b": 4}}
    assert agreement(units) == pytest.approx(94 / 99)
    assert agreement({"l1": {"a": 1}, "l2": {"a": 2}}) is None  # one rater agrees with nobody
    # differences 1, -2, 3, 4: ranks 1, 2, 3, 4; W+ = 8, W- = 2; exact p: 3 of the 16 sign
    # patterns have a negative rank sum <= 2 ({}, {1}, {2}), doubled: 6/16
    tied = compare(1, 2, {"x": 2, "y": 1, "z": 4, "w": 4}, {"x": 1, "y": 3, "z": 1, "w": 0})
    assert (tied.statistic, tied.p_value) == (2.0, 0.375)
    assert tied.effect == pytest.approx((8 - 2) / 10)
    same = compare(1, 2, {"x": 3}, {"x": 3})
    assert (same.p_value, same.effect, same.favours()) == (1.0, 0.0, None)


# --- drafting with real models ------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_versions(tiny_checkpoint, tmp_path_factory) -> tuple[Path, Path]:
    """The tiny checkpoint as F32 and as F16: two files, two versions of one model."""
    from training.convert import convert

    folder = tmp_path_factory.mktemp("versions")
    return (
        convert(tiny_checkpoint, folder / "v1.gguf", outtype="f32").path,
        convert(tiny_checkpoint, folder / "v2.gguf", outtype="f16").path,
    )


def test_drafting_loads_each_version_in_turn_and_can_be_cancelled_and_resumed(store, two_versions):
    cases = add_cases(store, 2)
    ids = [register(store, identify(read_header(path))) for path in two_versions]
    study = create_study(store, "f32 gegen f16", cases, ids, user="admin", seed=1)
    settings = EngineSettings(n_threads=1, max_context=2048)
    options = DecodingOptions(max_tokens=8)
    seen: list[tuple[int, int]] = []

    def stop_after_one() -> bool:
        return len(seen) >= 2  # (0, 4), then the first letter

    with pytest.raises(Interrupted):
        draft_study(
            store, study.id, settings, options=options, progress=lambda *p: seen.append(p),
            cancel=stop_after_one,
        )  # fmt: skip
    assert seen == [(0, 4), (1, 4)] and load_study(store, study.id).drafted == 1
    finished = draft_study(
        store, study.id, settings, options=options, progress=lambda *p: seen.append(p)
    )
    assert seen[2:] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (finished.status, finished.drafted) == ("rating", 4)
    drafts = store.conn.execute("SELECT model_ref, revision_id FROM study_items").fetchall()
    assert sorted(model for model, _ in drafts) == sorted(ids * 2)
    assert all(revision(store, r).model_ref == m for m, r in drafts)
    assert evaluate(store).letters == ()  # the study's letters are not routine work
