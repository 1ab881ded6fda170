"""Drafts written ahead where the model runs (issue 21): ``letterdesk write-ahead`` on the
department server, with the real demo model, into a real PostgreSQL department store, under a
login with the ``drafter`` role; the physicians' desks see the drafts ready, the drafter's
login can draft but the database refuses it a correction, a sign-off or a rating, and a second
service on the same store is refused while one runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from letterdesk.cli import main
from letterdesk.core.cases.case import parse_case
from letterdesk.core.desk.demo import seed_demo_cases
from letterdesk.core.desk.worklist import case_rows, open_case
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import EngineSettings
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.paths import resource
from letterdesk.core.models.identity import register
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import letters_for_case, sign_off
from tests.core.sample_cases import case

DEMO = resource("models", "letterdesk-demo.gguf")
SERVICE = "write_ahead"
DOCTOR = "dr_weber"
ADMIN = "chief"


@pytest.fixture
def department(postgres, tmp_path, monkeypatch):
    """A department store set up as IT does it: the service's login has the drafter role, the
    physician's the physician role; the admin has registered the demo model; the worklist holds
    the demo cases."""
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(tmp_path / "no-site.toml"))
    database = postgres.new_database()
    owner = postgres.store_url(database)
    assert main(["store", "init", owner]) == 0
    assert main(["store", "grant", SERVICE, "--role", "drafter", "--url", owner]) == 0
    assert main(["store", "grant", DOCTOR, "--role", "physician", "--url", owner]) == 0
    assert main(["store", "grant", ADMIN, "--role", "admin", "--url", owner]) == 0
    urls = {login: postgres.store_url(database, user=login) for login in (SERVICE, DOCTOR, ADMIN)}
    with Store(urls[ADMIN]) as store:
        register(store, Engine(EngineSettings(model_path=DEMO)).identity())
    with Store(urls[DOCTOR]) as store:
        seed_demo_cases(store)
    return urls


def ready(url: str) -> list[str]:
    with Store(url) as store:
        return [row.summary.case_id for row in case_rows(store) if row.ready]


def worklist(url: str) -> list[str]:
    with Store(url) as store:
        return [row.summary.case_id for row in case_rows(store)]


def start_service(department, tmp_path, *, every: str, max_tokens: str):
    """``letterdesk write-ahead`` as the service runs on the server: (process, its log)."""
    env = {**os.environ, "LETTERDESK_STORE": department[SERVICE],
           "LETTERDESK_SITE_CONFIG": str(tmp_path / "no-site.toml")}  # fmt: skip
    log = (tmp_path / "service.log").open("w+")
    service = subprocess.Popen(
        [sys.executable, "-m", "letterdesk", "write-ahead", "--model", str(DEMO), "--ahead", "50",
         "--every", every, "--max-tokens", max_tokens],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    return service, log


def test_the_service_drafts_ahead_for_every_desk_and_can_do_nothing_else(
    department, monkeypatch, capsys
):
    monkeypatch.setenv("LETTERDESK_STORE", department[SERVICE])
    order = worklist(department[DOCTOR])
    assert ready(department[DOCTOR]) == []

    args = ["write-ahead", "--once", "--model", str(DEMO), "--ahead", "2", "--max-tokens", "80"]
    assert main(args) == 0
    said = capsys.readouterr().err
    assert said.count("draft written ahead for case") == 2, said

    # the physician's desk: the first two cases of the list are ready, written by the service
    assert ready(department[DOCTOR]) == order[:2]
    with Store(department[DOCTOR]) as store:
        letter = letters_for_case(store, order[0])[-1]
        draft_id = store.conn.execute(
            "SELECT id FROM revisions WHERE letter_id = ?", (letter.id,)
        ).fetchone()[0]
        with pytest.raises(StoreError, match="no one has opened it"):
            sign_off(store, letter.id, draft_id, user=DOCTOR)
        opened = open_case(store, order[0], DOCTOR)
        assert opened.letter is not None and opened.letter.draft.text.strip()
        assert opened.letter.draft.author == SERVICE
        signed = sign_off(store, letter.id, draft_id, user=DOCTOR)
        assert signed.signed_by == DOCTOR
        who = dict(
            store.conn.execute(
                'SELECT action, "user" FROM audit_log WHERE subject = ?', (f"letter:{letter.id}",)
            ).fetchall()
        )
        assert who["write_ahead"] == SERVICE and who["sign_off"] == DOCTOR
        assert store.verify_audit().first_bad is None

    # the second stays ready; once one is opened, the next pass drafts the third
    assert main(args) == 0
    assert ready(department[DOCTOR]) == [order[1], order[2]]

    # what the drafter's login may not do, asked directly in SQL as any client could
    with psycopg.connect(department[SERVICE], autocommit=True) as c:
        letter_id, revision_id = c.execute(
            "SELECT l.id, r.id FROM letters l JOIN revisions r ON r.letter_id = l.id"
            " WHERE l.signed_at IS NULL ORDER BY l.id LIMIT 1"
        ).fetchone()
        for statement, params in (
            ("UPDATE letters SET signed_revision_id = %s, signed_by = %s, signed_at = 'now'"
             " WHERE id = %s", (revision_id, SERVICE, letter_id)),
            ("INSERT INTO revisions (letter_id, number, kind, text, author, created_at)"
             " VALUES (%s, 99, 'correction', 'x', %s, 'now')", (letter_id, SERVICE)),
            ("INSERT INTO ratings (revision_id, rater, dimension, score, created_at)"
             " VALUES (%s, %s, 'clinical_benefit', 4, 'now')", (revision_id, SERVICE)),
            ("UPDATE cases SET given_name = 'X'", ()),
            ("DELETE FROM audit_log", ()),
        ):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(statement, params)


def test_the_service_looks_again_for_new_cases_and_stops_on_sigterm(
    department, tmp_path, monkeypatch, capsys
):
    service, log = start_service(department, tmp_path, every="0.3", max_tokens="40")
    try:
        every_case = set(worklist(department[DOCTOR]))
        deadline = time.monotonic() + 120
        while set(ready(department[DOCTOR])) != every_case:
            assert service.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.3)

        # a case arrives at a desk: the running service drafts it without being asked
        new = case()
        new["case_id"] = "SYN-NEW-0001"
        with Store(department[DOCTOR]) as store:
            store.import_cases([parse_case(json.dumps(new))])
        while "SYN-NEW-0001" not in ready(department[DOCTOR]):
            assert service.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.3)

        # one service per department store: a second one is refused while this one runs
        monkeypatch.setenv("LETTERDESK_STORE", department[SERVICE])
        capsys.readouterr()
        assert main(["write-ahead", "--once", "--model", str(DEMO)]) == 2
        assert "A write-ahead service is already running" in capsys.readouterr().err
    finally:
        service.send_signal(signal.SIGTERM)
        code = service.wait(30)
    said = Path(log.name).read_text()
    assert code == 0, said
    assert "draft written ahead for case SYN-NEW-0001" in said
    assert said.rstrip().endswith("writing ahead stopped.")


def test_a_desk_drafting_ahead_beside_the_service_never_drafts_a_case_twice(department, tmp_path):
    # a desk with its own model and pre-drafting on writes ahead into the department store
    # while the service does; each case is drafted by one of them
    from letterdesk.core.desk.predraft import write_ahead_all
    from letterdesk.core.engine.types import DecodingOptions

    desk_engine = Engine(EngineSettings(model_path=DEMO))
    desk_engine.load()  # the desk is ready to write before the service starts
    service, log = start_service(department, tmp_path, every="0.2", max_tokens="120")
    try:
        every_case = set(worklist(department[DOCTOR]))
        deadline = time.monotonic() + 120
        while not ready(department[DOCTOR]):  # the service is under way
            assert service.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.05)
        with Store(department[DOCTOR]) as store, desk_engine as engine:
            at_desk = [
                drafted.case_id
                for drafted in write_ahead_all(
                    store,
                    engine,
                    author=DOCTOR,
                    ahead=50,
                    options=DecodingOptions(max_tokens=120),
                )  # fmt: skip
            ]
        while set(ready(department[DOCTOR])) != every_case:
            assert service.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, Path(log.name).read_text()
            time.sleep(0.2)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(30)
        desk_engine.close()
    by_service = Path(log.name).read_text().count("draft written ahead for case")
    assert at_desk and by_service >= 2  # both drafted while the other did
    with Store(department[DOCTOR]) as store:
        drafts = {case_id: len(letters_for_case(store, case_id)) for case_id in every_case}
    assert set(drafts.values()) == {1}, {c: n for c, n in drafts.items() if n != 1}
    assert len(at_desk) + by_service == len(every_case)


def test_a_case_held_by_one_drafter_is_passed_over_by_the_others_until_let_go(department):
    from letterdesk.core.desk.predraft import claimed_case

    order = worklist(department[DOCTOR])
    with Store(department[DOCTOR]) as desk, Store(department[SERVICE]) as server:
        with claimed_case(desk, "model", ahead=5) as first:
            assert first == order[0]
            with claimed_case(server, "model", ahead=5) as other:
                assert other == order[1]  # the desk holds the first
        with pytest.raises(RuntimeError), claimed_case(desk, "model", ahead=5) as held:
            assert held == order[0]
            raise RuntimeError("the drafter stopped")
        with claimed_case(server, "model", ahead=5) as again:
            assert again == order[0]  # let go, even by a drafter that failed
