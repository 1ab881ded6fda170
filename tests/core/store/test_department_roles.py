"""Roles in the department store (issue 20), enforced by PostgreSQL: each role's login tries
what it may not do, directly in SQL, and the database refuses; who acts is the login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from letterdesk.cli import main
from letterdesk.core.cases.case import parse_case
from letterdesk.core.evaluation.study import (
    complete_study,
    create_study,
)
from letterdesk.core.evaluation.study_result import study_result
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.models.identity import ModelIdentity, register
from letterdesk.core.security import logins
from letterdesk.core.store import letters, ratings
from letterdesk.core.store.database import Store
from letterdesk.core.store.studies import record_draft
from tests.core.sample_cases import case
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture
from tests.postgres_server import PASSWORD_LOGIN

LOGINS = {"dr_weber": "physician", "dr_kim": "physician", "r1": "rater", "r2": "rater",
          "chief": "admin", "write_ahead": "drafter"}  # fmt: skip
DIMENSIONS = ("factual_correctness", "completeness", "language_style", "clinical_benefit")


@pytest.fixture
def department(postgres, tmp_path, monkeypatch):
    """A department store set up with the commands IT runs; a URL per login."""
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(tmp_path / "no-site.toml"))
    database = postgres.new_database()
    owner = postgres.store_url(database)
    assert main(["store", "init", owner]) == 0
    for login, role in LOGINS.items():
        assert main(["store", "grant", login, "--role", role, "--url", owner]) == 0
    return {login: postgres.store_url(database, user=login) for login in LOGINS} | {"it": owner}


def sql(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    """Run one statement as the URL's login, as any PostgreSQL client could."""
    with psycopg.connect(url, autocommit=True) as c:
        cursor = c.execute(statement, params or None)
        return cursor.fetchall() if cursor.description else []


def refused(url: str, statement: str, params: tuple = ()) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        sql(url, statement, params)
    return str(caught.value)


def a_signed_desk_letter(url: str) -> tuple[int, int]:
    with Store(url) as store:
        store.import_cases([parse_case(json.dumps(case()))])
        letter, draft = letters.create_letter(store, "SYN-TEST-0001", "Entwurf", author="model")
        fix = letters.add_revision(store, letter.id, "Korrektur", author="someone else")
        signed = letters.sign_off(store, letter.id, fix.id, user="Prof. Typed In The Settings")
        assert fix.author == "dr_weber" and signed.signed_by == "dr_weber"
        return letter.id, draft.id


def test_the_login_is_who_acted_whatever_name_is_given(department):
    letter_id, _ = a_signed_desk_letter(department["dr_weber"])
    with Store(department["dr_kim"]) as store:
        assert store.acting_user("dr_weber") == "dr_kim"
        assert {e[0] for e in store.conn.execute('SELECT DISTINCT "user" FROM audit_log')} == {
            "dr_weber"
        }
        assert store.verify_audit().first_bad is None
    # a client that writes another name is refused by the database itself
    assert "database login dr_kim" in refused(
        department["dr_kim"],
        "INSERT INTO audit_log (at, \"user\", action) VALUES ('2026-12-05', 'dr_weber', 'x')",
    )
    assert "not dr_weber" in refused(
        department["dr_kim"],
        "INSERT INTO ratings (revision_id, rater, dimension, score, created_at)"
        " SELECT id, 'dr_weber', 'completeness', 4, 'now' FROM revisions LIMIT 1",
    )


def test_no_role_may_change_or_remove_audit_entries(department):
    a_signed_desk_letter(department["dr_weber"])
    for login in LOGINS:
        assert "permission denied for table audit_log" in refused(
            department[login], "UPDATE audit_log SET action = 'nothing'"
        )
        assert "permission denied for table audit_log" in refused(
            department[login], "DELETE FROM audit_log"
        )


