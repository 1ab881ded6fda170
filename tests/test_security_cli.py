"""The security commands as a user (or IT) runs them: real processes, a real encrypted store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from letterdesk.core.foundation.paths import store_path
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from tests.core.security.test_encryption import (  # noqa: F401 - fixtures and helpers
    PATIENT,
    files_naming,
    keyring_key,
    secret_service,
    stored_patient,
)

pytestmark = pytest.mark.usefixtures("secret_service")
BACKUP_PASSPHRASE = "Sommer im Hof 2025"


def letterdesk(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "letterdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def five_entries() -> None:
    """A store whose audit log has five entries: import, generate, edit, edit, sign_off."""
    with Store() as store:
        stored_patient(store)
        letters.add_revision(store, 1, "zweite Korrektur", author="dr.weber")
        letters.sign_off(store, 1, letters.revisions(store, 1)[-1].id, user="dr.weber")
        assert store.verify_audit().entries == 5


def tamper(*statements: str) -> None:
    with Store() as store:
        for statement in statements:
            store.conn.execute(statement)


@pytest.mark.usefixtures("five_entries")
def test_audit_verify_passes_an_intact_log():
    result = letterdesk("audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "intact: 5 entries" in result.stdout


@pytest.mark.usefixtures("five_entries")
def test_audit_verify_names_a_changed_entry():
    tamper(
        "DROP TRIGGER audit_no_update",
        "UPDATE audit_log SET details = '{\"revision\": 99}' WHERE id = 3",
    )
    result = letterdesk("audit", "verify")
    assert result.returncode == 1
    assert "first bad entry: 3" in result.stdout and "changed" in result.stderr


@pytest.mark.usefixtures("five_entries")
def test_audit_verify_names_the_entry_after_a_removed_one():
    tamper("DROP TRIGGER audit_no_delete", "DELETE FROM audit_log WHERE id = 3")
    result = letterdesk("audit", "verify")
    assert result.returncode == 1
    assert "first bad entry: 4" in result.stdout and "does not follow" in result.stderr


@pytest.mark.usefixtures("five_entries")
def test_audit_verify_names_reordered_entries():
    columns = "at, user, action, subject, details, prev_hash, entry_hash"
    tamper(
        "DROP TRIGGER audit_no_update",
        "CREATE TEMP TABLE saved AS SELECT * FROM audit_log WHERE id IN (2, 3)",
        f"UPDATE audit_log SET ({columns}) = (SELECT {columns} FROM saved WHERE id = 3)"
        " WHERE id = 2",
        f"UPDATE audit_log SET ({columns}) = (SELECT {columns} FROM saved WHERE id = 2)"
        " WHERE id = 3",
    )
    result = letterdesk("audit", "verify")
    assert result.returncode == 1
    assert "first bad entry: 2" in result.stdout


@pytest.mark.usefixtures("five_entries")
def test_audit_verify_reads_while_another_process_writes():
    with Store() as open_in_the_app:
        assert open_in_the_app.writer is not None
        result = letterdesk("audit", "verify")
    assert result.returncode == 0, result.stderr


def test_backup_rotate_key_and_restore(tmp_path):
    with Store() as store:
        stored_patient(store)
    file = tmp_path / "praxis.ldbackup"
    written = letterdesk("backup", str(file), LETTERDESK_BACKUP_PASSPHRASE=BACKUP_PASSPHRASE)
    assert written.returncode == 0, written.stderr
    assert str(file) in written.stdout and files_naming(tmp_path, PATIENT) == []

    key = keyring_key(store_path())
    rotated = letterdesk("rotate-key")
    assert rotated.returncode == 0, rotated.stderr
    assert keyring_key(store_path()) not in (None, key)

    refused = letterdesk("restore", str(file), LETTERDESK_BACKUP_PASSPHRASE=BACKUP_PASSPHRASE)
    assert refused.returncode == 2 and "--replace" in refused.stderr
    wrong = letterdesk("restore", str(file), "--replace", LETTERDESK_BACKUP_PASSPHRASE="nicht es")
    assert wrong.returncode == 2 and "passphrase is wrong" in wrong.stderr
    restored = letterdesk(
        "restore", str(file), "--replace", LETTERDESK_BACKUP_PASSPHRASE=BACKUP_PASSPHRASE
    )
    assert restored.returncode == 0, restored.stderr
    listing = letterdesk("cases")
    assert PATIENT in listing.stdout
    assert "intact" in letterdesk("audit", "verify").stdout


def test_a_backup_without_a_passphrase_is_not_written(tmp_path):
    Store().close()
    result = letterdesk("backup", str(tmp_path / "b.ldbackup"))
    assert result.returncode == 2 and "LETTERDESK_BACKUP_PASSPHRASE" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_provenance_is_written_as_fhir_json(tmp_path):
    with Store() as store:
        stored_patient(store)
    out = tmp_path / "provenance.json"
    result = letterdesk("provenance", "1", "--output", str(out))
    assert result.returncode == 0, result.stderr
    resource = json.loads(out.read_text(encoding="utf-8"))
    assert resource["resourceType"] == "Provenance"
    assert resource["target"][0]["identifier"]["value"] == "1/2"
    first = letterdesk("provenance", "1", "--revision", "1", "--output", str(out))
    assert first.returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["target"][0]["identifier"]["value"] == "1/1"
    missing = letterdesk("provenance", "1", "--revision", "7", "--output", str(out))
    assert missing.returncode == 2 and "no revision 7" in missing.stderr
