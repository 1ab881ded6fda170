"""The store: cases, letters with revisions, ratings and the audit log in a real SQLite file."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.paths import store_path
from letterdesk.core.store import letters, ratings
from letterdesk.core.store.database import Store
from tests.core.sample_cases import case
from tests.postgres_server import REFUSED


def stored(document) -> Store:
    store = Store()
    store.import_cases([parse_case(json.dumps(document, ensure_ascii=False))])
    return store


def test_the_store_lives_in_letterdesk_home_in_wal_mode(letterdesk_home):
    with Store() as store:
        assert store.path == letterdesk_home / "letterdesk.sqlite3" == store_path()
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.usefixtures("store_location")  # both back ends
def test_unicode_case_data_round_trips_through_the_file():
    document = case()
    document["patient"]["family_name"] = "Øberg-Müller"
    document["patient"]["given_name"] = "Nguyễn Thị"
    stored(document).close()
    with Store() as store:
        again = store.case("SYN-TEST-0001")
    assert again.data == document
    assert again.patient_name == "Øberg-Müller, Nguyễn Thị"


@pytest.mark.usefixtures("store_location")  # both back ends
def test_reimport_of_the_same_case_changes_nothing_and_a_changed_one_updates():
    with stored(case()) as store:
        assert store.import_cases([parse_case(json.dumps(case()))])[0].action == "unchanged"
        changed = case(notes="neu")
        assert store.import_cases([parse_case(json.dumps(changed))])[0].action == "updated"
        assert store.case("SYN-TEST-0001").data["notes"] == "neu"


@pytest.mark.usefixtures("store_location")  # both back ends
def test_search_finds_by_name_id_and_birth_date_case_insensitively():
    with stored(case()) as store:
        for query in ("nguyễn", "NGUYỄN", "thảo nguyễn", "SYN-P-0001", "syn-test", "1954-03-02"):
            assert [c.case_id for c in store.cases(query)] == ["SYN-TEST-0001"], query
        assert store.cases("Schmidt") == []


@pytest.mark.usefixtures("store_location")  # both back ends
def test_a_letter_keeps_the_draft_unchanged_and_numbers_corrections():
    with stored(case()) as store:
        letter, draft = letters.create_letter(
            store, "SYN-TEST-0001", "Entwurf", author="model", prompt="PROMPT"
        )
        assert store.cases()[0].status == "draft"
        fix = letters.add_revision(
            store, letter.id, "Korrigiert ß", author="dr.weber", editing_seconds=12.5
        )
        assert store.cases()[0].status == "corrected"
        history = letters.revisions(store, letter.id)
        assert [(r.number, r.kind, r.text) for r in history] == [
            (1, "draft", "Entwurf"),
            (2, "correction", "Korrigiert ß"),
        ]
        assert history[0].prompt == "PROMPT"
        with pytest.raises(REFUSED, match="immutable"):
            store.conn.execute("UPDATE revisions SET text = 'x' WHERE id = ?", (draft.id,))
        signed = letters.sign_off(store, letter.id, fix.id, user="dr.weber")
        assert signed.is_signed and signed.signed_revision_id == fix.id
        assert store.cases(status="signed")[0].case_id == "SYN-TEST-0001"
        with pytest.raises(StoreError, match="signed off"):
            letters.add_revision(store, letter.id, "late", author="dr.weber")


@pytest.mark.usefixtures("store_location")  # both back ends
def test_ratings_are_per_revision_and_rater_and_only_1_to_4():
    with stored(case()) as store:
        _, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
        ratings.rate(store, draft.id, "rater-a", {"completeness": 3, "clinical_benefit": 4})
        ratings.rate(store, draft.id, "rater-b", {"completeness": 2}, comment="kurz")
        ratings.rate(store, draft.id, "rater-a", {"completeness": 4})
        scores = {(r.rater, r.dimension): r.score for r in ratings.ratings_for(store, draft.id)}
        assert scores == {
            ("rater-a", "clinical_benefit"): 4,
            ("rater-a", "completeness"): 4,
            ("rater-b", "completeness"): 2,
        }
        with pytest.raises(StoreError, match="1 to 4"):
            ratings.rate(store, draft.id, "rater-a", {"completeness": 5})


@pytest.mark.usefixtures("store_location")  # both back ends
def test_a_failed_write_leaves_nothing_behind():
    with stored(case()) as store:
        before = store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        with pytest.raises(StoreError):
            letters.create_letter(store, "NO-SUCH-CASE", "Entwurf", author="model")
        assert store.conn.execute("SELECT COUNT(*) FROM letters").fetchone()[0] == 0
        assert store.conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


@pytest.mark.usefixtures("store_location")  # both back ends
def test_the_audit_log_is_append_only_and_its_chain_verifies():
    with stored(case()) as store:
        letter, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
        letters.sign_off(store, letter.id, draft.id, user="dr.weber")
        check = store.verify_audit()
        assert check.first_bad is None and check.entries == 3
        with pytest.raises(REFUSED, match="append-only"):
            store.conn.execute("UPDATE audit_log SET \"user\" = 'mallory'")
        with pytest.raises(REFUSED, match="append-only"):
            store.conn.execute("DELETE FROM audit_log")


@pytest.mark.usefixtures("store_location")  # both back ends
def test_a_tampered_audit_entry_is_named():
    with stored(case()) as store:
        letter, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
        letters.sign_off(store, letter.id, draft.id, user="dr.weber")
        store.conn.execute("DROP TRIGGER audit_no_update")
        store.conn.execute("UPDATE audit_log SET \"user\" = 'mallory' WHERE id = 2")
        check = store.verify_audit()
    assert check.first_bad == 2 and "changed" in check.reason


def test_a_file_that_is_not_a_store_gives_a_clear_error(letterdesk_home):
    bad = letterdesk_home / "letterdesk.sqlite3"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot be opened|could not be updated"):
        Store(bad)


@pytest.mark.usefixtures("store_location")  # both back ends
def test_a_nul_a_model_wrote_is_left_out_on_both_back_ends():
    with stored(case()) as store:
        _, draft = letters.create_letter(store, "SYN-TEST-0001", "Dosis \x0040 Gy", author="model")
        assert draft.text == "Dosis 40 Gy"


@pytest.mark.usefixtures("store_location")  # both back ends
def test_a_signed_letter_is_final_in_the_database_itself():
    with stored(case()) as store:
        letter, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
        letters.sign_off(store, letter.id, draft.id, user="dr.weber")
        with pytest.raises(REFUSED, match="a signed letter is final"):
            store.conn.execute("UPDATE letters SET signed_at = NULL, signed_by = NULL")
        with pytest.raises(REFUSED, match="a signed letter is final"):
            store.conn.execute(
                "INSERT INTO revisions (letter_id, number, kind, text, author, created_at)"
                " VALUES (?, 9, 'correction', 'spät', 'x', 'now')",
                (letter.id,),
            )
        assert letters.letter(store, letter.id).signed_by == "dr.weber"


@pytest.mark.usefixtures("store_location")  # both back ends
def test_search_folds_the_sharp_s_as_german_readers_expect():
    document = case()
    document["patient"]["family_name"] = "Groß"
    with stored(document) as store:
        for query in ("gross", "GROSS", "groß", "Groß"):
            assert [c.case_id for c in store.cases(query)] == ["SYN-TEST-0001"], query


@pytest.mark.usefixtures("store_location")  # both back ends
def test_a_letter_is_signed_only_with_a_revision_of_its_own():
    with stored(case()) as store:
        first, _ = letters.create_letter(store, "SYN-TEST-0001", "Eins", author="model")
        _, other = letters.create_letter(store, "SYN-TEST-0001", "Zwei", author="model")
        with pytest.raises(REFUSED, match="one of its own revisions"):
            store.conn.execute(
                "UPDATE letters SET signed_revision_id = ?, signed_by = 'x', signed_at = 'now'"
                " WHERE id = ?",
                (other.id, first.id),
            )
