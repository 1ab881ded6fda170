"""The worklist queries behind the window (letterdesk.core.desk.worklist), on a real store."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.desk.worklist import case_rows, open_case, search_text, sign_latest
from letterdesk.core.facts import grounding
from letterdesk.core.facts.sign_off import UnconfirmedFindings
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import add_revision, letter
from letterdesk.core.store.ratings import rate
from tests.gui.conftest import AUTHOR, DRAFT, RATER


def test_case_rows_mark_synthetic_cases_and_find_german_dates(store_path):
    with Store(store_path) as store:
        rows = case_rows(store)
        assert len(rows) == 24 and all(row.synthetic for row in rows)
        found = case_rows(store, "17.06.1972")
        assert [row.summary.case_id for row in found] == ["SYN-DEMO-001"]
        assert case_rows(store, "kühn")[0].summary.case_id == "SYN-DEMO-001"
        assert case_rows(store, status="signed") == []
    assert search_text("1.2.1999") == "1999-02-01"
    assert search_text("Kühn") == "Kühn"


def test_open_case_brings_the_latest_revision_the_latest_draft_and_my_scores(
    store_path, add_letter
):
    first, draft = add_letter()
    with Store(store_path) as store:
        assert open_case(store, "SYN-DEMO-002", RATER).letter is None
        correction = add_revision(store, first.id, "korrigiert", author=AUTHOR)
        rate(store, draft.id, RATER, {"completeness": 3}, "gut")
        rate(store, draft.id, "someone else", {"completeness": 1})
        desk = open_case(store, "SYN-DEMO-001", RATER)
    assert desk.letter.latest == correction
    assert desk.letter.draft == draft
    assert desk.letter.revision_count == 2
    assert desk.scores == {"completeness": 3} and desk.comment == "gut"


def test_sign_latest_signs_the_newest_revision(store_path, add_letter):
    first, _ = add_letter()
    with Store(store_path) as store:
        correction = add_revision(store, first.id, "final", author=AUTHOR)
        signed = sign_latest(store, first.id, AUTHOR)
        assert signed.signed_revision_id == correction.id
        assert letter(store, first.id).is_signed
        assert case_rows(store, status="signed")[0].summary.case_id == "SYN-DEMO-001"


def test_sign_latest_with_a_flagged_check_needs_a_confirmation_and_records_it(
    store_path, add_letter
):
    first, _ = add_letter()
    with Store(store_path) as store:
        findings = grounding.check(store.case("SYN-DEMO-001"), DRAFT)
        assert findings.flagged
        with pytest.raises(UnconfirmedFindings):
            sign_latest(store, first.id, AUTHOR, findings)
        assert not letter(store, first.id).is_signed
        sign_latest(store, first.id, AUTHOR, findings, confirmed=True)
        assert letter(store, first.id).is_signed
        [details] = store.conn.execute(
            "SELECT details FROM audit_log WHERE action = 'sign_off'"
        ).fetchone()
    assert json.loads(details)["fact_check"]["confirmed"] is True