def test_only_admin_registers_models_opens_studies_and_chooses_the_default(department):
    model = (
        "INSERT INTO models (name, version, path, sha256, size_bytes, registered_at)"
        " VALUES ('m', '1', '/m.gguf', repeat('a', 64), 1, 'now')"
    )
    for login in ("dr_weber", "r1"):
        assert "permission denied for table models" in refused(department[login], model)
        assert "permission denied for table studies" in refused(
            department[login],
            "INSERT INTO studies (name, seed, created_at, created_by)"
            f" VALUES ('s', 1, 'now', '{login}')",
        )
    with Store(department["dr_weber"]) as store, pytest.raises(StoreError) as unregistered:
        fake_model(store, "new-version")
    assert "not registered in the department store" in unregistered.value.message
    sql(department["chief"], model)
    assert "permission denied for table models" in refused(
        department["dr_weber"], "UPDATE models SET is_default = 1"
    )
    sql(department["chief"], "UPDATE models SET is_default = 1")


def test_only_a_physician_signs_and_a_rater_sees_no_desk_letter(department):
    letter_id, _ = a_signed_desk_letter(department["dr_weber"])
    assert "a signed letter is final" in str(  # not even IT's account unsigns a letter
        pytest.raises(psycopg.Error, sql, department["it"],
                      "UPDATE letters SET signed_at = NULL, signed_by = NULL").value
    )  # fmt: skip
    with Store(department["dr_weber"]) as desk:
        draft_id = letters.create_letter(desk, "SYN-TEST-0001", "Zweiter", author="model")[1].id
    for login in ("r1", "chief"):
        assert "permission denied for table letters" in refused(
            department[login],
            "UPDATE letters SET signed_revision_id = %s, signed_by = %s, signed_at = 'now'",
            (draft_id, login),
        )
    assert sql(department["r1"], "SELECT count(*) FROM revisions") == [(0,)]
    assert sql(department["r1"], "SELECT count(*) FROM cases") == [(0,)]
    assert "permission denied for table letters" in refused(
        department["r1"], "SELECT * FROM letters"
    )
    assert "permission denied for table models" in refused(
        department["r1"], "SELECT name FROM models"
    )
    assert "permission denied for table audit_log" in refused(  # it names models and cases
        department["r1"], "SELECT * FROM audit_log"
    )
    for blinded in ("SELECT model_ref FROM revisions", "SELECT prompt FROM revisions",
                    "SELECT model_ref FROM study_items"):  # fmt: skip
        assert "permission denied" in refused(department["r1"], blinded)


def fake_model(store: Store, name: str) -> int:
    return register(store, ModelIdentity(name, "", f"/m/{name}.gguf", name[0] * 64, 1, None,
                                         None, None))  # fmt: skip


RATE_ALL = """
import json, sys
from letterdesk.core.evaluation.study import assignments, open_assignment, rate_item
from letterdesk.core.store.database import Store
study, score = int(sys.argv[1]), int(sys.argv[2])
dimensions = ("factual_correctness", "completeness", "language_style", "clinical_benefit")
with Store() as store:
    mine = assignments(store, study, "typed-name")
    shown = [open_assignment(store, study, "typed-name", item.item_id) for item in mine]
    for item in mine:
        rate_item(store, study, "typed-name", item.item_id, dict.fromkeys(dimensions, score))
    seen = sorted({r[0] for r in store.conn.execute("SELECT rater FROM ratings")})
print(json.dumps({"letters": len(mine), "labels": len({m.label for m in mine}),
                  "texts": sorted(s.text for s in shown), "raters_seen": seen}))
"""


def on_workstation(home: Path, url: str, script: str, *args: object):
    """Run a script as a workstation of its own: its data folder, its login."""
    home.mkdir(exist_ok=True)
    env = {**os.environ, "LETTERDESK_HOME": str(home), "LETTERDESK_STORE": url}
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], env=env, text=True,
                          capture_output=True, timeout=120, encoding="utf-8")  # fmt: skip


