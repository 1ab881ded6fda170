"""Keys from passphrases: asking the user for one, and scrypt, which turns it into a key.

A passphrase store keeps scrypt's salt and cost beside it in ``<store>.kdf.json`` (they are
not secret); the key itself is derived again from the passphrase at every open. The same
parameters travel in a backup's header (:mod:`letterdesk.core.store.backup`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.files import write_text_atomically

PASSPHRASE_ENV = "LETTERDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "LETTERDESK_NEW_PASSPHRASE"
PASSPHRASE_STDIN_ENV = "LETTERDESK_PASSPHRASE_ON_STDIN"
"""Set for a child process that reads the store's secret from the first line of its standard
input: how the app hands it to the trainer, never through the environment. "1": the line is the
passphrase (the app had it in LETTERDESK_PASSPHRASE); "key": the line is JSON with the ``store``
and its ``key`` in hex (the passphrase was typed into the app's dialog, which keeps only the
key derived from it)."""
KEY_BYTES = 32
MIN_PASSPHRASE = 8


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


def default_provider() -> PassphraseProvider | None:
    """The provider set with :func:`use_passphrase_provider`, None if none was."""
    return _default_provider


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


def staged_kdf_path(store: Path) -> Path:
    """The sidecar of a new passphrase not yet in use (see ``encryption.StagedKey``)."""
    return store.with_name(store.name + ".kdf.next.json")


def write_kdf(path: Path, kdf: Scrypt) -> None:
    """Write scrypt's parameters to a sidecar (atomically)."""
    write_text_atomically(path, json.dumps(kdf.to_json(), indent=2) + "\n")


def read_kdf(path: Path) -> Scrypt:
    """The scrypt parameters in a sidecar; StoreError if it cannot be read or is damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"The key parameters in {path} cannot be read: {exc}.",
            "Restore the file from a backup of the store's folder.",
        ) from exc
    return Scrypt.from_json(data, str(path))
