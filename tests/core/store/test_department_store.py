"""The department store on a real PostgreSQL server (issue 20): how it is chosen, and that a
workstation reaches another machine only over TLS with the server's certificate checked."""

from __future__ import annotations

import threading

import pytest

from letterdesk.cli import main
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit, migrations
from letterdesk.core.store.database import Store
from letterdesk.core.store.postgres import StoreUnreachable, redact
from tests.postgres_server import DEPARTMENT_HOST


def ssl_in_use(store: Store) -> bool:
    row = store.conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    return bool(row.fetchone()[0])


@pytest.fixture
def site(tmp_path, monkeypatch):
    path = tmp_path / "site.toml"
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(path))
    return path


def test_another_machine_is_reached_only_with_a_checked_certificate(postgres, site):
    database = postgres.new_database()
    for mode in ("disable", "allow", "prefer", "require", "verify-ca"):
        with pytest.raises(StoreError, match=DEPARTMENT_HOST) as refused:
            Store(postgres.remote_url(database, sslmode=mode))
        assert "allow_plain_store_connection = true" in refused.value.hint
        assert "sslmode=verify-full" in refused.value.hint
    with Store(postgres.remote_url(database)) as store:
        assert store.is_department and ssl_in_use(store)
        assert migrations.schema_version(store.conn) == migrations.LATEST_VERSION


def test_a_certificate_for_another_name_is_refused_by_the_check(postgres, site):
    url = postgres.remote_url(postgres.new_database()).replace(DEPARTMENT_HOST, "impostor.test")
    with pytest.raises(StoreError, match="cannot be reached") as refused:
        Store(url)
    assert "does not match host name" in refused.value.message


def test_the_site_may_allow_plain_connections_and_the_server_still_decides(postgres, site):
    site.write_text("allow_plain_store_connection = true\n", encoding="utf-8")
    database = postgres.new_database()
    with pytest.raises(StoreError, match="cannot be reached") as refused:
        Store(postgres.remote_url(database, sslmode="disable"))  # this server takes TLS only
    assert "no pg_hba.conf entry" in refused.value.message
    with Store(postgres.remote_url(database, sslmode="require")) as store:
        assert ssl_in_use(store)


def test_the_site_file_or_the_environment_chooses_the_department_store(
    postgres, site, monkeypatch, letterdesk_home
):
    url = postgres.store_url(postgres.new_database())
    site.write_text(f'store_url = "{url}"\n', encoding="utf-8")
    with Store() as store:
        assert store.is_department and store.path is None
    assert not (letterdesk_home / "letterdesk.sqlite3").exists()
    with pytest.raises(StoreError, match="not a file"):
        store.encrypted_file()
    monkeypatch.setenv("LETTERDESK_STORE", str(letterdesk_home / "mine.sqlite3"))
    with Store() as store:
        assert not store.is_department and store.path == letterdesk_home / "mine.sqlite3"


def test_a_password_in_the_url_is_never_shown(postgres, site):
    url = postgres.remote_url("nosuchdb", sslmode="disable").replace("it_dba@", "it_dba:s3cret@")
    assert "s3cret" in url
    with pytest.raises(StoreError) as refused:
        Store(url)
    assert "s3cret" not in str(refused.value)


def test_workstations_opening_and_writing_at_once_keep_one_schema_and_one_chain(
    postgres, site, monkeypatch, capsys
):
    url = postgres.store_url(postgres.new_database())
    opened, failures = [], []

    def workstation(number: int) -> None:
        try:
            with Store(url) as store:  # the first ones find an empty database and migrate
                opened.append(migrations.schema_version(store.conn))
                for entry in range(15):
                    with store.transaction() as conn:
                        audit.append(conn, "note", f"ws{number}", {"n": entry}, user=f"ws{number}")
        except Exception as exc:  # reported below; a thread's exception would be lost
            failures.append(exc)

    threads = [threading.Thread(target=workstation, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and opened == [migrations.LATEST_VERSION] * 4
    monkeypatch.setenv("LETTERDESK_STORE", url)
    assert main(["audit", "verify"]) == 0
    assert "60 entries, hash chain verified" in capsys.readouterr().out


def test_an_address_or_the_environment_cannot_slip_past_the_tls_rule(site, monkeypatch):
    for url in ("postgresql:///letterdesk?hostaddr=10.1.2.3", "postgresql:///letterdesk"):
        monkeypatch.setenv("PGHOST", "db.klinik.test")  # libpq's default host
        with pytest.raises(StoreError, match="without encryption"):
            Store(url)
    assert redact("postgresql://u:pa/ss@h/db?password=x2&sslmode=require") == (
        "postgresql://u:***@h/db?password=***&sslmode=require"
    )


def test_one_write_ahead_service_per_store_even_across_a_server_restart(postgres):
    url = postgres.store_url(postgres.new_database())
    with Store(url) as first, Store(url) as second:
        assert first.hold_write_ahead()
        assert not second.hold_write_ahead()  # while the first one runs
        postgres.stop()
        postgres.start()  # every session ended: the lock is free
        for store in (first, second):  # each learns at its next statement that it was cut off
            with pytest.raises(StoreUnreachable):
                store.cases()
        assert second.hold_write_ahead()  # connects again and takes it
        with pytest.raises(StoreError, match="took over"):
            first.cases()  # connects again, finds the lock taken: it must not go on
        second.close()
        assert first.cases() == []  # the lock is free again: taken back, work goes on
