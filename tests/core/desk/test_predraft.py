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
from letterdesk.core.generation.draft import generate_letter
from letterdesk.core.store import case_versions, written_ahead
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter, letters_for_case, sign_off

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
        drafted = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT)
        assert drafted.result is not None and drafted.result.text
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
    result = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT).result
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
        drafted = write_ahead(store, first, engine, author=DOCTOR, options=SHORT)
        assert drafted.result is None and "too long" in drafted.failure.reason
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
        drafted = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT)
        assert drafted.result is None and drafted.failure is not None
        failure = written_ahead.failures(store)[case_id]
        assert "gone.gguf" in failure.reason and failure.model == str(tmp_path / "gone.gguf")
        assert next_case(store, model_key(engine), ahead=1) != case_id
    # another model is another chance
    assert next_case(store, str(DEMO), ahead=1) == case_id


def edit(store: Store, case_id: str) -> None:
    """A physician corrects the case (a new version)."""
    document = store.case(case_id).data
    document["patient"]["given_name"] += "a"
    store.save_case(parse_case(json.dumps(document)), DOCTOR, new=False)


def edited_while_written(store: Store, case_id: str):
    """A ``cancel`` for a letter that, polled first while the letter streams, edits the case."""
    edited = []

    def cancel() -> bool:
        if not edited:
            edit(store, case_id)
            edited.append(True)
        return False

    return cancel


def test_a_case_edited_while_its_draft_is_written_ahead_keeps_no_stale_draft(store, engine):
    # the physician corrects the case in the form while its draft is being written ahead
    case_id = next_case(store, model_key(engine), ahead=1)
    cancel = edited_while_written(store, case_id)
    drafted = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT, cancel=cancel)
    assert drafted.result is None and "changed while its draft" in drafted.overtaken
    assert letters_for_case(store, case_id) == []
    assert case_id not in written_ahead.failures(store)  # nothing to hold against the case
    # written again later, from the corrected case, and it says which version it read
    assert next_case(store, model_key(engine), ahead=1) == case_id
    again = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT).result
    assert again.revision.case_version_ref == case_versions.newest(store, case_id).id
    assert store.case(case_id).data["patient"]["given_name"] in again.prompt


def test_a_draft_records_the_case_version_it_was_written_from(store, engine):
    # a physician's Generate while another desk corrects the case: the letter pane can then
    # say the case changed since the draft, because the draft names the version it read
    case_id = worklist(store)[0]
    first_version = case_versions.newest(store, case_id).id
    cancel = edited_while_written(store, case_id)
    result = generate_letter(store, case_id, engine, options=SHORT, author=DOCTOR, cancel=cancel)
    assert result.revision.case_version_ref == first_version
    assert case_versions.newest(store, case_id).id != first_version


def test_a_draft_written_ahead_for_a_case_that_got_a_letter_meanwhile_is_not_kept(store, engine):
    case_id = next_case(store, model_key(engine), ahead=1)
    physicians = []

    def cancel() -> bool:  # the physician's own letter lands first (another desk, the server)
        if not physicians:
            physicians.append(create_letter(store, case_id, "Sehr geehrte …", author=DOCTOR))
        return False

    drafted = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT, cancel=cancel)
    assert "got a letter" in drafted.overtaken
    assert [letter.id for letter in letters_for_case(store, case_id)] == [physicians[0][0].id]
    assert written_ahead.waiting(store) == {}


def test_a_physicians_draft_for_a_case_drafted_ahead_meanwhile_joins_that_letter(store, engine):
    # the draft written ahead landed just before the physician's Generate finished
    case_id = next_case(store, model_key(engine), ahead=1)
    ahead = write_ahead(store, case_id, engine, author=DOCTOR, options=SHORT).result
    mine = generate_letter(store, case_id, engine, options=SHORT, author=DOCTOR)
    assert mine.letter.id == ahead.letter.id and mine.revision.number == 2
    assert len(letters_for_case(store, case_id)) == 1  # one case, one letter
    assert written_ahead.waiting(store) == {}  # the physician has it before them: opened
    row = {r.summary.case_id: r for r in case_rows(store)}[case_id]
    assert not row.ready
    signed = sign_off(store, mine.letter.id, mine.revision.id, user=DOCTOR)
    assert signed.is_signed
