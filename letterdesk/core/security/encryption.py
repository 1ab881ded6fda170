"""The store's encryption key: a random key in the system keyring, or a key from a passphrase.

The store is a SQLCipher database (AES-256, every page authenticated). Its 256-bit key is
never written to disk in the clear:

* **Keyring** (the normal case): a random key, kept in the operating system's keyring
  (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) under the
  service ``LetterDesk``, one entry per store path.
* **Passphrase**, where no keyring can be reached (or a store was set up that way): the key
  is derived with scrypt from a passphrase the user types (``LETTERDESK_PASSPHRASE`` for
  headless use); the salt and scrypt's parameters sit beside the store in
  ``<store>.kdf.json`` (they are not secret).

There is no third way: with neither, opening the store fails with a :class:`StoreError`.

A new key (rotation, restore) is *staged* before the database is rekeyed and committed
after, so a crash in between leaves a key that opens the store: the Store tries staged
keys when the current one does not fit (see :func:`staged_keys`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from keyring.backends import chainer, fail

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.files import write_text_atomically

SERVICE = "LetterDesk"
PASSPHRASE_ENV = "LETTERDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "LETTERDESK_NEW_PASSPHRASE"
KEY_BYTES = 32
SQLITE_MAGIC = b"SQLite format 3\x00"
_STAGED_SUFFIX = " (staged)"
MIN_PASSPHRASE = 8
_ATTEMPTS = 3
"""How often a mistyped passphrase is asked for again before opening fails."""


# --- asking for a passphrase -------------------------------------------------------------------


@dataclass(frozen=True)
class PassphraseRequest:
    """What a passphrase is wanted for, so the dialog or prompt can say so."""

    purpose: str
    """``unlock`` (an existing store), ``create`` (a new store or a new passphrase for one),
    ``backup`` (a backup about to be written) or ``restore`` (a backup being read)."""
    subject: Path
    """The store or backup file concerned."""
    retry: bool = False
    """True when the previous passphrase was wrong."""

    @property
    def confirm(self) -> bool:
        """A new passphrase is typed twice; one that opens something existing once."""
        return self.purpose in ("create", "backup")


PassphraseProvider = Callable[[PassphraseRequest], "str | None"]
"""Asks the user; returns the passphrase, or None when the user cancels."""

_default_provider: PassphraseProvider | None = None


def use_passphrase_provider(provider: PassphraseProvider | None) -> None:
    """Set how this process asks for passphrases when a Store is given none (CLI, GUI dialog)."""
    global _default_provider
    _default_provider = provider


def ask_passphrase(
    request: PassphraseRequest, provider: PassphraseProvider | None, env: str
) -> str:
    """The passphrase from ``env`` if set, else from the provider; StoreError if neither has one."""
    if os.environ.get(env) and not request.retry:
        answer: str | None = os.environ[env]
    else:
        ask = provider or _default_provider
        answer = ask(request) if ask is not None else None
    if not answer:
        raise StoreError(
            f"No passphrase was given for {request.subject.name}, so it stays locked.",
            f"Type the passphrase when asked, or set {env} for unattended use.",
        )
    if request.confirm and len(answer) < MIN_PASSPHRASE:
        raise StoreError(
            f"A new passphrase needs at least {MIN_PASSPHRASE} characters.",
            "A longer passphrase (several words) is both easier to remember and harder to guess.",
        )
    return answer


# --- scrypt ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scrypt:
    """scrypt's salt and cost; n=2**17, r=8 takes 128 MiB and about half a second per guess."""

    salt: bytes
    n: int = 2**17
    r: int = 8
    p: int = 1

    @classmethod
    def fresh(cls) -> Scrypt:
        """New parameters with a random salt."""
        return cls(secrets.token_bytes(16))

    def derive(self, passphrase: str) -> bytes:
        """The 256-bit key for this passphrase."""
        memory = 128 * self.r * self.n * 2
        return hashlib.scrypt(
            passphrase.encode("utf-8"), salt=self.salt, n=self.n, r=self.r, p=self.p,
            maxmem=memory, dklen=KEY_BYTES,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        """The parameters as stored beside the store and in backups."""
        return {"kdf": "scrypt", "salt": self.salt.hex(), "n": self.n, "r": self.r, "p": self.p}

    @classmethod
    def from_json(cls, data: Any, source: str) -> Scrypt:
        """Parameters read from a file, checked (the file is not trusted to be sane)."""
        try:
            salt = bytes.fromhex(data["salt"])
            n, r, p = (int(data[k]) for k in ("n", "r", "p"))
            sane = (
                data.get("kdf") == "scrypt" and len(salt) >= 16 and 2**14 <= n <= 2**22
                and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16
            )  # fmt: skip
        except (TypeError, KeyError, ValueError, AttributeError):
            sane = False
        if not sane:
            raise StoreError(
                f"The key parameters in {source} are damaged.",
                "Restore the file from a backup of the store's folder, or restore a LetterDesk "
                "backup (letterdesk restore).",
            )
        return cls(salt, n, r, p)


def kdf_path(store: Path) -> Path:
    """The sidecar with a passphrase store's salt and scrypt parameters."""
    return store.with_name(store.name + ".kdf.json")


def _staged_kdf_path(store: Path) -> Path:
    return store.with_name(store.name + ".kdf.next.json")


def _read_kdf(path: Path) -> Scrypt:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"The key parameters in {path} cannot be read: {exc}.",
            "Restore the file from a backup of the store's folder.",
        ) from exc
    return Scrypt.from_json(data, str(path))


