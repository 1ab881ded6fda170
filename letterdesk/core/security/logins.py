"""The department store login's password, kept in the operating system's keyring.

One entry per login and server (service ``LetterDesk department store``, account
``login@host:port/database``), written by ``letterdesk store login`` once the password has
opened the store. Kerberos sign-in needs none. A password written into the store URL is used as
it is and never saved.
"""

from __future__ import annotations

from collections.abc import Mapping

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.security.encryption import keyring_backend

SERVICE = "LetterDesk department store"


def account(params: Mapping[str, object]) -> str | None:
    """The keyring account of a connection's parameters; None without a login name."""
    user = str(params.get("user") or "")
    if not user:
        return None
    host, port, database = (str(params.get(k) or "") for k in ("host", "port", "dbname"))
    return f"{user}@{host}:{port}/{database or user}"


def saved_password(params: Mapping[str, object]) -> str | None:
    """The login's saved password, None when there is none, no keyring, or one in the URL."""
    name = account(params)
    backend, _ = keyring_backend()
    if name is None or backend is None or params.get("password"):
        return None
    try:
        found = backend.get_password(SERVICE, name)
    except Exception:  # a locked or absent keyring: the server then asks, and says so
        return None
    return None if found is None else str(found)


def save_password(params: Mapping[str, object], password: str) -> None:
    """Keep the login's password in the keyring (StoreError when there is no keyring)."""
    name, (backend, why) = account(params), keyring_backend()
    if name is None:
        raise StoreError("The store URL names no login (postgresql://LOGIN@host/database).")
    if backend is None:
        raise StoreError(
            f"The password cannot be kept: {why}.",
            "Use Kerberos sign-in, or libpq's password file (~/.pgpass) on this computer.",
        )
    try:
        backend.set_password(SERVICE, name, password)
    except Exception as exc:
        raise StoreError(f"The password could not be saved in the keyring: {exc}") from exc


def forget_password(params: Mapping[str, object]) -> None:
    """Remove the login's saved password (nothing when there is none)."""
    name, (backend, _) = account(params), keyring_backend()
    if name is None or backend is None:
        return
    try:
        backend.delete_password(SERVICE, name)
    except Exception:  # not there: nothing to forget
        return
