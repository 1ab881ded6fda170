"""Moving a workstation's store into the department store (issue 20): everything arrives with
its history, the audit chain verifies before and after, and a second run copies nothing twice."""

from __future__ import annotations

import json

import pytest

from letterdesk.cli import main
from letterdesk.core.cases.case import parse_case
from letterdesk.core.evaluation.study import assignments, rate_item
from letterdesk.core.store import letters, ratings
from letterdesk.core.store.database import Store
from tests.core.evaluation.test_study import drafted_study
from tests.core.sample_cases import case

TABLES = ("cases", "case_versions", "models", "letters", "revisions", "ratings", "studies",
          "study_items", "study_assignments", "audit_log")  # fmt: skip


def counts(store: Store) -> dict[str, int]:
    return {t: store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture
def workstation(letterdesk_home, monkeypatch):
    """A workstation's store with two case versions, a corrected, rated and signed letter, and
    a blinded study rated by one rater."""
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "moving-test-passphrase")
    path = letterdesk_home / "workstation.sqlite3"
    with Store(path) as store:
        store.import_cases([parse_case(json.dumps(case(), ensure_ascii=False))], user="dr-a")
        store.import_cases([parse_case(json.dumps(case(notes="neu")))], user="dr-a")
        letter, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
        fix = letters.add_revision(store, letter.id, "Korrektur ß", author="dr-a")
        ratings.rate(store, draft.id, "dr-a", {"completeness": 3})
        letters.sign_off(store, letter.id, fix.id, user="dr-a")
        study_id, *_ = drafted_study(store, 2)
        for item in assignments(store, study_id, "r1"):
            rate_item(store, study_id, "r1", item.item_id, {"completeness": 4})
        before = counts(store)
    return path, before


def test_a_workstation_moves_in_once_with_its_history(workstation, postgres, capsys):
    path, source = workstation
    url = postgres.store_url(postgres.new_database())
    assert main(["store", "init", url]) == 0  # IT sets the department store up, then moves in
    capsys.readouterr()
    with Store(url) as department:  # the department already has a case of its own
        department.import_cases([parse_case(json.dumps(case(case_id="SYN-DEPT-1")))])
        already = counts(department)
    assert main(["store", "migrate", "--to", url, "--from", str(path)]) == 0
    copied = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    expected = {t: source[t] for t in TABLES if t != "audit_log"}
    assert {k: int(v) for k, v in copied.items() if k != "audit_entries"} == expected
    assert int(copied["audit_entries"]) == source["audit_log"]
    with Store(url) as department:
        after = counts(department)
        check = department.verify_audit()
        signed = [
            letters.letter(department, row[0])
            for row in department.conn.execute("SELECT id FROM letters WHERE signed_at IS NOT NULL")
        ]
        history = letters.revisions(department, signed[0].id)
        notes = department.case("SYN-TEST-0001").data["notes"]
    moved_in_entry = 1
    assert after == {
        t: already[t] + source[t] + (moved_in_entry if t == "audit_log" else 0) for t in TABLES
    }
    assert check.first_bad is None and check.entries == after["audit_log"]
    assert [(r.kind, r.text) for r in history] == [
        ("draft", "Entwurf"),
        ("correction", "Korrektur ß"),
    ]
    assert signed[0].signed_by == "dr-a" and notes == "neu"

    assert main(["store", "migrate", "--to", url, "--from", str(path)]) == 0
    again = capsys.readouterr()
    assert all(line.endswith("\t0") for line in again.out.splitlines())
    assert "nothing new to copy" in again.err
    with Store(url) as department:
        assert counts(department) == after

    with Store(path) as store:  # the workstation writes one more letter; only it moves
        letters.create_letter(store, "SYN-TEST-0001", "Zweiter Brief", author="model")
    assert main(["store", "migrate", "--to", url, "--from", str(path)]) == 0
    third = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    assert (third["letters"], third["revisions"], third["audit_entries"]) == ("1", "1", "1")
    assert third["cases"] == third["ratings"] == third["studies"] == "0"


def test_a_store_whose_audit_log_is_broken_is_not_moved(workstation, postgres, capsys):
    path, _ = workstation
    with Store(path) as store:
        store.conn.execute("DROP TRIGGER audit_no_update")
        store.conn.execute("UPDATE audit_log SET action = 'nothing' WHERE id = 2")
    url = postgres.store_url(postgres.new_database())
    assert main(["store", "migrate", "--to", url, "--from", str(path)]) == 2
    assert "audit log is broken at entry 2" in capsys.readouterr().err
    with Store(url) as department:
        assert counts(department) == dict.fromkeys(TABLES, 0)