# --- the keyring -------------------------------------------------------------------------------


def _account(store: Path) -> str:
    return str(Path(store).resolve())


def keyring_backend() -> tuple[Any, str]:
    """(the usable keyring backend, "") or (None, why there is none)."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyring configuration is "no keyring", said why
        return None, f"the keyring cannot be loaded ({exc})"
    if isinstance(backend, fail.Keyring):
        return None, "no system keyring is available"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None, "no system keyring is available"
    if type(backend).__module__ == "keyring.backends.null":
        return None, "the keyring is switched off (null backend)"
    return backend, ""


def _keyring_get(backend: Any, account: str) -> str | None:
    try:
        return backend.get_password(SERVICE, account)
    except Exception as exc:  # locked, D-Bus gone, access refused: all "cannot be reached"
        raise _KeyringDown(str(exc) or type(exc).__name__) from exc


def _keyring_set(backend: Any, account: str, key: bytes) -> None:
    try:
        backend.set_password(SERVICE, account, key.hex())
        if backend.get_password(SERVICE, account) != key.hex():
            raise _KeyringDown("the key read back differs from the key written")
    except _KeyringDown:
        raise
    except Exception as exc:
        raise _KeyringDown(str(exc) or type(exc).__name__) from exc


def _keyring_delete(backend: Any, account: str) -> None:
    try:
        backend.delete_password(SERVICE, account)
    except keyring.errors.PasswordDeleteError:
        pass  # not there: nothing to delete
    except keyring.errors.KeyringError:
        pass  # a key left behind opens nothing: the store was re-encrypted without it


class _KeyringDown(Exception):
    """The keyring exists but did not answer as asked."""


def _keyring_unreachable(store: Path, why: str) -> StoreError:
    return StoreError(
        f"The key of the letter store {store} is kept in the system keyring, which cannot be "
        f"reached: {why}.",
        "Log in to the desktop session (the keyring unlocks with it) and try again. If the "
        "keyring entry is lost, restore a backup with `letterdesk restore`.",
    )


def _decode_key(text: str, store: Path) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise StoreError(
            f"The keyring entry of the letter store {store} is damaged.",
            f'Remove the entry "{SERVICE}" / "{_account(store)}" only if you have a backup; '
            "then restore it with `letterdesk restore`.",
        )
    return key


# --- the store's key ---------------------------------------------------------------------------

_CACHE: dict[str, bytes] = {}
_CACHE_LOCK = threading.Lock()


def is_plain_sqlite(store: Path) -> bool:
    """True for an unencrypted SQLite file (a store written before encryption existed)."""
    head = _read_head(store, 0)
    if head:
        return head == SQLITE_MAGIC
    # an empty main file whose first write is still in the WAL: frame 1 holds page 1
    return _read_head(store.with_name(store.name + "-wal"), 56) == SQLITE_MAGIC


def is_new(store: Path) -> bool:
    """True when there is no store yet (no file, or an empty one with nothing in its WAL)."""
    wal = store.with_name(store.name + "-wal")
    return not _read_head(store, 0) and not _read_head(wal, 0)


def _read_head(path: Path, offset: int) -> bytes:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read(16)
    except OSError:
        return b""


def store_key(store: Path, provider: PassphraseProvider | None = None) -> bytes:
    """The key of the store at ``store``, created (in the keyring, else from a passphrase) for a
    new store. Asks for the passphrase of a passphrase store; keys are kept for the process."""
    account = _account(store)
    with _CACHE_LOCK:
        # a new store always asks the keyring: a key cached for a deleted file may be gone there
        if account in _CACHE and not is_new(store):
            return _CACHE[account]
    key = _load_or_create(Path(store), provider)
    remember(store, key)
    return key


def remember(store: Path, key: bytes) -> None:
    """Keep the key of an open store for the other Stores this process opens on it."""
    with _CACHE_LOCK:
        _CACHE[_account(store)] = key


def forget(store: Path) -> None:
    """Drop the process's copy of a store's key (after a wrong passphrase, a new key)."""
    with _CACHE_LOCK:
        _CACHE.pop(_account(store), None)


def _load_or_create(store: Path, provider: PassphraseProvider | None) -> bytes:
    new = is_new(store)
    if kdf_path(store).exists():
        request = PassphraseRequest("create" if new else "unlock", store)
        return _read_kdf(kdf_path(store)).derive(ask_passphrase(request, provider, PASSPHRASE_ENV))
    backend, why = keyring_backend()
    if backend is None:
        if not (new or is_plain_sqlite(store)):
            raise _keyring_unreachable(store, why)
        return _new_passphrase_key(store, provider)
    try:
        stored = _keyring_get(backend, _account(store))
        if stored:
            return _decode_key(stored, store)
        if not (new or is_plain_sqlite(store)):
            raise StoreError(
                f"The letter store {store} cannot be opened: the system keyring holds no key "
                "for it (or it is not a LetterDesk store).",
                "The store may have been moved or copied from another computer (its key is "
                f'kept per path, as "{SERVICE}" / "{_account(store)}"): move it back, or '
                "restore a backup with `letterdesk restore`.",
            )
        key = secrets.token_bytes(KEY_BYTES)
        _keyring_set(backend, _account(store), key)
        return key
    except _KeyringDown as exc:
        raise _keyring_unreachable(store, str(exc)) from exc


def _new_passphrase_key(store: Path, provider: PassphraseProvider | None) -> bytes:
    passphrase = ask_passphrase(PassphraseRequest("create", store), provider, PASSPHRASE_ENV)
    kdf = Scrypt.fresh()
    key = kdf.derive(passphrase)
    write_text_atomically(kdf_path(store), json.dumps(kdf.to_json(), indent=2) + "\n")
    return key


def retry_passphrase(store: Path, provider: PassphraseProvider | None, attempt: int) -> bytes:
    """After a wrong passphrase: ask again (up to three times in all), or StoreError."""
    forget(store)
    if not kdf_path(store).exists() or attempt >= _ATTEMPTS:
        raise StoreError(
            f"The passphrase for the letter store {store} is not correct.",
            "Passphrases are case-sensitive. Without the passphrase the store cannot be "
            "opened; restore a backup with `letterdesk restore`.",
        )
    if os.environ.get(PASSPHRASE_ENV) and provider is None and _default_provider is None:
        raise StoreError(
            f"The passphrase in {PASSPHRASE_ENV} does not open the letter store {store}.",
            f"Set {PASSPHRASE_ENV} to the store's passphrase.",
        )
    request = PassphraseRequest("unlock", store, retry=True)
    key = _read_kdf(kdf_path(store)).derive(ask_passphrase(request, provider, PASSPHRASE_ENV))
    remember(store, key)
    return key


# --- changing the key safely -------------------------------------------------------------------


@dataclass
class StagedKey:
    """A new key, saved where the next open finds it, to be committed once the store uses it."""

    store: Path
    key: bytes
    in_keyring: bool
    """True: the key goes to the keyring; False: it comes from a passphrase (kdf sidecar)."""

    def commit(self) -> None:
        """The store now uses this key: make it the store's key and drop the old one."""
        account = _account(self.store)
        if self.in_keyring:
            backend, why = keyring_backend()
            if backend is None:
                raise _keyring_unreachable(self.store, why)
            try:
                _keyring_set(backend, account, self.key)
            except _KeyringDown as exc:
                raise _keyring_unreachable(self.store, str(exc)) from exc
            _keyring_delete(backend, account + _STAGED_SUFFIX)
            kdf_path(self.store).unlink(missing_ok=True)
        else:
            os.replace(_staged_kdf_path(self.store), kdf_path(self.store))
            backend, _ = keyring_backend()
            if backend is not None:
                for name in (account, account + _STAGED_SUFFIX):
                    _keyring_delete(backend, name)
        remember(self.store, self.key)

    def abandon(self) -> None:
        """The store kept its old key: remove the staged one."""
        if self.in_keyring:
            backend, _ = keyring_backend()
            if backend is not None:
                _keyring_delete(backend, _account(self.store) + _STAGED_SUFFIX)
        else:
            _staged_kdf_path(self.store).unlink(missing_ok=True)


