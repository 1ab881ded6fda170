"""Drafts written ahead, with the real demo model on both store back ends: which case is next,
the mark that keeps an unopened draft from being signed, failures recorded and not retried."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.desk.demo import seed_demo_cases
from letterdesk.core.desk.predraft import model_key, next_case, write_ahead
from letterdesk.core.desk.worklist import case_rows, open_case
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.foundation.errors import Interrupted, StoreError
from letterdesk.core.foundation.paths import resource
from letterdesk.core.store import written_ahead
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import letters_for_case, sign_off

DEMO = resource("models", "letterdesk-demo.gguf")
SHORT = DecodingOptions(max_tokens=60)
DOCTOR = "Dr. Weiß"


@pytest.fixture
def store(store_location):
    with Store(store_location) as store:
        seed_demo_cases(store)
        yield store


@pytest.fixture(scope="module")
def engine():
    with Engine(EngineSettings(model_path=DEMO, n_threads=1)) as engine:
        yield engine


def worklist(store: Store) -> list[str]:
    return [row.summary.case_id for row in case_rows(store)]


def test_drafts_are_written_ahead_in_worklist_order_up_to_the_limit(store, engine):
    order = worklist(store)
    written = []
    while (case_id := next_case(store, model_key(engine), ahead=2)) is not None:
        result = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT)
        assert result is not None and result.text
        written.append(case_id)
    assert written == order[:2]  # two wait unopened: no third
    rows = {row.summary.case_id: row for row in case_rows(store)}
    assert [c for c in order if rows[c].ready] == written
    assert written_ahead.waiting(store).keys() == set(written)

    # opening one is seeing it: it no longer waits, and the next case is drafted ahead
    desk = open_case(store, written[0], DOCTOR)
    assert desk.letter is not None and desk.letter.latest.text
    assert not {row.summary.case_id: row for row in case_rows(store)}[written[0]].ready
    assert next_case(store, model_key(engine), ahead=2) == order[2]


def test_an_unopened_draft_written_ahead_cannot_be_signed(store, engine):
    case_id = next_case(store, model_key(engine), ahead=1)
    result = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT)
    with pytest.raises(StoreError, match="no one has opened it"):
        sign_off(store, result.letter.id, result.revision.id, user=DOCTOR)
    open_case(store, case_id, DOCTOR)
    signed = sign_off(store, result.letter.id, result.revision.id, user=DOCTOR)
    assert signed.is_signed
    actions = [
        row[0]
        for row in store.conn.execute(
            "SELECT action FROM audit_log WHERE subject = ? ORDER BY id",
            (f"letter:{result.letter.id}",),
        )
    ]
    assert actions == ["generate", "write_ahead", "opened", "sign_off"]
    assert store.verify_audit().first_bad is None


def test_a_draft_written_ahead_that_is_cancelled_leaves_nothing(store, engine):
    case_id = next_case(store, model_key(engine), ahead=1)
    with pytest.raises(Interrupted):
        write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT, cancel=lambda: True)
    assert letters_for_case(store, case_id) == []
    assert next_case(store, model_key(engine), ahead=1) == case_id  # written again later


def test_a_case_over_the_context_is_recorded_and_not_tried_again(store):
    small = EngineSettings(model_path=DEMO, n_threads=1, max_context=256)
    with Engine(small) as engine:
        first = next_case(store, model_key(engine), ahead=1)
        assert write_ahead(store, first, engine, author=DOCTOR, options=SHORT) is None
        row = {r.summary.case_id: r for r in case_rows(store)}[first]
        assert "too long for the model" in row.not_drafted
        # the next call moves on: no loop on the case that cannot be drafted
        assert next_case(store, model_key(engine), ahead=1) != first
        # the case changed (a new version, at the top of the worklist): it is tried again
        document = store.case(first).data
        document["patient"]["given_name"] += "a"
        store.save_case(parse_case(json.dumps(document)), DOCTOR, new=False)
        assert next_case(store, model_key(engine), ahead=1) == first
    assert letters_for_case(store, first) == []


def test_a_missing_model_is_recorded_against_the_case_with_its_reason(store, tmp_path):
    with Engine(EngineSettings(model_path=tmp_path / "gone.gguf", n_threads=1)) as engine:
        case_id = next_case(store, model_key(engine), ahead=1)
        assert write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT) is None
        failure = written_ahead.failures(store)[case_id]
        assert "gone.gguf" in failure.reason and failure.model == str(tmp_path / "gone.gguf")
        assert next_case(store, model_key(engine), ahead=1) != case_id
    # another model is another chance
    assert next_case(store, str(DEMO), ahead=1) == case_id
