"""Two physicians on one letter, and a server that goes away (issue 20): a conflicting save
keeps both texts; corrections made while the department store is unreachable wait in the
encrypted journal and are written when it returns, in order, exactly once."""

from __future__ import annotations

import json

import psycopg
import pytest

from letterdesk.cli import main
from letterdesk.core.cases.case import parse_case
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from letterdesk.core.store.journal import Journal, nothing_waiting_for, save_correction
from letterdesk.core.store.postgres import StoreUnreachable
from tests.core.sample_cases import case


@pytest.fixture
def unlocked(monkeypatch):
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "journal-test-passphrase")


def a_letter(store: Store) -> tuple[int, int]:
    store.import_cases([parse_case(json.dumps(case(), ensure_ascii=False))])
    letter, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
    return letter.id, draft.id


@pytest.mark.usefixtures("unlocked")
def test_a_conflicting_save_keeps_both_texts_and_says_so(store_location):
    with Store(store_location) as first, Store(store_location) as second:
        letter_id, draft_id = a_letter(first)
        mine = letters.add_revision(first, letter_id, "Text A", author="a", based_on=draft_id)
        theirs = letters.add_revision(second, letter_id, "Text B", author="b", based_on=draft_id)
        follow_up = letters.add_revision(second, letter_id, "Text B2", author="b",
                                         based_on=theirs.id)  # fmt: skip
        assert mine.conflict_with is None and follow_up.conflict_with is None
        assert theirs.conflict_with == mine.id
        texts = [r.text for r in letters.revisions(first, letter_id)]
    assert texts == ["Entwurf", "Text A", "Text B", "Text B2"]


@pytest.mark.usefixtures("unlocked")
def test_saves_while_the_server_is_down_are_written_when_it_returns(postgres, tmp_path):
    url = postgres.store_url(postgres.new_database())
    journal = Journal(tmp_path / "journal.sqlite3")
    with Store(url) as store:
        letter_id, draft_id = a_letter(store)
        first = save_correction(store, journal, letter_id, "eins", author="a", based_on=draft_id)
        assert first.revision is not None and first.waiting == 0
        postgres.stop()
        try:
            held = [
                save_correction(store, journal, letter_id, text, author="a")
                for text in ("zwei", "drei Grüße")
            ]
        finally:
            postgres.start()
        assert [(h.revision, h.waiting) for h in held] == [(None, 1), (None, 2)]
        assert b"Gr\xc3\xbc\xc3\x9fe" not in (tmp_path / "journal.sqlite3").read_bytes()
        # the server took the next one before the answer came back: it must not land twice
        pending = journal.waiting()[0]
        letters.add_revision(store, letter_id, pending.text, author="a",
                             client_ref=pending.client_ref)  # fmt: skip
        last = save_correction(store, journal, letter_id, "vier", author="a")
        assert last.revision is not None and last.waiting == 0
        texts = [r.text for r in letters.revisions(store, letter_id)]
    journal.close()
    assert texts == ["Entwurf", "eins", "zwei", "drei Grüße", "vier"]
    assert Journal(tmp_path / "journal.sqlite3").waiting() == []


@pytest.mark.usefixtures("unlocked")
def test_a_save_the_store_refuses_is_kept_and_the_queue_goes_on(store_location, tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    with Store(store_location) as store:
        letter_id, draft_id = a_letter(store)
        letters.sign_off(store, letter_id, draft_id, user="b")
        with pytest.raises(StoreError, match="signed off"):
            save_correction(store, journal, letter_id, "zu spät", author="a")
        ((refused, reason),) = journal.refused()
        assert refused.text == "zu spät" and "signed off" in reason
        other, _ = letters.create_letter(store, "SYN-TEST-0001", "Zweiter", author="model")
        assert save_correction(store, journal, other.id, "weiter", author="a").revision


def test_a_connection_cut_at_commit_is_opened_again_for_the_next_write(postgres):
    url = postgres.store_url(postgres.new_database())
    with Store(url) as store:
        letter_id, draft_id = a_letter(store)
        with pytest.raises(StoreUnreachable):
            with store.transaction() as conn:
                conn.execute("SELECT 1")
                with psycopg.connect(postgres.socket_url(), autocommit=True) as admin:
                    admin.execute("SELECT pg_terminate_backend(%s)", (conn.raw.info.backend_pid,))
        fix = letters.add_revision(store, letter_id, "danach", author="a", based_on=draft_id)
        assert [r.text for r in letters.revisions(store, letter_id)] == ["Entwurf", "danach"]
        assert fix.number == 2


@pytest.mark.usefixtures("unlocked")
def test_a_letter_is_not_signed_while_a_change_to_it_waits(postgres, tmp_path):
    url = postgres.store_url(postgres.new_database())
    journal = Journal(tmp_path / "journal.sqlite3")
    with Store(url) as store:
        letter_id, draft_id = a_letter(store)
        postgres.stop()
        try:
            assert save_correction(store, journal, letter_id, "offline", author="a").waiting == 1
            with pytest.raises(StoreError, match="not in the department store yet"):
                nothing_waiting_for(store, journal, letter_id)
        finally:
            postgres.start()
        nothing_waiting_for(store, journal, letter_id)  # written now: nothing stands in the way
        assert letters.revisions(store, letter_id)[-1].text == "offline"


@pytest.mark.usefixtures("unlocked")
def test_a_save_is_held_under_the_login_that_writes_it(postgres, tmp_path):
    url = postgres.store_url(postgres.new_database())
    assert main(["store", "init", url]) == 0
    assert main(["store", "grant", "dr_weber", "--role", "physician", "--url", url]) == 0
    journal = Journal(tmp_path / "journal.sqlite3")
    with Store(url.replace("it_dba@", "dr_weber@")) as store:
        letter_id, draft_id = a_letter(store)
        saved = save_correction(store, journal, letter_id, "eins", author="Dr. Weiß (settings)")
    assert saved.revision is not None and saved.revision.author == "dr_weber"
    assert journal.waiting() == [] and journal.refused() == []
