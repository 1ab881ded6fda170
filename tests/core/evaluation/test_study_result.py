"""What a blinded study found (letterdesk.core.evaluation.study_result), on studies set up by
test_study's helpers, with statistics worked out by hand below."""

from __future__ import annotations

import pytest

from letterdesk.core.evaluation.study import assignments, complete_study, rate_item
from letterdesk.core.evaluation.study_result import completed_result, model_hashes, study_result
from letterdesk.core.store.database import Store
from letterdesk.core.store.studies import StudyError
from tests.core.evaluation.test_study import drafted_study, fake_model, rate_all

T_975_2 = 4.302652729749462
"""The 97.5% quantile of Student's t with 2 degrees of freedom (from a printed t table)."""


@pytest.fixture
def store(store_location):
    with Store(store_location) as opened:  # each back end
        yield opened


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
