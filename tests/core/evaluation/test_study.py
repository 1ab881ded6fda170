"""Blinded comparison studies (letterdesk.core.evaluation.study): set-up and blinded rating; the
helpers below set up the studies of test_study_result and test_study_drafting too."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.evaluation.study import assignments, create_study, open_assignment, rate_item
from letterdesk.core.models.identity import ModelIdentity, register
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter
from letterdesk.core.store.studies import StudyError, load_study, record_draft
from tests.core.sample_cases import case

DIMENSIONS = ("factual_correctness", "completeness", "language_style", "clinical_benefit")


@pytest.fixture
def store(store_location):
    with Store(store_location) as opened:  # each back end
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
