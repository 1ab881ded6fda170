"""Encrypted backups of the store that can be restored on another computer.

A backup is one file: a short plain header (format, date, schema version, the scrypt salt
and cost — nothing about patients) and then a SQLCipher copy of the store encrypted with a
key derived from a *backup passphrase*. The store's own key stays in this computer's
keyring; the passphrase is what travels with the person who restores.

Restoring checks the backup completely before anything is replaced: every page's
authentication code (SQLCipher), SQLite's integrity check, the schema version and the audit
log's hash chain. The restored copy is then re-encrypted with a new key for this computer
and put in place of the store in one rename, under the store's writer lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk import __version__
from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.files import sync_folder
from letterdesk.core.security import encryption
from letterdesk.core.security.passphrase import PassphraseProvider, Scrypt
from letterdesk.core.store import audit, keying, migrations, single_writer
from letterdesk.core.store.database import Store
from letterdesk.core.store.keying import remove_file_and_journals
from letterdesk.core.store.sqlcipher import WrongKey, connect

MAGIC = b"LETTERDESK-BACKUP\n"
FORMAT = 1
BACKUP_PASSPHRASE_ENV = "LETTERDESK_BACKUP_PASSPHRASE"
_MAX_HEADER = 4096


@dataclass(frozen=True)
class BackupInfo:
    """A backup file and what its header says."""

    path: Path
    created_at: str
    schema_version: int
    sha256: str
    """SHA-256 of the whole backup file (recorded in the audit log)."""
    letterdesk_version: str


def write_backup(store: Store, out: Path, passphrase: str, user: str | None = None) -> BackupInfo:
    """Write an encrypted backup of the open store to ``out``, then record it in the audit log."""
    out = Path(out)
    path, connection = store.encrypted_file()
    if out.resolve() == path.resolve():
        raise StoreError("A backup cannot be written over the store itself.")
    kdf, version, created = Scrypt.fresh(), migrations.schema_version(connection), now_iso()
    copy = out.with_name(f".{out.name}.db.part")
    part = out.with_name(f".{out.name}.part")
    remove_file_and_journals(copy)
    try:
        keying.export_encrypted(connection, copy, kdf.derive(passphrase), version)
        header = {
            "format": FORMAT,
            "created_at": created,
            "schema_version": version,
            "letterdesk_version": __version__,
            "payload_bytes": copy.stat().st_size,
            "kdf": kdf.to_json(),
        }
        with part.open("wb") as handle, copy.open("rb") as payload:
            handle.write(MAGIC + json.dumps(header).encode("utf-8") + b"\n")
            shutil.copyfileobj(payload, handle, 1 << 20)
            handle.flush()
            os.fsync(handle.fileno())
        digest = _sha256(part)
        with store.transaction() as conn:
            audit.append(conn, "backup", "", {"sha256": digest, "file": str(out)}, user=user)
            os.replace(part, out)
        sync_folder(out.parent)
    except OSError as exc:
        raise StoreError(
            f"The backup {out} could not be written: {exc.strerror or exc}.",
            "Check that the folder exists, is writable and has room for a copy of the store.",
        ) from exc
    finally:
        remove_file_and_journals(copy)
        part.unlink(missing_ok=True)
    return BackupInfo(out, created, version, digest, __version__)


def read_header(path: Path) -> tuple[dict[str, Any], int]:
    """A backup's header and where its payload starts; StoreError if it is not a backup."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(len(MAGIC) + _MAX_HEADER)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        raise StoreError(f"The backup {path} cannot be read: {exc.strerror or exc}.") from exc
    end = head.find(b"\n", len(MAGIC))
    header: Any = None
    if head.startswith(MAGIC) and end > 0:
        try:
            header = json.loads(head[len(MAGIC) : end])
        except ValueError:
            header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise StoreError(
            f"{path} is not a LetterDesk backup (or one from a newer version).",
            "Choose a file written by `letterdesk backup`.",
        )
    offset = end + 1
    if header.get("payload_bytes") != size - offset:
        raise StoreError(
            f"The backup {path} is incomplete or damaged: it has {size - offset:,} bytes of "
            f"data, its header says {header.get('payload_bytes')!r}.",
            "Copy the backup file again from where it was kept.",
        )
    return header, offset


