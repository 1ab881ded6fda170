"""Encryption at rest with the real Secret Service (gnome-keyring in scripts/with-services.sh).

The fixtures here (``secret_service``, ``no_keyring``) are imported by the other security
tests.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backends import SecretService, fail

from letterdesk.core.cases.case import parse_case
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.paths import store_path
from letterdesk.core.security import encryption, passphrase
from letterdesk.core.security.passphrase import PassphraseRequest
from letterdesk.core.store import keying, letters
from letterdesk.core.store.database import Store
from letterdesk.core.store.sqlcipher import connect
from tests.core.sample_cases import case

PATIENT = "Wüstenhagen-Łukasiewicz"
PASSPHRASE = "correct horse battery staple"


def _delete_entries_under(folder: Path) -> None:
    """Remove the keyring entries of the stores in ``folder`` (tests leave none behind)."""
    secret_service = SecretService.Keyring()
    for store in [*folder.rglob("*.sqlite3"), folder / "letterdesk.sqlite3"]:
        for suffix in ("", " (staged)"):
            try:
                secret_service.delete_password(encryption.SERVICE, str(store.resolve()) + suffix)
            except keyring.errors.PasswordDeleteError:
                pass


@pytest.fixture
def secret_service(letterdesk_home, tmp_path) -> Iterator[None]:
    """The real Secret Service must be the keyring; this test's entries are removed after it."""
    backend = keyring.get_keyring()
    if type(backend).__module__ != "keyring.backends.SecretService":
        pytest.fail(
            f"the keyring is {type(backend).__module__}, not the Secret Service: run the tests "
            "with scripts/with-services.sh"
        )
    yield
    _delete_entries_under(letterdesk_home)
    _delete_entries_under(tmp_path)


@contextmanager
def keyring_switched_off() -> Iterator[None]:
    """A computer without a keyring, as keyring reports it (the ``fail`` backend)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(secret_service, monkeypatch) -> Iterator[None]:
    """No keyring and no LETTERDESK_PASSPHRASE for the whole test."""
    monkeypatch.delenv(passphrase.PASSPHRASE_ENV, raising=False)
    with keyring_switched_off():
        yield


class Typist:
    """A passphrase provider that types the given answers and remembers what it was asked."""

    def __init__(self, *answers: str | None) -> None:
        self.answers, self.requests = list(answers), []

    def __call__(self, request: PassphraseRequest) -> str | None:
        self.requests.append(request)
        return self.answers.pop(0) if self.answers else None


def stored_patient(store: Store) -> None:
    document = case()
    document["patient"]["family_name"] = PATIENT
    store.import_cases([parse_case(json.dumps(document, ensure_ascii=False))])
    letter, draft = letters.create_letter(
        store, "SYN-TEST-0001", f"Sehr geehrte Frau {PATIENT}", author="model"
    )
    letters.add_revision(store, letter.id, f"Frau {PATIENT}, korrigiert", author="dr.weber")


def files_naming(folder: Path, text: str) -> list[str]:
    needle = text.encode("utf-8")
    return [str(p) for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def keyring_key(path: Path, suffix: str = "") -> str | None:
    """The store's entry in the Secret Service itself (even while a test hides the keyring)."""
    secret_service = SecretService.Keyring()
    return secret_service.get_password(encryption.SERVICE, str(path.resolve()) + suffix)


def test_a_new_store_is_encrypted_with_a_random_key_kept_in_the_secret_service(
    secret_service, letterdesk_home
):
    with Store() as store:
        stored_patient(store)
    key = keyring_key(store.path)
    assert key is not None and len(bytes.fromhex(key)) == 32
    assert not store.path.read_bytes().startswith(b"SQLite format 3")
    assert not passphrase.kdf_path(store.path).exists()  # no key material beside the store
    with Store() as again:  # what the privacy notes state: SQLCipher 4 (AES-256), page HMACs
        names = ("cipher_version", "cipher_use_hmac", "cipher_hmac_algorithm")
        setting = {n: again.conn.execute(f"PRAGMA {n}").fetchone()[0] for n in names}
    assert setting["cipher_version"].startswith("4.")
    assert (setting["cipher_use_hmac"], setting["cipher_hmac_algorithm"]) == ("1", "HMAC_SHA512")
    plain = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT * FROM cases").fetchall()
    plain.close()
    with Store() as again:
        assert again.case("SYN-TEST-0001").patient["family_name"] == PATIENT


