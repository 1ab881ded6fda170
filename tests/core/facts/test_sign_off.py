"""Signing off a letter with its fact check: flagged findings need confirmation; all are audited."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.facts.grounding import check
from letterdesk.core.facts.sign_off import UnconfirmedFindings, sign_off_with_flags
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from tests.core.facts.test_grounding import LETTER
from tests.core.sample_cases import case


@pytest.fixture
def unlocked(monkeypatch, store_location):
    """The store is encrypted: unattended use gives its passphrase in the environment."""
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "grounding-tests-passphrase")


def _stored_letter(text: str):
    store = Store()
    store.import_cases([parse_case(json.dumps(case(), ensure_ascii=False))])
    letter, revision = letters.create_letter(store, "SYN-TEST-0001", text, author="dr.weber")
    return store, letter, revision


def _audited_sign_off(store) -> dict:
    row = store.conn.execute(
        "SELECT details FROM audit_log WHERE action = 'sign_off' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return json.loads(row[0])


def test_signing_a_letter_with_findings_needs_confirmation_and_is_audited(unlocked):
    text = LETTER.replace("Gesamtdosis 40,05 Gy", "Gesamtdosis 45 Gy")
    store, letter, revision = _stored_letter(text)
    with store:
        findings = check(case(), revision.text)
        with pytest.raises(UnconfirmedFindings):
            sign_off_with_flags(store, letter.id, revision.id, user="dr.weber", findings=findings)
        signed = sign_off_with_flags(
            store, letter.id, revision.id, user="dr.weber", findings=findings, confirmed=True
        )
        assert signed.is_signed and signed.signed_by == "dr.weber"
        audited = _audited_sign_off(store)["fact_check"]
    assert audited["confirmed"] is True
    assert audited["unsupported"] == [
        {
            "kind": "dose",
            "text": "45 Gy",
            "instead": "40,05 Gy",
            "start": text.index("45 Gy"),
            "end": text.index("45 Gy") + 5,
        }
    ]
    assert audited["omitted"] == [
        {"kind": "dose", "expected": "40,05 Gy", "path": "$.radiotherapy[0].total_dose_gy"}
    ]


def test_a_clean_letter_signs_without_confirmation_and_stale_findings_are_refused(unlocked):
    store, letter, revision = _stored_letter(LETTER)
    with store:
        stale = check(case(), LETTER + " 99 Gy")
        with pytest.raises(LetterDeskError, match="does not match this version"):
            sign_off_with_flags(store, letter.id, revision.id, user="dr.weber", findings=stale)
        findings = check(case(), revision.text)
        sign_off_with_flags(store, letter.id, revision.id, user="dr.weber", findings=findings)
        audited = _audited_sign_off(store)["fact_check"]
    assert audited["unsupported"] == [] and audited["omitted"] == []
    assert audited["confirmed"] is False
