"""Encrypted backups: written under a passphrase, checked completely, restored in one step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.paths import store_path
from letterdesk.core.security import encryption, passphrase
from letterdesk.core.store import audit, backup, letters, migrations
from letterdesk.core.store.database import Store
from letterdesk.core.store.single_writer import StoreInUse
from tests.core.security.test_encryption import (  # noqa: F401 - fixtures
    PASSPHRASE,
    PATIENT,
    Typist,
    files_naming,
    keyring_key,
    keyring_switched_off,
    secret_service,
    stored_patient,
)

pytestmark = pytest.mark.usefixtures("secret_service")
BACKUP_PASSPHRASE = "Sommer im Hof 2025"


@pytest.fixture
def backed_up(tmp_path) -> Path:
    """A store with a patient and a letter, backed up to ``tmp_path/store.ldbackup``."""
    with Store() as store:
        stored_patient(store)
        backup.write_backup(store, tmp_path / "store.ldbackup", BACKUP_PASSPHRASE, user="it")
    return tmp_path / "store.ldbackup"


def another_computer(tmp_path, monkeypatch) -> Path:
    """A fresh LETTERDESK_HOME: no store and no keyring entry yet, as on another computer."""
    home = tmp_path / "other-computer"
    home.mkdir()
    monkeypatch.setenv("LETTERDESK_HOME", str(home))
    return home


def test_a_backup_is_encrypted_and_its_header_names_no_patient(backed_up, tmp_path):
    header, offset = backup.read_header(backed_up)
    assert header["format"] == 1 and header["kdf"]["kdf"] == "scrypt"
    assert header["payload_bytes"] == backed_up.stat().st_size - offset
    assert files_naming(tmp_path, PATIENT) == []
    assert [p.name for p in tmp_path.iterdir()] == ["store.ldbackup"]  # no partial files left
    with Store() as store:
        entry = store.conn.execute(
            "SELECT user, details FROM audit_log WHERE action = 'backup'"
        ).fetchone()
    assert entry[0] == "it" and json.loads(entry[1])["sha256"] == backup._sha256(backed_up)


def test_a_backup_restores_on_another_computer(backed_up, tmp_path, monkeypatch):
    home = another_computer(tmp_path, monkeypatch)
    info = backup.restore_backup(backed_up, BACKUP_PASSPHRASE, store_path(), user="it")
    assert info.schema_version == migrations.LATEST_VERSION
    assert keyring_key(store_path())  # a new key for this computer
    with Store() as store:
        assert store.case("SYN-TEST-0001").patient["family_name"] == PATIENT
        texts = [r.text for r in letters.revisions(store, 1)]
        assert texts == [f"Sehr geehrte Frau {PATIENT}", f"Frau {PATIENT}, korrigiert"]
        check = store.verify_audit()
        last = store.conn.execute("SELECT action FROM audit_log ORDER BY id DESC").fetchone()
    assert check.first_bad is None and last[0] == "restore"
    assert files_naming(home, PATIENT) == []


def test_a_backup_restores_with_a_passphrase_where_there_is_no_keyring(
    backed_up, tmp_path, monkeypatch
):
    another_computer(tmp_path, monkeypatch)
    typist = Typist(PASSPHRASE)
    with keyring_switched_off():
        backup.restore_backup(backed_up, BACKUP_PASSPHRASE, store_path(), provider=typist)
        assert [r.purpose for r in typist.requests] == ["create"]
        assert passphrase.kdf_path(store_path()).exists()
        encryption.forget(store_path())
        with Store(passphrase_provider=Typist(PASSPHRASE)) as store:
            assert store.case("SYN-TEST-0001").patient["family_name"] == PATIENT


def test_a_wrong_passphrase_or_damaged_backup_changes_nothing(backed_up, tmp_path):
    before = store_path().read_bytes()
    with pytest.raises(StoreError, match="passphrase is wrong"):
        backup.restore_backup(backed_up, "not the passphrase", store_path(), replace=True)
    damaged = tmp_path / "damaged.ldbackup"
    data = bytearray(backed_up.read_bytes())
    data[-3000] ^= 0x01  # one bit in the last pages
    damaged.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="not restored|cannot be opened|damaged"):
        backup.restore_backup(damaged, BACKUP_PASSPHRASE, store_path(), replace=True)
    truncated = tmp_path / "truncated.ldbackup"
    truncated.write_bytes(backed_up.read_bytes()[:-4096])
    with pytest.raises(StoreError, match="incomplete"):
        backup.restore_backup(truncated, BACKUP_PASSPHRASE, store_path(), replace=True)
    other = tmp_path / "letter.docx"
    other.write_bytes(b"PK\x03\x04 not a backup")
    with pytest.raises(StoreError, match="not a LetterDesk backup"):
        backup.restore_backup(other, BACKUP_PASSPHRASE, store_path(), replace=True)
    assert store_path().read_bytes() == before
    assert sorted(p.name for p in store_path().parent.iterdir() if "restoring" in p.name) == []


def test_restoring_over_a_store_needs_replace_and_a_closed_store(backed_up):
    with Store() as store:
        letters.add_revision(store, 1, "a newer revision", author="dr.weber")
        with pytest.raises(StoreInUse):
            backup.restore_backup(backed_up, BACKUP_PASSPHRASE, store_path(), replace=True)
    with pytest.raises(StoreError, match="--replace"):
        backup.restore_backup(backed_up, BACKUP_PASSPHRASE, store_path())
    backup.restore_backup(backed_up, BACKUP_PASSPHRASE, store_path(), replace=True)
    with Store() as store:
        assert [r.text for r in letters.revisions(store, 1)][-1] == f"Frau {PATIENT}, korrigiert"


def test_a_backup_with_a_broken_audit_chain_is_refused(tmp_path):
    with Store() as store:
        stored_patient(store)
        store.conn.execute("DROP TRIGGER audit_no_update")
        store.conn.execute("UPDATE audit_log SET user = 'mallory' WHERE id = 2")
        backup.write_backup(store, tmp_path / "tampered.ldbackup", BACKUP_PASSPHRASE)
    with pytest.raises(StoreError, match="audit log entry 2 does not hold"):
        backup.restore_backup(
            tmp_path / "tampered.ldbackup", BACKUP_PASSPHRASE, store_path(), replace=True
        )


def test_an_interrupted_restore_leaves_a_key_that_opens_the_store(backed_up, monkeypatch):
    real_commit = encryption.StagedKey.commit

    def crash(self):
        raise KeyboardInterrupt  # the power goes after the rename, before the key is committed

    monkeypatch.setattr(encryption.StagedKey, "commit", crash)
    with pytest.raises(KeyboardInterrupt):
        backup.restore_backup(backed_up, BACKUP_PASSPHRASE, store_path(), replace=True)
    monkeypatch.setattr(encryption.StagedKey, "commit", real_commit)
    encryption.forget(store_path())
    with Store() as store:  # the staged key opens it, and is committed now
        assert store.case("SYN-TEST-0001").patient["family_name"] == PATIENT
        assert audit.verify(store.conn).first_bad is None
    assert keyring_key(store_path(), " (staged)") is None
