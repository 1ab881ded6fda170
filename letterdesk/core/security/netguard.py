"""No network: the environment that keeps libraries offline, and a guard that proves it.

LetterDesk and its trainer never open an outbound connection: no telemetry, no update
checks, no model downloads. :func:`offline_environment` sets the switches the Hugging Face
libraries (and others that honour ``DO_NOT_TRACK``) read; the app's and the trainer's entry
points call it first thing, and child processes inherit it.

:func:`guard` is for tests and for IT's own checks: it wraps Python's socket functions so
that any connection or name lookup that is not loopback (127.0.0.0/8, ::1, ``localhost``)
or a local socket (AF_UNIX: D-Bus for the keyring, multiprocessing) fails with
:class:`NetworkBlocked` and is written to a log file, so that a connection attempt that
some library catches and ignores is still seen. :func:`install_from_environment` does the
same in every Python process that has ``LETTERDESK_NETGUARD_LOG`` set, through the
``sitecustomize`` that :func:`write_sitecustomize` writes. It covers code that connects
through Python's socket module; a C library opening sockets itself is not seen by it
(llama.cpp, as LetterDesk builds it, has no network code).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOG_ENV = "LETTERDESK_NETGUARD_LOG"

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "DO_NOT_TRACK": "1",
    "WANDB_MODE": "disabled",
    "GRADIO_ANALYTICS_ENABLED": "False",
}
"""Variables that switch off downloads, telemetry and update checks in the libraries used."""


def offline_environment() -> None:
    """Switch this process and its children to offline mode (overrides what was set)."""
    os.environ.update(OFFLINE_ENVIRONMENT)


class NetworkBlocked(OSError):
    """A connection or name lookup outside this computer was attempted while guarded."""


_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def is_local(host: Any) -> bool:
    """True for loopback addresses and names, and for None (the passive/local case)."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", errors="replace")
    text = str(host).strip().lower().rstrip(".")
    if text in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _address_is_local(family: int, address: Any) -> bool:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # AF_UNIX, netlink, ...: never leaves the computer
    host = address[0] if isinstance(address, tuple) and address else address
    return is_local(host)


# Each check says what a call would do outside this computer, or None when it stays local.
def _connection(sock: socket.socket, address: Any, *_: Any, **__: Any) -> str | None:
    return None if _address_is_local(sock.family, address) else f"a connection to {address!r}"


def _datagram(sock: socket.socket, data: Any, *args: Any, **__: Any) -> str | None:
    address = args[-1]
    return None if _address_is_local(sock.family, address) else f"a datagram to {address!r}"


def _lookup(host: Any, *_: Any, **__: Any) -> str | None:
    return None if is_local(host) else f"a name lookup of {host!r}"


def _outgoing(address: Any, *_: Any, **__: Any) -> str | None:
    return None if is_local(address[0]) else f"a connection to {address!r}"


_CHECKS = (
    (socket.socket, "connect", _connection),
    (socket.socket, "connect_ex", _connection),
    (socket.socket, "sendto", _datagram),
    (socket, "create_connection", _outgoing),
    (socket, "getaddrinfo", _lookup),
    (socket, "gethostbyname", _lookup),
    (socket, "gethostbyname_ex", _lookup),
)


class _Guard:
    """The patched socket functions; one per process, installed at most once."""

    def __init__(self, log: Path | None) -> None:
        self.log = log
        self.attempts: list[str] = []
        self._lock = threading.Lock()
        self._saved: dict[tuple[Any, str], Any] = {}

    def refuse(self, what: str) -> NetworkBlocked:
        where = "".join(traceback.format_stack(limit=8)[:-2])
        line = f"pid {os.getpid()} ({' '.join(sys.argv[:3])}): {what}"
        with self._lock:
            self.attempts.append(line)
            if self.log is not None:
                with self.log.open("a", encoding="utf-8") as handle:
                    handle.write(line + "\n" + where + "\n")
        return NetworkBlocked(f"LetterDesk's network guard blocked {what}")

    def install(self) -> None:
        for owner, name, check in _CHECKS:
            real = getattr(owner, name)
            self._saved[(owner, name)] = real
            setattr(owner, name, self._guarded(real, check))

    def _guarded(self, real: Any, check: Any) -> Any:
        @functools.wraps(real)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            what = check(*args, **kwargs)
            if what is not None:
                raise self.refuse(what)
            return real(*args, **kwargs)

        return guarded

    def uninstall(self) -> None:
        for (owner, name), original in self._saved.items():
            setattr(owner, name, original)
        self._saved.clear()


_active: _Guard | None = None


@contextmanager
def guard(log: Path | None = None) -> Iterator[list[str]]:
    """Within the block, every non-local connection attempt raises NetworkBlocked; yields
    the list of attempts (also appended to ``log``, if given)."""
    global _active
    if _active is not None:
        raise RuntimeError("the network guard is already active in this process")
    _active = _Guard(log)
    _active.install()
    try:
        yield _active.attempts
    finally:
        _active.uninstall()
        _active = None


def install_from_environment() -> bool:
    """Guard this whole process if ``LETTERDESK_NETGUARD_LOG`` names a log (sitecustomize)."""
    global _active
    log = os.environ.get(LOG_ENV)
    if not log or _active is not None:
        return False
    _active = _Guard(Path(log))
    _active.install()
    return True


_SITECUSTOMIZE = """\
# Written by letterdesk.core.security.netguard: guards every Python process started with this folder
# on PYTHONPATH (spawned workers included) against connections outside this computer.
from letterdesk.core.security import netguard

netguard.install_from_environment()
"""


def write_sitecustomize(folder: Path) -> Path:
    """Write a ``sitecustomize.py`` into ``folder``; put the folder first on PYTHONPATH and set
    ``LETTERDESK_NETGUARD_LOG`` for the processes to be guarded."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sitecustomize.py"
    path.write_text(_SITECUSTOMIZE, encoding="utf-8")
    return path