def test_a_blinded_study_across_workstations_completes_for_its_owner_only(department, tmp_path):
    with Store(department["dr_weber"]) as desk:
        desk.import_cases([parse_case(json.dumps(case(case_id=f"SYN-S-{n}"))) for n in (1, 2)])
    with Store(department["chief"]) as admin:
        a, b = fake_model(admin, "a-version"), fake_model(admin, "b-version")
        study = create_study(admin, "A gegen B", ["SYN-S-1", "SYN-S-2"], [a, b], seed=3)
        for case_id in ("SYN-S-1", "SYN-S-2"):
            for model_id in (a, b):
                draft = letters.create_letter(admin, case_id, f"Brief {model_id}",
                                              author="model", model_ref=model_id)[1]  # fmt: skip
                record_draft(admin, study.id, case_id, model_id, draft.id)
    for rater, score in (("r1", 4), ("r2", 3)):  # each on their own computer (data folder)
        seen = on_workstation(
            tmp_path / f"{rater}-pc", department[rater], RATE_ALL, study.id, score
        )
        assert seen.returncode == 0, seen.stderr
        assert json.loads(seen.stdout) == {
            "letters": 4, "labels": 4, "raters_seen": [rater],
            "texts": sorted(f"Brief {m}" for m in (a, b) for _ in range(2)),
        }  # fmt: skip
    with Store(department["chief"]) as admin:
        assert admin.conn.execute("SELECT count(*) FROM ratings").fetchone() == (0,)  # not yet
        complete_study(admin, study.id)
    assert "row-level security" in refused(  # a completed study's ratings are frozen
        department["r1"], "UPDATE ratings SET score = 1"
    )
    with Store(department["chief"]) as admin:
        assert admin.conn.execute("SELECT count(*) FROM ratings").fetchone() == (32,)
        result = study_result(admin, study.id)
        assert result.letters_per_rater == {"r1": 4, "r2": 4}
        assert {m.ratings for m in result.models} == {16}
    assert sql(department["dr_kim"], "SELECT count(*) FROM ratings") == [(0,)]  # not theirs


@pytest.fixture
def password_login(department, postgres, monkeypatch):
    """A physician whose login the server asks a password of; the keyring entry is removed."""
    assert main(["store", "grant", PASSWORD_LOGIN, "--role", "physician", "--url",
                 department["it"]]) == 0  # fmt: skip
    sql(department["it"], f"ALTER ROLE {PASSWORD_LOGIN} PASSWORD 'Sommer im Hof 2026'")
    url = department["it"].replace("it_dba@", f"{PASSWORD_LOGIN}@")
    monkeypatch.setenv("LETTERDESK_STORE", url)
    yield url
    logins.forget_password(conninfo_to_dict(url))


@pytest.mark.usefixtures("secret_service")
def test_a_password_checked_once_is_kept_in_the_keyring(password_login, monkeypatch):
    with pytest.raises(StoreError, match="password") as refused:
        Store()
    assert "letterdesk store login" in refused.value.hint
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Sommer im Winter")
    assert main(["store", "login"]) == 2  # the wrong password opens nothing and is not kept
    assert logins.saved_password(conninfo_to_dict(password_login)) is None
    monkeypatch.setattr("getpass.getpass", lambda prompt: "Sommer im Hof 2026")
    assert main(["store", "login"]) == 0
    with Store() as store:
        assert store.acting_user("anyone") == PASSWORD_LOGIN


