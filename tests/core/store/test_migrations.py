"""Every migration runs from every earlier schema version, with data present."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.store import audit, case_versions, letters, migrations
from letterdesk.core.store.database import Store
from letterdesk.core.store.sqlcipher import connect
from tests.core.sample_cases import case


def seed_version_1(conn, chained: bool = False, versioned: bool = False) -> None:
    """Rows as version 1 of LetterDesk wrote them (an audit log without a hash chain); with
    ``versioned``, as version 5 did (the case's first version, the draft tied to it)."""
    document = json.dumps(case(), ensure_ascii=False)
    conn.execute(
        "INSERT INTO cases (case_id, patient_id, family_name, given_name, birth_date,"
        " letter_type, language, document, imported_at, updated_at) VALUES"
        " ('SYN-TEST-0001', 'SYN-P-0001', 'Nguyễn', 'Thảo', '1954-03-02', 'final_report',"
        " 'de', ?, '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00')",
        (document,),
    )
    conn.execute(
        "INSERT INTO letters (case_ref, letter_type, language, created_at, created_by)"
        " VALUES (1, 'final_report', 'de', '2025-01-02', 'model')"
    )
    if versioned:
        conn.execute(
            "INSERT INTO case_versions (case_ref, number, document, created_at, created_by,"
            " source) VALUES (1, 1, ?, '2025-01-01', '', 'migration')",
            (document,),
        )
    conn.execute(
        "INSERT INTO revisions (letter_id, number, kind, text, author, created_at"
        + (", case_version_ref" if versioned else "")
        + ") VALUES (1, 1, 'draft', 'Entwurf', 'model', '2025-01-02'"
        + (", 1)" if versioned else ")")
    )
    for action in ("import", "generate"):
        if chained:  # from version 2 on, LetterDesk writes the hash chain with each entry
            audit.append(conn, action, user="u")
        else:
            conn.execute(
                "INSERT INTO audit_log (at, user, action) VALUES ('2025-01-02', 'u', ?)", (action,)
            )


@pytest.mark.parametrize("start", range(migrations.LATEST_VERSION))
def test_store_migrates_from_every_earlier_version(start, letterdesk_home):
    path = letterdesk_home / "letterdesk.sqlite3"
    conn = connect(path)
    migrations.migrate(conn, target=start)
    assert migrations.schema_version(conn) == start
    if start >= 1:
        seed_version_1(conn, chained=start >= 2, versioned=start >= 5)
    conn.close()

    with Store(path) as store:
        assert migrations.schema_version(store.conn) == migrations.LATEST_VERSION
        check = store.verify_audit()
        assert check.first_bad is None
        assert check.entries == (2 if start >= 1 else 0)
        if start >= 1:
            assert store.case("SYN-TEST-0001").patient["family_name"] == "Nguyễn"
            assert letters.revisions(store, 1)[0].text == "Entwurf"
            # before case versions the store kept only the newest data: letters are tied to it
            (version,) = case_versions.versions(store, "SYN-TEST-0001")
            assert (version.number, version.source) == (1, "migration")
            assert letters.revisions(store, 1)[0].case_version_ref == version.id
        else:
            store.import_cases([parse_case(json.dumps(case()))])
        letter = letters.create_letter(store, "SYN-TEST-0001", "Neu", author="model")[0]
        letters.sign_off(store, letter.id, letters.revisions(store, letter.id)[0].id, user="u")
        assert store.verify_audit().first_bad is None


def test_migrations_are_idempotent_on_an_up_to_date_store(letterdesk_home):
    Store().close()
    with Store() as store:
        assert migrations.migrate(store.conn) == []