def test_the_patient_name_is_in_no_file_under_letterdesk_home(
    secret_service, letterdesk_home, monkeypatch
):
    temporary = letterdesk_home / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))  # SQLite's temporary files would land here
    monkeypatch.setenv("SQLITE_TMPDIR", str(temporary))
    with Store() as store:
        stored_patient(store)
        store.conn.execute("CREATE TEMP TABLE names AS SELECT family_name FROM cases")
        store.conn.execute("SELECT family_name FROM cases ORDER BY casefold(document)").fetchall()
        files = sorted(p.name for p in letterdesk_home.rglob("*") if p.is_file())
        assert "letterdesk.sqlite3-wal" in files  # the write is still in the WAL: search it too
        assert files_naming(letterdesk_home, PATIENT) == []
    assert files_naming(letterdesk_home, PATIENT) == []
    assert files_naming(letterdesk_home, "SYN-TEST-0001") == []

    # the search itself finds the name where it is stored in the clear
    plain = connect(letterdesk_home / "plain.sqlite3")
    plain.execute("CREATE TABLE t (name TEXT)")
    plain.execute("INSERT INTO t VALUES (?)", (PATIENT,))
    assert files_naming(letterdesk_home, PATIENT)
    plain.close()


def test_a_wrong_passphrase_is_asked_again_then_refused(secret_service, no_keyring):
    Store(passphrase_provider=Typist(PASSPHRASE)).close()
    encryption.forget(store_path())
    second_try = Typist("wrong passphrase", PASSPHRASE)
    Store(passphrase_provider=second_try).close()
    assert [r.retry for r in second_try.requests] == [False, True]

    encryption.forget(store_path())
    with pytest.raises(StoreError, match="passphrase .* is not correct"):
        Store(passphrase_provider=Typist("nope nope", "still wrong", "wrong again"))


def test_an_encrypted_store_without_its_key_is_not_replaced(secret_service, letterdesk_home):
    with Store() as store:
        stored_patient(store)
    before = store.path.read_bytes()
    moved = letterdesk_home / "moved.sqlite3"
    moved.write_bytes(before)
    with pytest.raises(StoreError, match="holds no key") as missing:
        Store(moved)
    assert "letterdesk restore" in missing.value.hint
    assert moved.read_bytes() == before


def test_a_keyring_that_cannot_be_reached_is_named(secret_service, no_keyring):
    encryption.forget(store_path())
    Store(passphrase_provider=Typist(PASSPHRASE)).close()  # a passphrase store: no keyring needed
    path = store_path()
    passphrase.kdf_path(path).unlink()  # now it looks like a keyring store
    encryption.forget(path)
    with pytest.raises(StoreError, match="kept in the system keyring, which cannot be reached"):
        Store()


def test_a_key_change_stopped_after_rekeying_is_finished_on_the_next_open(
    secret_service, letterdesk_home
):
    with Store() as store:
        stored_patient(store)
        staged = encryption.stage_new_key(store.path)
        keying.rekey(store.conn, staged.key)
        # ...and the process dies before the keyring entry is updated
    encryption.forget(store.path)
    with Store() as again:
        assert again.case("SYN-TEST-0001").patient["family_name"] == PATIENT
    assert bytes.fromhex(keyring_key(store.path) or "") == staged.key
    assert keyring_key(store.path, " (staged)") is None


def test_sqlite_errors_keep_their_standard_library_classes(secret_service):
    with Store() as store:
        stored_patient(store)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            store.conn.execute("DELETE FROM audit_log")
        with pytest.raises(sqlite3.OperationalError):
            store.conn.execute("SELECT * FROM no_such_table")