def test_two_workstations_see_each_others_cases(department, tmp_path):
    """Two data folders (two computers), each the `letterdesk` command a user runs."""

    def workstation(name: str, login: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = "from letterdesk.cli import main; import sys; sys.exit(main(sys.argv[1:]))"
        return on_workstation(tmp_path / name, department[login], command, *args)

    document = tmp_path / "case.json"
    document.write_text(json.dumps(case(case_id="SYN-WS-1"), ensure_ascii=False), "utf-8")
    added = workstation("weber-pc", "dr_weber", "import", str(document))
    assert added.returncode == 0, added.stderr
    listed = workstation("kim-pc", "dr_kim", "cases", "--json")
    assert [json.loads(line)["case_id"] for line in listed.stdout.splitlines()] == ["SYN-WS-1"]
    assert not (tmp_path / "kim-pc" / "letterdesk.sqlite3").exists()  # no file of its own


def test_a_model_file_is_used_only_when_its_sha256_is_the_registered_one(
    department, tiny_gguf, tmp_path
):
    from letterdesk.core.engine.local import Engine
    from letterdesk.core.engine.types import DecodingOptions, EngineSettings
    from letterdesk.core.generation.draft import generate_letter, model_identity

    shared = tmp_path / "shared-folder" / "department.gguf"  # as on a shared drive
    shared.parent.mkdir()
    shared.write_bytes(tiny_gguf.read_bytes())
    options = DecodingOptions(max_tokens=8)
    with Store(department["dr_weber"]) as desk:
        desk.import_cases([parse_case(json.dumps(case()))])
    with Store(department["chief"]) as admin, Engine(EngineSettings(model_path=shared)) as engine:
        engine.load()
        register(admin, model_identity(admin, engine))  # the admin registers the file
    with Store(department["dr_weber"]) as desk:
        with Engine(EngineSettings(model_path=shared, n_threads=1)) as engine:
            assert generate_letter(desk, "SYN-TEST-0001", engine, options=options).text
        raw = bytearray(shared.read_bytes())
        raw[-1] ^= 0xFF  # the shared file is changed: a weight byte, not the header
        shared.write_bytes(bytes(raw))
        with Engine(EngineSettings(model_path=shared, n_threads=1)) as engine:
            with pytest.raises(StoreError, match="not registered in the department store"):
                generate_letter(desk, "SYN-TEST-0001", engine, options=options)


def test_a_colleagues_rating_cannot_be_taken_over(department):
    _, draft_id = a_signed_desk_letter(department["dr_weber"])
    with Store(department["dr_weber"]) as desk:
        ratings.rate(desk, draft_id, "dr_weber", {"completeness": 3})
    taken = sql(department["dr_kim"], "UPDATE ratings SET rater = 'dr_kim', score = 1 RETURNING id")
    assert taken == []  # the row is not theirs to change
    assert sql(department["dr_weber"], "SELECT rater, score FROM ratings") == [("dr_weber", 3)]


def test_a_role_granted_to_a_directory_group_makes_its_members_act_as_themselves(department):
    for statement in (
        "CREATE ROLE ward_7 NOLOGIN",
        "GRANT letterdesk_physician TO ward_7",
        "CREATE ROLE dr_group LOGIN IN ROLE ward_7",
    ):
        sql(department["it"], statement)
    url = department["dr_weber"].replace("dr_weber@", "dr_group@")
    with Store(url) as desk:
        assert desk.acting_user("Dr. Typed") == "dr_group"
        desk.import_cases([parse_case(json.dumps(case(case_id="SYN-GROUP-1")))], user="Dr. X")
        (who,) = desk.conn.execute("SELECT created_by FROM case_versions").fetchone()
    assert who == "dr_group"


def test_a_desk_and_the_write_ahead_service_read_the_models_letters_and_a_rater_none(department):
    # what a restarted worker takes for prompt lookup (warming.recall_letters): a rater rates
    # blinded and never writes, so a rater's window does not even ask
    from letterdesk.core.engine.local import Engine
    from letterdesk.core.engine.types import EngineSettings
    from letterdesk.core.generation.warming import warm_up

    with Store(department["chief"]) as admin:
        model = fake_model(admin, "writer")
    with Store(department["dr_weber"]) as desk:
        desk.import_cases([parse_case(json.dumps(case()))])
        letters.create_letter(desk, "SYN-TEST-0001", "Entwurf", author="model", model_ref=model)
        assert letters.model_writing(desk, model, 32) == ["Entwurf"]
    with Store(department["write_ahead"]) as drafter:
        assert letters.model_writing(drafter, model, 32) == ["Entwurf"]
    with Store(department["r1"]) as rater:
        assert letters.model_writing(rater, model, 32) == []
        assert warm_up(rater, Engine(EngineSettings())) == ("none", 0)  # no query refused
