"""One store, one writer: an operating-system lock on a file beside the store.

The first :class:`~letterdesk.core.store.database.Store` a process opens on a store file takes an
exclusive lock on ``<store>.lock`` (``flock`` on POSIX, ``msvcrt.locking`` on Windows) and
holds it while any Store of that process has the file open: the GUI's store worker and its
generation thread each open their own Store, and those share the one lock. A second
*process* is refused with :class:`StoreInUse`, which names the process holding the lock; it
may open the store read-only instead (``Store(read_only=True)``), as ``letterdesk audit
verify`` does. The operating system drops the lock when the process ends, even by SIGKILL,
so there are no stale locks to clean up; the lock file itself is never deleted (deleting
it would let two processes lock two different files).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from letterdesk.core.foundation.errors import StoreError

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl


class StoreInUse(StoreError):
    """Another LetterDesk process is writing to this store."""

    def __init__(self, store: Path, holder: str) -> None:
        super().__init__(
            f"The letter store {store} is already open in another LetterDesk window or "
            f"command ({holder}). Close it there first; two programs writing to one store "
            "could damage it.",
            f"The lock is {lock_path(store)}; it is released when that process ends. "
            "Read-only commands such as `letterdesk audit verify` work meanwhile.",
        )
        self.store, self.holder = store, holder


def lock_path(store: Path) -> Path:
    """The lock file that belongs to a store file."""
    return store.with_name(store.name + ".lock")


@dataclass
class _Held:
    fd: int
    users: int = 0


_HELD: dict[str, _Held] = {}
_HELD_LOCK = threading.Lock()


@dataclass
class WriterLease:
    """This process's right to write to one store; :meth:`release` once, when the Store closes."""

    store: Path
    _key: str
    _released: bool = field(default=False, repr=False)

    @property
    def sharers(self) -> int:
        """How many open Stores of this process share the lock (1: this one alone)."""
        with _HELD_LOCK:
            held = _HELD.get(self._key)
            return held.users if held else 0

    def release(self) -> None:
        """Give the lease back; the last one of the process unlocks the file."""
        with _HELD_LOCK:
            if self._released:
                return
            self._released = True
            held = _HELD[self._key]
            held.users -= 1
            if held.users == 0:
                del _HELD[self._key]
                _unlock(held.fd)
                os.close(held.fd)


def acquire(store: Path) -> WriterLease:
    """Take (or share, within this process) the store's writer lock; StoreInUse if taken."""
    key = str(Path(store).resolve())
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None:
            held = _HELD[key] = _Held(_lock(Path(store)))
        held.users += 1
    return WriterLease(Path(store), key)


def _lock(store: Path) -> int:
    path = lock_path(store)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(
            f"The letter store's lock file {path} cannot be created: {exc.strerror or exc}.",
            "Check that the store's folder exists and is writable for this user.",
        ) from exc
    if not _try_lock(fd):
        holder = _holder(fd)
        os.close(fd)
        raise StoreInUse(store, holder)
    _describe_self(fd)
    return fd


# The holder's description sits after byte 0; only byte 0 is locked, so Windows can read it.
def _describe_self(fd: int) -> None:
    since = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    text = f"\nprocess {os.getpid()} on {socket.gethostname()} since {since}\n"
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8"))


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 1, os.SEEK_SET)
        text = os.read(fd, 200).decode("utf-8", errors="replace").strip()
    except OSError:
        text = ""
    return text or "an unknown process"


if sys.platform == "win32":

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:

    def _try_lock(fd: int) -> bool:
        try:
            # flock, not fcntl/lockf: its lock belongs to this open file, so closing some
            # other descriptor of the file elsewhere in the process does not drop it
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