def restore_backup(
    backup: Path,
    passphrase: str,
    store_path: Path,
    *,
    replace: bool = False,
    provider: PassphraseProvider | None = None,
    user: str | None = None,
) -> BackupInfo:
    """Check a backup completely, then put it in place of the store (``replace`` must be True
    when a store exists). The restored store gets a new key on this computer."""
    backup, store_path = Path(backup), Path(store_path)
    header, offset = read_header(backup)
    kdf = Scrypt.from_json(header.get("kdf"), str(backup))
    key = kdf.derive(passphrase)
    lease = single_writer.acquire(store_path)
    try:
        if lease.sharers > 1:
            raise single_writer.StoreInUse(store_path, "this LetterDesk process")
        if not replace and not encryption.is_new(store_path):
            raise StoreError(
                f"There is already a letter store at {store_path}; restoring would replace it.",
                "Confirm with --replace (the current store's letters are then gone), or make a "
                "backup of it first.",
            )
        incoming = store_path.with_name(f".{store_path.name}.restoring")
        _unpack(backup, offset, incoming, key)
        _put_in_place(incoming, key, store_path, provider)
        digest = _sha256(backup)
        with Store(store_path, passphrase_provider=provider) as store, store.transaction() as conn:
            details = {"sha256": digest, "file": str(backup), "created_at": header["created_at"]}
            audit.append(conn, "restore", "", details, user=user)
    finally:
        lease.release()
    return BackupInfo(
        backup, str(header["created_at"]), int(header["schema_version"]), digest,
        str(header.get("letterdesk_version", "")),
    )  # fmt: skip


def _unpack(backup: Path, offset: int, incoming: Path, key: bytes) -> None:
    """Copy the payload beside the store and check it with the backup's key."""
    remove_file_and_journals(incoming)
    try:
        with backup.open("rb") as source, incoming.open("wb") as target:
            source.seek(offset)
            shutil.copyfileobj(source, target, 1 << 20)
        conn = connect(incoming, key)
    except WrongKey as exc:
        remove_file_and_journals(incoming)
        raise StoreError(
            f"The backup {backup.name} cannot be opened: the passphrase is wrong, or the "
            "backup is damaged.",
            "Passphrases are case-sensitive. Nothing was changed.",
        ) from exc
    except BaseException:
        remove_file_and_journals(incoming)
        raise
    try:
        _check(conn, backup)
    except BaseException:
        conn.close()
        remove_file_and_journals(incoming)
        raise
    conn.close()


def _check(conn: sqlite3.Connection, backup: Path) -> None:
    problems = []
    try:
        damaged_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
        version = migrations.schema_version(conn)
        chain = audit.verify(conn) if version >= 2 else None
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"The backup {backup.name} is damaged: {exc}. Nothing was changed."
        ) from exc
    if damaged_pages:
        problems.append(f"{len(damaged_pages)} damaged pages")
    if integrity != ["ok"]:
        problems.append("the database structure is damaged: " + "; ".join(integrity[:3]))
    if not 1 <= version <= migrations.LATEST_VERSION:
        problems.append(f"it has schema version {version}; this LetterDesk reads up to "
                        f"{migrations.LATEST_VERSION}")  # fmt: skip
    if chain is not None and chain.first_bad is not None:
        problems.append(f"its audit log entry {chain.first_bad} does not hold ({chain.reason})")
    if problems:
        raise StoreError(
            f"The backup {backup.name} was not restored: " + "; ".join(problems) + ".",
            "Nothing was changed. Use another backup.",
        )


def _put_in_place(
    incoming: Path, key: bytes, store_path: Path, provider: PassphraseProvider | None
) -> None:
    """Give the checked copy (still under the backup's ``key``) the store's new key and rename
    it over the store."""
    staged = encryption.stage_new_key(store_path, provider=provider)
    try:
        conn = connect(incoming, key)
        try:
            keying.rekey(conn, staged.key)
        finally:
            conn.close()
        for suffix in ("-wal", "-shm", "-journal"):
            store_path.with_name(store_path.name + suffix).unlink(missing_ok=True)
        os.replace(incoming, store_path)
        sync_folder(store_path.parent)
    except BaseException:
        staged.abandon()
        remove_file_and_journals(incoming)
        raise
    staged.commit()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