def stage_new_key(
    store: Path, *, passphrase: bool | None = None, provider: PassphraseProvider | None = None
) -> StagedKey:
    """A fresh key for the store, saved as staged. ``passphrase``: True derives it from a new
    passphrase, False puts a random key in the keyring, None keeps the store's current way."""
    if passphrase is None:
        passphrase = kdf_path(store).exists() or keyring_backend()[0] is None
    if passphrase:
        env = NEW_PASSPHRASE_ENV if os.environ.get(NEW_PASSPHRASE_ENV) else PASSPHRASE_ENV
        typed = ask_passphrase(PassphraseRequest("create", store), provider, env)
        kdf = Scrypt.fresh()
        staged = StagedKey(store, kdf.derive(typed), in_keyring=False)
        write_text_atomically(_staged_kdf_path(store), json.dumps(kdf.to_json(), indent=2) + "\n")
        return staged
    backend, why = keyring_backend()
    if backend is None:
        raise StoreError(
            f"The key cannot be put in the system keyring: {why}.",
            "Use a passphrase instead (letterdesk rotate-key --passphrase).",
        )
    staged = StagedKey(store, secrets.token_bytes(KEY_BYTES), in_keyring=True)
    try:
        _keyring_set(backend, _account(store) + _STAGED_SUFFIX, staged.key)
    except _KeyringDown as exc:
        raise _keyring_unreachable(store, str(exc)) from exc
    return staged


