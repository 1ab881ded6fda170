"""The store's encryption key: a random key in the system keyring, or a key from a passphrase.

The store is a SQLCipher database (AES-256, every page authenticated). Its 256-bit key is
never written to disk in the clear:

* **Keyring** (the normal case): a random key, kept in the operating system's keyring
  (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows) under the
  service ``LetterDesk``, one entry per store path.
* **Passphrase**, where no keyring can be reached (or a store was set up that way): the key
  is derived with scrypt from a passphrase the user types (``LETTERDESK_PASSPHRASE`` for
  headless use); the salt and scrypt's parameters sit beside the store in
  ``<store>.kdf.json`` (they are not secret). See :mod:`letterdesk.core.security.passphrase`.

There is no third way: with neither, opening the store fails with a :class:`StoreError`.

A new key (rotation, restore) is *staged* before the database is rekeyed and committed
after, so a crash in between leaves a key that opens the store: the Store tries staged
keys when the current one does not fit (see :func:`staged_keys`).

This module only says where the key comes from and where it is kept; putting it on the
database (SQLCipher's ``PRAGMA key`` and ``rekey``) is the store's
(:mod:`letterdesk.core.store.keying`).
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import keyring.errors
from keyring.backends import chainer, fail

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.security.passphrase import (
    KEY_BYTES,
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    PassphraseProvider,
    PassphraseRequest,
    Scrypt,
    ask_passphrase,
    default_provider,
    kdf_path,
    read_kdf,
    staged_kdf_path,
    write_kdf,
)

SERVICE = "LetterDesk"
SQLITE_MAGIC = b"SQLite format 3\x00"
_STAGED_SUFFIX = " (staged)"
_ATTEMPTS = 3
"""How often a mistyped passphrase is asked for again before opening fails."""


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


def cached_key(store: Path) -> bytes | None:
    """The key this process holds for a store it opened (None: it holds none)."""
    with _CACHE_LOCK:
        return _CACHE.get(_account(store))


def forget(store: Path) -> None:
    """Drop the process's copy of a store's key (after a wrong passphrase, a new key)."""
    with _CACHE_LOCK:
        _CACHE.pop(_account(store), None)


def _load_or_create(store: Path, provider: PassphraseProvider | None) -> bytes:
    new = is_new(store)
    if kdf_path(store).exists():
        request = PassphraseRequest("create" if new else "unlock", store)
        return read_kdf(kdf_path(store)).derive(ask_passphrase(request, provider, PASSPHRASE_ENV))
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
    typed = ask_passphrase(PassphraseRequest("create", store), provider, PASSPHRASE_ENV)
    kdf = Scrypt.fresh()
    key = kdf.derive(typed)
    write_kdf(kdf_path(store), kdf)
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
    if os.environ.get(PASSPHRASE_ENV) and provider is None and default_provider() is None:
        raise StoreError(
            f"The passphrase in {PASSPHRASE_ENV} does not open the letter store {store}.",
            f"Set {PASSPHRASE_ENV} to the store's passphrase.",
        )
    request = PassphraseRequest("unlock", store, retry=True)
    key = read_kdf(kdf_path(store)).derive(ask_passphrase(request, provider, PASSPHRASE_ENV))
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
            os.replace(staged_kdf_path(self.store), kdf_path(self.store))
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
            staged_kdf_path(self.store).unlink(missing_ok=True)


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
        write_kdf(staged_kdf_path(store), kdf)
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
    if staged_kdf_path(store).exists():
        request = PassphraseRequest("unlock", store)
        typed = ask_passphrase(request, provider, PASSPHRASE_ENV)
        key = read_kdf(staged_kdf_path(store)).derive(typed)
        found.append(StagedKey(store, key, in_keyring=False))
    return found
