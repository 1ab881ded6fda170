"""The store file's connection: SQLCipher (encrypted SQLite), opened with LetterDesk's settings.

:func:`connect` builds the connection in one place; the key comes from
:mod:`letterdesk.core.security.encryption` (the system keyring, else a passphrase) and is put on
the file by :mod:`letterdesk.core.store.keying`; a plain SQLite store written by an earlier
version is encrypted on first open (:func:`open_encrypted`). The department store's connection
is :mod:`letterdesk.core.store.postgres`'s.
"""

from __future__ import annotations

import sqlite3
import urllib.parse
from pathlib import Path

from sqlcipher3 import dbapi2 as sqlcipher

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.security import encryption
from letterdesk.core.security.passphrase import PassphraseProvider, kdf_path
from letterdesk.core.store import keying


def _share_error_classes() -> None:
    """Make SQLCipher's errors also the standard library's (``sqlite3.IntegrityError``...).

    sqlcipher3 is a copy of the standard library's sqlite3 module built against SQLCipher,
    with error classes of its own; code written against sqlite3 catches sqlite3's classes.
    (Its base classes ``Error`` and ``Warning`` cannot take a second base; every error raised
    is one of the subclasses.)
    """
    # parents before children, so that every class's method resolution order stays consistent
    for name in (
        "InterfaceError",
        "DatabaseError",
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    ):
        ours, standard = getattr(sqlcipher, name), getattr(sqlite3, name)
        if not issubclass(ours, standard):
            ours.__bases__ = (*ours.__bases__, standard)


_share_error_classes()


class WrongKey(StoreError):
    """The key does not open the file: another key, a damaged file, or not a store at all."""


def connect(path: Path, key: bytes | None = None, *, read_only: bool = False) -> sqlite3.Connection:
    """Open a connection to the store file with LetterDesk's settings.

    ``key`` is the store's 256-bit SQLCipher key (see :func:`encryption.store_key`); None
    opens a plain SQLite file, which only tests and the migration of stores from earlier
    versions do. Raises :class:`WrongKey` when the key does not open the file.
    """
    try:
        if read_only:
            uri = f"file:{urllib.parse.quote(str(path))}?mode=ro"
            conn = sqlcipher.connect(
                uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10
            )
        else:
            conn = sqlcipher.connect(
                str(path), isolation_level=None, check_same_thread=False, timeout=10
            )
    except sqlcipher.DatabaseError as exc:
        raise StoreError(
            f"The letter store {path} cannot be opened: {exc}",
            "Check that the file exists and that this user may read it.",
        ) from exc
    try:
        _configure(conn, path, key, read_only)
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise StoreError(
            f"The letter store {path} cannot be opened: {exc}",
            "The file may be damaged or not a LetterDesk store; restore it from a backup.",
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _configure(conn: sqlite3.Connection, path: Path, key: bytes | None, read_only: bool) -> None:
    conn.execute("PRAGMA cipher_log_level = NONE")  # failures arrive as exceptions anyway
    if key is not None:
        keying.use_key(conn, key)
    _check_key(conn, path)
    # temporary tables and sort files stay in memory: SQLite's temp files are not encrypted
    conn.execute("PRAGMA temp_store = MEMORY")
    if not read_only:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    # SQLite's lower() knows only ASCII; search must find "Nguyễn" as "nguyễn"
    conn.create_function("casefold", 1, _casefold, deterministic=True)


def _check_key(conn: sqlite3.Connection, path: Path) -> None:
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        if "not a database" not in str(exc):
            raise
        raise WrongKey(
            f"The letter store {path} cannot be opened: it is damaged, not a LetterDesk store, "
            "or encrypted with a key this computer does not have.",
            "Restore the store from a backup (letterdesk restore).",
        ) from exc


def open_encrypted(
    path: Path, provider: PassphraseProvider | None, read_only: bool
) -> sqlite3.Connection:
    """A connection with the store's key; encrypts a plain store from an earlier version first."""
    if encryption.is_plain_sqlite(path):
        if read_only:
            raise StoreError(
                f"The letter store {path} is from an earlier version and is not encrypted yet.",
                "Open it once with LetterDesk (not read-only); it is then encrypted.",
            )
        keying.encrypt_plain_store(path, encryption.store_key(path, provider))
    elif read_only and encryption.is_new(path):
        raise StoreError(f"There is no letter store at {path} yet.")
    key, attempt = encryption.store_key(path, provider), 1
    while True:
        try:
            return connect(path, key, read_only=read_only)
        except WrongKey as wrong:
            conn = _open_with_staged_key(path, provider, read_only)
            if conn is not None:
                return conn
            if not kdf_path(path).exists():
                encryption.forget(path)
                raise wrong
            key = encryption.retry_passphrase(path, provider, attempt)
            attempt += 1


def _open_with_staged_key(
    path: Path, provider: PassphraseProvider | None, read_only: bool
) -> sqlite3.Connection | None:
    """A connection with a key a key change left staged (and then committed), or None."""
    for staged in encryption.staged_keys(path, provider):
        try:
            conn = connect(path, staged.key, read_only=read_only)
        except WrongKey:
            continue
        try:
            if not read_only:
                staged.commit()  # the key change stopped half-way: finish it
        except BaseException:
            conn.close()
            raise
        encryption.remember(path, staged.key)
        return conn
    return None


def _casefold(text: object) -> str:
    return str(text).casefold()
