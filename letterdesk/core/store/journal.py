"""The offline journal: corrections saved on this computer first, then in the store.

An encrypted SQLite (SQLCipher) file in the user's data folder (``journal.sqlite3``, its key
kept like the store file's). Every correction of a department-store letter is held here, then
written to the store in the order it was made; one the store did not take — the server is
restarting, the network is down — waits and goes with the next save or the next
:meth:`Journal.replay`. Each held save has a name of its own (``client_ref``) that the store
records with the revision, so a save is written exactly once even when the connection drops
between the server's commit and the journal's removal of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.paths import data_home
from letterdesk.core.security import encryption
from letterdesk.core.store import letters, sqlcipher
from letterdesk.core.store.database import Store
from letterdesk.core.store.postgres import StoreUnreachable, database_errors

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS held (seq INTEGER PRIMARY KEY, client_ref TEXT NOT NULL UNIQUE,"
    " letter_id INTEGER NOT NULL, text TEXT NOT NULL, author TEXT NOT NULL,"
    " editing_seconds REAL NOT NULL, based_on INTEGER, held_at TEXT NOT NULL, refused TEXT)"
)


@dataclass(frozen=True)
class HeldSave:
    """A correction waiting for the store."""

    client_ref: str
    letter_id: int
    text: str
    author: str
    editing_seconds: float
    based_on: int | None
    held_at: str


@dataclass(frozen=True)
class Saved:
    """What a save did: the revision the store took (None while it waits), and how many
    saves wait on this computer."""

    revision: letters.Revision | None
    waiting: int


class Journal:
    """This user's journal file; one per process that writes corrections."""

    def __init__(self, path: Path | None = None) -> None:
        """Open (creating) the journal; its key comes from the keyring or a passphrase."""
        self.path = Path(path) if path is not None else data_home() / "journal.sqlite3"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlcipher.connect(self.path, encryption.store_key(self.path))
        self.conn.execute(_SCHEMA)

    def close(self) -> None:
        """Close the file (what it holds stays for the next start)."""
        self.conn.close()

    def hold(
        self,
        letter_id: int,
        text: str,
        *,
        author: str,
        editing_seconds: float,
        based_on: int | None,
    ) -> HeldSave:
        """Keep a correction on this computer (durably) until the store has it. Behind another
        waiting save of the letter, what it was based on is that save (no id yet): not a
        conflict, so ``based_on`` is dropped."""
        if any(w.letter_id == letter_id for w in self.waiting()):
            based_on = None
        held = HeldSave(
            str(uuid.uuid4()), letter_id, text, author, editing_seconds, based_on, now_iso()
        )
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute(
            "INSERT INTO held (client_ref, letter_id, text, author, editing_seconds, based_on,"
            " held_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (held.client_ref, letter_id, text, author, editing_seconds, based_on, held.held_at),
        )
        self.conn.execute("COMMIT")
        return held

    def waiting(self) -> list[HeldSave]:
        """The saves the store does not have yet, oldest first."""
        rows = self.conn.execute(
            "SELECT client_ref, letter_id, text, author, editing_seconds, based_on, held_at"
            " FROM held WHERE refused IS NULL ORDER BY seq"
        )
        return [HeldSave(*row) for row in rows]

    def refused(self) -> list[tuple[HeldSave, str]]:
        """Saves the store refused (the letter was signed meanwhile...), with its reason:
        kept here so their text is not lost."""
        rows = self.conn.execute(
            "SELECT client_ref, letter_id, text, author, editing_seconds, based_on, held_at,"
            " refused FROM held WHERE refused IS NOT NULL ORDER BY seq"
        )
        return [(HeldSave(*row[:-1]), str(row[-1])) for row in rows]

    def replay(self, store: Store) -> dict[str, letters.Revision]:
        """Write the waiting saves to the store in order; each leaves the journal once the
        store has it. Raises StoreUnreachable when the store stops answering (what was
        written stays written; the rest waits)."""
        # what the store answers when it refuses one save (psycopg is imported only here)
        refusals: tuple[type[Exception], ...] = (StoreError, *database_errors())
        written = {}
        for held in self.waiting():
            if store.acting_user(held.author) != held.author:
                continue  # typed by another login on this computer: it waits for them
            try:
                revision = letters.add_revision(
                    store, held.letter_id, held.text, author=held.author,
                    editing_seconds=held.editing_seconds, based_on=held.based_on,
                    client_ref=held.client_ref,
                )  # fmt: skip
            except StoreUnreachable:
                raise
            except refusals as refused:  # set aside, so the saves after it still go
                reason = getattr(refused, "message", None) or str(refused).strip()
                self.conn.execute(
                    "UPDATE held SET refused = ? WHERE client_ref = ?", (reason, held.client_ref)
                )
                continue
            self.conn.execute("DELETE FROM held WHERE client_ref = ?", (held.client_ref,))
            written[held.client_ref] = revision
        return written

    def try_replay(self, store: Store) -> dict[str, letters.Revision]:
        """:meth:`replay`, but while the store cannot be reached the saves simply wait."""
        try:
            return self.replay(store)
        except StoreUnreachable:
            return {}


def save_correction(
    store: Store,
    journal: Journal | None,
    letter_id: int,
    text: str,
    *,
    author: str,
    editing_seconds: float = 0.0,
    based_on: int | None = None,
) -> Saved:
    """Hold a physician's correction on this computer, then write every waiting save to the
    store in order. Never loses the text: while the store cannot be reached it waits. Without
    a journal (the store file on this computer) the correction is written directly."""
    if journal is None:
        revision = letters.add_revision(
            store, letter_id, text, author=author, editing_seconds=editing_seconds,
            based_on=based_on,
        )  # fmt: skip
        return Saved(revision, 0)
    author = store.acting_user(author)  # held under the login that will write it
    held = journal.hold(
        letter_id, text, author=author, editing_seconds=editing_seconds, based_on=based_on
    )
    try:
        written = journal.replay(store)
    except StoreUnreachable:
        return Saved(None, len(journal.waiting()))
    if held.client_ref in written:
        return Saved(written[held.client_ref], 0)
    for refused, reason in journal.refused():  # this save itself was refused: say why
        if refused.client_ref == held.client_ref:
            raise StoreError(reason, "The text is kept on this computer (the offline journal).")
    return Saved(None, len(journal.waiting()))


def write_waiting(store: Store, journal: Journal) -> tuple[int, list[letters.Revision]]:
    """Try the waiting saves again; returns how many still wait, and the revisions written
    (the open letter's newest is what the next correction is based on)."""
    written = journal.try_replay(store)
    return len(journal.waiting()), list(written.values())


def nothing_waiting_for(store: Store, journal: Journal, letter_id: int) -> None:
    """Before a sign-off: every correction of the letter made here is in the store, else
    StoreError (the sign-off would fix a revision without them)."""
    journal.try_replay(store)
    if any(h.letter_id == letter_id for h in journal.waiting()):
        raise StoreError(
            "Your latest changes to this letter are not in the department store yet; it cannot "
            "be signed off until they are.",
            "They are kept on this computer and saved when the store answers again.",
        )
    if refused := [r for h, r in journal.refused() if h.letter_id == letter_id]:
        raise StoreError(
            f"A change you made to this letter was not accepted: {refused[0]}",
            "Its text is kept on this computer (journal.sqlite3 in the data folder).",
        )