def staged_keys(store: Path, provider: PassphraseProvider | None = None) -> list[StagedKey]:
    """Keys left staged by a rotation or restore that stopped half-way (tried when the store's
    own key does not open it); also the keyring's key of a store that moved to a passphrase."""
    found: list[StagedKey] = []
    backend, _ = keyring_backend()
    if backend is not None:
        for name in (_account(store) + _STAGED_SUFFIX, _account(store)):
            try:
                text = _keyring_get(backend, name)
            except _KeyringDown:
                text = None
            if text:
                found.append(StagedKey(store, _decode_key(text, store), in_keyring=True))
    if _staged_kdf_path(store).exists():
        request = PassphraseRequest("unlock", store)
        typed = ask_passphrase(request, provider, PASSPHRASE_ENV)
        key = _read_kdf(_staged_kdf_path(store)).derive(typed)
        found.append(StagedKey(store, key, in_keyring=False))
    return found


def rotate_key(
    conn: Any,
    store: Path,
    *,
    passphrase: bool | None = None,
    provider: PassphraseProvider | None = None,
) -> StagedKey:
    """Re-encrypt the open store (``conn``, holding the writer lock alone) with a new key.

    ``passphrase`` as in :func:`stage_new_key`: True moves the store to a passphrase, False to
    the keyring, None keeps its way. The old key stops working.
    """
    staged = stage_new_key(store, passphrase=passphrase, provider=provider)
    try:
        conn.execute(f'PRAGMA rekey = "{key_pragma(staged.key)}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        staged.abandon()  # rekeying is one transaction: the store still has its old key
        raise
    staged.commit()
    return staged


def key_pragma(key: bytes) -> str:
    """The SQLCipher raw-key literal (no second key derivation inside SQLCipher)."""
    if len(key) != KEY_BYTES:
        raise ValueError("a store key has 32 bytes")
    return f"x'{key.hex()}'"


def encrypt_plain_store(store: Path, key: bytes) -> None:
    """Encrypt a store written before encryption existed, in place of the plain file.

    The plain file is exported into a new encrypted file beside it, which then replaces it
    in one rename; the plain file's WAL and shared-memory files are removed first (their
    content was checkpointed). The caller holds the store's writer lock.
    """
    from sqlcipher3 import dbapi2 as sqlcipher

    target = store.with_name(f".{store.name}.encrypting")
    remove_file_and_journals(target)
    try:
        plain = sqlcipher.connect(str(store), isolation_level=None)
        try:
            plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            version = int(plain.execute("PRAGMA user_version").fetchone()[0])
            plain.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key_pragma(key)))
            plain.execute("SELECT sqlcipher_export('encrypted')")
            plain.execute(f"PRAGMA encrypted.user_version = {version}")
            plain.execute("DETACH DATABASE encrypted")
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


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles)."""
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
