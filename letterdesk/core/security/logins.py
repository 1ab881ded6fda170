"""Secrets for the hospital's servers, kept in the operating system's keyring.

- The department store login's password: service ``LetterDesk department store``, account
  ``login@host:port/database``, written by ``letterdesk store login`` once it has opened the
  store. Kerberos sign-in needs none; a password written into the store URL is used as it is
  and never saved.
- The letter server's API key: service ``LetterDesk letter server``, account its base URL,
  written by ``letterdesk server-key``; sent as ``Authorization: Bearer`` to that server only.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping

from letterdesk.core.foundation.errors import ConfigurationError, LetterDeskError, StoreError
from letterdesk.core.security.encryption import keyring_backend

SERVICE = "LetterDesk department store"
SERVER_SERVICE = "LetterDesk letter server"


def account(params: Mapping[str, object]) -> str | None:
    """The keyring account of a connection's parameters (without a login in them: the
    operating-system user, as libpq signs in); None when there is no user at all."""
    try:
        user = str(params.get("user") or getpass.getuser())
    except (KeyError, OSError):  # no passwd entry, e.g. in a container
        return None
    host, port, database = (str(params.get(k) or "") for k in ("host", "port", "dbname"))
    return f"{user}@{host}:{port}/{database or user}"


def _saved(service: str, name: str | None) -> str | None:
    backend, _ = keyring_backend()
    if name is None or backend is None:
        return None
    try:
        found = backend.get_password(service, name)
    except Exception:  # a locked or absent keyring: the server then asks, and says so
        return None
    return None if found is None else str(found)


def _save(service: str, name: str, secret: str, error: type[LetterDeskError], alt: str) -> None:
    backend, why = keyring_backend()
    if backend is None:
        raise error(f"The secret cannot be kept: {why}.", alt)
    try:
        backend.set_password(service, name, secret)
    except Exception as exc:
        raise error(f"The secret could not be saved in the keyring: {exc}") from exc


def _forget(service: str, name: str | None) -> None:
    backend, _ = keyring_backend()
    if name is None or backend is None:
        return
    try:
        backend.delete_password(service, name)
    except Exception:  # not there: nothing to forget
        return


def saved_password(params: Mapping[str, object]) -> str | None:
    """The login's saved password, None when there is none, no keyring, or one in the URL."""
    return None if params.get("password") else _saved(SERVICE, account(params))


def save_password(params: Mapping[str, object], password: str) -> None:
    """Keep the login's password in the keyring (StoreError when there is no keyring)."""
    name = account(params)
    if name is None:
        raise StoreError("The store URL names no login (postgresql://LOGIN@host/database).")
    instead = "Use Kerberos sign-in, or libpq's password file (~/.pgpass) on this computer."
    _save(SERVICE, name, password, StoreError, instead)


def forget_password(params: Mapping[str, object]) -> None:
    """Remove the login's saved password (nothing when there is none)."""
    _forget(SERVICE, account(params))


def saved_server_key(base_url: str) -> str | None:
    """The letter server's API key, None when none was saved (or there is no keyring)."""
    return _saved(SERVER_SERVICE, base_url.rstrip("/"))


def save_server_key(base_url: str, key: str) -> None:
    """Keep the letter server's API key (ConfigurationError when there is no keyring)."""
    instead = "A letter server with an API key needs the system keyring on this computer."
    _save(SERVER_SERVICE, base_url.rstrip("/"), key, ConfigurationError, instead)


def forget_server_key(base_url: str) -> None:
    """Remove the letter server's API key."""
    _forget(SERVER_SERVICE, base_url.rstrip("/"))
