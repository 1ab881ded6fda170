"""The store's key on its SQLCipher file: a plain store encrypted on first open, the key rotated."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.security import encryption, passphrase
from letterdesk.core.store import keying, migrations
from letterdesk.core.store.database import Store
from letterdesk.core.store.sqlcipher import WrongKey, connect
from tests.core.sample_cases import case
from tests.core.security.test_encryption import (  # noqa: F401 - fixtures and helpers
    PASSPHRASE,
    PATIENT,
    Typist,
    files_naming,
    keyring_key,
    secret_service,
    stored_patient,
)

pytestmark = pytest.mark.usefixtures("secret_service")


def test_a_plain_store_from_an_earlier_version_is_encrypted_on_first_open(letterdesk_home):
    path = letterdesk_home / "letterdesk.sqlite3"
    plain = connect(path)  # no key: how earlier versions wrote the store
    migrations.migrate(plain, target=4)  # the schema before case versions
    document = case()
    document["patient"]["family_name"] = PATIENT
    plain.execute(
        "INSERT INTO cases (case_id, patient_id, family_name, given_name, birth_date,"
        " letter_type, language, document, imported_at, updated_at) VALUES"
        " ('SYN-TEST-0001', 'SYN-P-0001', ?, 'Thảo', '1954-03-02', 'final_report', 'de', ?,"
        " '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00')",
        (PATIENT, json.dumps(document, ensure_ascii=False)),
    )
    plain.close()
    assert path.read_bytes().startswith(b"SQLite format 3")
    assert files_naming(letterdesk_home, PATIENT)

    with Store() as store:
        assert store.case("SYN-TEST-0001").patient["family_name"] == PATIENT
        assert migrations.schema_version(store.conn) == migrations.LATEST_VERSION
        stored_patient(store)
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert files_naming(letterdesk_home, PATIENT) == []
    leftovers = {p.name for p in letterdesk_home.iterdir()} - {
        "letterdesk.sqlite3",
        "letterdesk.sqlite3.lock",
    }
    assert leftovers == set()


def test_rotating_the_key_re_encrypts_the_store_and_the_old_key_stops_working(letterdesk_home):
    with Store() as store:
        stored_patient(store)
        old = bytes.fromhex(keyring_key(store.path) or "")
        keying.rotate_key(store.conn, store.path)
        new = bytes.fromhex(keyring_key(store.path) or "")
        assert new != old and len(new) == 32
        assert store.case("SYN-TEST-0001").patient["family_name"] == PATIENT
    with pytest.raises(WrongKey):
        connect(store.path, old)
    encryption.forget(store.path)
    with Store() as again:
        assert again.verify_audit().first_bad is None


def test_a_store_moves_between_keyring_and_passphrase(letterdesk_home, monkeypatch):
    with Store() as store:
        stored_patient(store)
        monkeypatch.setenv(passphrase.NEW_PASSPHRASE_ENV, PASSPHRASE)
        keying.rotate_key(store.conn, store.path, passphrase=True)
    assert keyring_key(store.path) is None and passphrase.kdf_path(store.path).exists()
    encryption.forget(store.path)
    with Store(passphrase_provider=Typist(PASSPHRASE)) as again:
        keying.rotate_key(again.conn, again.path, passphrase=False)
    assert keyring_key(store.path) and not passphrase.kdf_path(store.path).exists()
    encryption.forget(store.path)
    with Store() as last:
        assert last.case("SYN-TEST-0001").patient["family_name"] == PATIENT
