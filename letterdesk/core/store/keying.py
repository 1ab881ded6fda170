"""The store's key on its SQLCipher file: opening with it, changing it, encrypting a plain file.

Where the key comes from (the keyring, a passphrase) and how a new one is staged and committed
is :mod:`letterdesk.core.security.encryption`'s; what SQLCipher is told (``PRAGMA key``,
``PRAGMA rekey``, an encrypted export) is said here, once.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.files import sync_folder
from letterdesk.core.security import encryption
from letterdesk.core.security.passphrase import KEY_BYTES, PassphraseProvider


def key_pragma(key: bytes) -> str:
    """The SQLCipher raw-key literal (no second key derivation inside SQLCipher)."""
    if len(key) != KEY_BYTES:
        raise ValueError("a store key has 32 bytes")
    return f"x'{key.hex()}'"


def use_key(conn: sqlite3.Connection, key: bytes) -> None:
    """Give a freshly opened connection the key its file is encrypted with."""
    conn.execute(f'PRAGMA key = "{key_pragma(key)}"')


def rekey(conn: sqlite3.Connection, key: bytes) -> None:
    """Re-encrypt the open database with ``key`` (one transaction: all pages or none)."""
    conn.execute(f'PRAGMA rekey = "{key_pragma(key)}"')


def export_encrypted(conn: sqlite3.Connection, target: Path, key: bytes, version: int) -> None:
    """Copy the open database into a new file ``target`` encrypted with ``key``, with the
    schema version ``version``."""
    conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key_pragma(key)))
    try:
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
    finally:
        conn.execute("DETACH DATABASE encrypted")


def rotate_key(
    conn: sqlite3.Connection,
    store: Path,
    *,
    passphrase: bool | None = None,
    provider: PassphraseProvider | None = None,
) -> encryption.StagedKey:
    """Re-encrypt the open store (``conn``, holding the writer lock alone) with a new key.

    ``passphrase`` as in :func:`encryption.stage_new_key`: True moves the store to a
    passphrase, False to the keyring, None keeps its way. The old key stops working.
    """
    staged = encryption.stage_new_key(store, passphrase=passphrase, provider=provider)
    try:
        rekey(conn, staged.key)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        staged.abandon()  # rekeying is one transaction: the store still has its old key
        raise
    staged.commit()
    return staged


def encrypt_plain_store(store: Path, key: bytes) -> None:
    """Encrypt a store written before encryption existed, in place of the plain file.

    The plain file is exported into a new encrypted file beside it, which then replaces it
    in one rename; the plain file's WAL and shared-memory files are removed first (their
    content was checkpointed). The caller holds the store's writer lock.
    """
    target = store.with_name(f".{store.name}.encrypting")
    remove_file_and_journals(target)
    try:
        plain = sqlcipher.connect(str(store), isolation_level=None)
        try:
            plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            version = int(plain.execute("PRAGMA user_version").fetchone()[0])
            export_encrypted(plain, target, key, version)
        finally:
            plain.close()
        _fsync_file(target)
        for suffix in ("-wal", "-shm", "-journal"):
            store.with_name(store.name + suffix).unlink(missing_ok=True)
        os.replace(target, store)
        sync_folder(store.parent)
    except (sqlcipher.DatabaseError, OSError) as exc:
        remove_file_and_journals(target)
        raise StoreError(
            f"The letter store {store} (from an earlier version, not yet encrypted) could not "
            f"be encrypted: {exc}.",
            "The file may be damaged; restore it from a backup. It was left unchanged.",
        ) from exc


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def remove_file_and_journals(path: Path) -> None:
    """Delete a SQLite file with its -wal, -shm and -journal files."""
    for suffix in ("-wal", "-shm", "-journal", ""):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
