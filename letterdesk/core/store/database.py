"""The letter store: every case, letter, rating and model version, in one of two places.

By default one SQLCipher (encrypted SQLite) file in the user's data directory
(:mod:`letterdesk.core.store.sqlcipher` opens it; one process writes to it at a time,
:mod:`letterdesk.core.store.single_writer`); in a department, one PostgreSQL database
(:mod:`letterdesk.core.store.postgres`), chosen by :func:`store_location`. Every write is one
transaction (:meth:`Store.transaction`); the schema is migrated on open.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.paths import store_path
from letterdesk.core.foundation.settings import load_site_settings
from letterdesk.core.security.passphrase import PassphraseProvider
from letterdesk.core.store import audit, migrations, postgres, single_writer, sqlcipher
from letterdesk.core.store.connection import Connection

CASE_STATUSES = ("new", "draft", "corrected", "signed")
STORE_ENV = "LETTERDESK_STORE"


def store_location(path: Path | str | None = None) -> Path | str:
    """Where the store is: a file, or a department store's ``postgresql://`` URL.

    ``path`` as given wins; else ``LETTERDESK_STORE``; else the site configuration's
    ``store_url``; else the encrypted file in this user's data directory.
    """
    if path is None:
        path = os.environ.get(STORE_ENV) or load_site_settings().store_url or None
    if postgres.is_url(path):
        return str(path)
    return Path(path) if path is not None else store_path()


@dataclass(frozen=True)
class ImportOutcome:
    """What importing one case did: ``added``, ``updated`` or ``unchanged``."""

    case_id: str
    action: str


@dataclass(frozen=True)
class CaseSummary:
    """One line of the case list."""

    case_id: str
    patient_name: str
    birth_date: str
    letter_type: str
    language: str
    status: str
    updated_at: str


# Letters drafted for a blinded study (study_items) do not count: they are not at the desk.
_DESK = (
    "NOT EXISTS (SELECT 1 FROM study_items si JOIN revisions sr ON sr.id = si.revision_id"
    " WHERE sr.letter_id = l.id)"
)
_STATUS_SQL = f"""
CASE
  WHEN EXISTS (SELECT 1 FROM letters l WHERE l.case_ref = c.id AND l.signed_at IS NOT NULL
               AND {_DESK}) THEN 'signed'
  WHEN EXISTS (SELECT 1 FROM letters l JOIN revisions r ON r.letter_id = l.id
               WHERE l.case_ref = c.id AND r.kind = 'correction' AND {_DESK}) THEN 'corrected'
  WHEN EXISTS (SELECT 1 FROM letters l WHERE l.case_ref = c.id AND {_DESK}) THEN 'draft'
  ELSE 'new'
END
"""


class Store:
    """The open store; all reads and writes of cases, letters and ratings go through it."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        passphrase_provider: PassphraseProvider | None = None,
        read_only: bool = False,
    ) -> None:
        """Open (creating, encrypting or migrating as needed) the store at ``path``.

        ``path`` is a store file or a department store's ``postgresql://`` URL; None: see
        :func:`store_location`. ``passphrase_provider`` asks the user where a store file's key
        comes from a passphrase (default: the one set with
        :func:`passphrase.use_passphrase_provider`, then ``LETTERDESK_PASSPHRASE``).
        ``read_only`` opens without the writer lock, for reading while another process writes;
        such a store is neither created nor migrated. Raises StoreInUse when another process
        writes to the store file.
        """
        location = store_location(path)
        self.url = location if isinstance(location, str) else None
        self.path = location if isinstance(location, Path) else None
        self.read_only = read_only
        self._writer = None
        self._rights: dict[str, bool] = {}
        self.conn: Connection
        if self.url is not None:
            allow_plain = load_site_settings().allow_plain_store_connection
            self.conn = postgres.connect(self.url, allow_plain=allow_plain, read_only=read_only)
        else:
            assert self.path is not None
            self._writer = None if read_only else single_writer.acquire(self.path)
            try:
                self.conn = sqlcipher.open_encrypted(self.path, passphrase_provider, read_only)
            except BaseException:
                self._release()
                raise
        try:
            self._migrate()
        except BaseException:
            self.close()
            raise

    @property
    def location(self) -> str:
        """The store file's path or the department store's URL (without a password)."""
        return postgres.redact(self.url) if self.url is not None else str(self.path)

    def acting_user(self, named: str | None = None) -> str:
        """Who acts: in the department store the database login (no name given changes it),
        else ``named`` (a setting, a command's option), else the operating-system user."""
        login = self.conn.login if isinstance(self.conn, postgres.PostgresConnection) else None
        return login or named or audit.current_user()

    def signed_in_as(self) -> str | None:
        """The department store's database login (None: the store file, which has none)."""
        if isinstance(self.conn, postgres.PostgresConnection):
            return self.conn.session_user
        return None

    def may(self, right: str) -> bool:
        """Whether this login holds a department right — ``register_models`` (admin),
        ``see_models`` (physician, admin or the write-ahead service's drafter: a rater rates
        blinded); always true on the store file and for the department database's owner.
        Asked once per right and store."""
        if not isinstance(self.conn, postgres.PostgresConnection) or self.conn.login is None:
            return True
        if right not in self._rights:
            roles = {
                "register_models": ("letterdesk_admin",),
                "see_models": ("letterdesk_physician", "letterdesk_admin", "letterdesk_drafter"),
            }[right]
            held = [
                self.conn.execute("SELECT pg_has_role(session_user, ?, 'MEMBER')", (r,)).fetchone()[
                    0
                ]
                for r in roles
            ]
            self._rights[right] = any(held)
        return self._rights[right]

    def hold_write_ahead(self) -> bool:
        """Be the one write-ahead service of this store while it is open; False when another
        process is. (A store file has one writer anyway: its lock.)"""
        if isinstance(self.conn, postgres.PostgresConnection):
            return self.conn.hold(postgres.WRITE_AHEAD_LOCK)
        return True

    def claim_draft(self, case_id: str) -> bool:
        """Be the one drafter writing this case's draft ahead until :meth:`unclaim_draft`;
        False when another desk or the department's write-ahead service is. (A store file has
        one writer anyway: its lock.)"""
        if isinstance(self.conn, postgres.PostgresConnection):
            return self.conn.claim(postgres.CASE_DRAFT_LOCK, case_id)
        return True

    def unclaim_draft(self, case_id: str) -> None:
        """Let other drafters have the case again (its draft is written, failed or stopped)."""
        if isinstance(self.conn, postgres.PostgresConnection):
            self.conn.unclaim(postgres.CASE_DRAFT_LOCK, case_id)

    @property
    def is_department(self) -> bool:
        """True for the shared PostgreSQL store, False for this workstation's file."""
        return self.url is not None

    def encrypted_file(self) -> tuple[Path, sqlite3.Connection]:
        """The store file and its SQLCipher connection, for what only a file has (backup,
        a new key); StoreError for the department store, which is a database server."""
        if self.path is None or isinstance(self.conn, postgres.PostgresConnection):
            raise StoreError(
                "The department store is a database server, not a file on this computer.",
                "Back it up and manage its encryption with PostgreSQL's own tools (pg_dump, TLS).",
            )
        return self.path, cast(sqlite3.Connection, self.conn)  # SQLCipher's, sqlite3's twin

    @property
    def _database_errors(self) -> tuple[type[Exception], ...]:
        return (sqlite3.DatabaseError, *postgres.database_errors())

    def _migrate(self) -> None:
        if self.read_only:
            if migrations.schema_version(self.conn) != migrations.LATEST_VERSION:
                raise StoreError(
                    f"The letter store {self.location} must be updated before it can be read.",
                    "Open it once with LetterDesk (not read-only).",
                )
            return
        try:
            migrations.migrate(self.conn)
        except self._database_errors as exc:
            if self.is_department:
                raise StoreError(
                    f"The department store is older than this LetterDesk and could not be "
                    f"updated from this computer: {exc}",
                    "IT: run `letterdesk store init` with the database owner's login, then "
                    "start LetterDesk again.",
                ) from exc
            raise StoreError(
                f"The letter store {self.location} could not be updated to this version: {exc}",
                "Restore the store from a backup or contact support with this message.",
            ) from exc

    @property
    def writer(self) -> single_writer.WriterLease | None:
        """This Store's share of the writer lock (None when opened read-only)."""
        return self._writer

    def _release(self) -> None:
        if self._writer is not None:
            self._writer.release()

    def close(self) -> None:
        """Close the connection (the store file stays consistent) and release the writer lock."""
        try:
            self.conn.close()
        finally:
            self._release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction: everything inside lands together or not at all."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def import_cases(self, cases: Sequence[Case], user: str | None = None) -> list[ImportOutcome]:
        """Store validated cases in one transaction; a re-imported case updates its data."""
        outcomes, now = [], now_iso()
        user = self.acting_user(user) if self.is_department else user
        with self.transaction() as conn:
            for case in cases:
                outcomes.append(self._put_case(conn, case, now, user or ""))
            changed = [o.case_id for o in outcomes if o.action != "unchanged"]
            if changed:
                audit.append(conn, "import", "", {"cases": changed}, user=user)
        return outcomes

    def save_case(self, case: Case, user: str, *, new: bool) -> ImportOutcome:
        """Store a case typed or edited in the case form: a new case (StoreError if its ID is
        taken) or a new version of an existing one; audited as ``edit_case``."""
        user = self.acting_user(user)
        with self.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM cases WHERE case_id = ?", (case.case_id,)
            ).fetchone()
            if new and exists:
                raise StoreError(
                    f"There is already a case {case.case_id}.",
                    "Choose another case ID, or open that case and edit it.",
                )
            if not new and not exists:
                raise StoreError(f"There is no case {case.case_id} in the store.")
            outcome = self._put_case(conn, case, now_iso(), user, "edit")
            if outcome.action != "unchanged":
                audit.append(conn, "edit_case", "", {"case": case.case_id}, user=user)
        return outcome

    @staticmethod
    def _put_case(
        conn: Connection, case: Case, now: str, user: str, source: str = "import"
    ) -> ImportOutcome:
        """Add or update a case; a changed case gets a new version, the old ones stay."""
        patient, document = case.patient, case.to_json()
        row = conn.execute(
            "SELECT document, id FROM cases WHERE case_id = ?", (case.case_id,)
        ).fetchone()
        if row and (row[0] == document or json.loads(row[0]) == case.data):
            return ImportOutcome(case.case_id, "unchanged")  # the same data, in any key order
        values = (
            str(patient["patient_id"]),
            str(patient["family_name"]),
            str(patient["given_name"]),
            str(patient["birth_date"]),
            case.letter_type,
            case.language,
            document,
            now,
        )
        if row:
            conn.execute(
                "UPDATE cases SET patient_id = ?, family_name = ?, given_name = ?, birth_date = ?,"
                " letter_type = ?, language = ?, document = ?, updated_at = ? WHERE case_id = ?",
                (*values, case.case_id),
            )
            _add_case_version(conn, row[1], document, now, user, source)
            return ImportOutcome(case.case_id, "updated")
        (case_ref,) = conn.execute(
            "INSERT INTO cases (patient_id, family_name, given_name, birth_date, letter_type,"
            " language, document, updated_at, case_id, imported_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (*values, case.case_id, now),
        ).fetchone()
        _add_case_version(conn, int(case_ref), document, now, user, source)
        return ImportOutcome(case.case_id, "added")

    def case(self, case_id: str) -> Case:
        """The stored case with this ID, its newest version."""
        row = self.conn.execute(
            "SELECT document FROM cases WHERE case_id = ?", (case_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"There is no case {case_id} in the store.")
        return parse_case(row[0], f"stored case {case_id}")

    def cases(self, search: str = "", status: str | None = None) -> list[CaseSummary]:
        """Cases matching ``search`` (name, case or patient ID, birth date) and ``status``."""
        like = f"%{search.strip()}%"
        rows = self.conn.execute(
            f"SELECT case_id, family_name || ', ' || given_name, birth_date, letter_type,"
            f" language, {_STATUS_SQL} AS status, updated_at FROM cases c"
            " WHERE (casefold(family_name || ' ' || given_name || ' ' || given_name || ' '"
            " || family_name || ' ' || case_id || ' ' || patient_id || ' ' || birth_date)"
            " LIKE casefold(?))"
            " ORDER BY updated_at DESC, case_id",
            (like,),
        ).fetchall()
        summaries = [CaseSummary(*row) for row in rows]
        return [s for s in summaries if status is None or s.status == status]

    def has_cases(self) -> bool:
        """True once the store holds any case."""
        return self.conn.execute("SELECT 1 FROM cases LIMIT 1").fetchone() is not None

    def synthetic_case_ids(self) -> set[str]:
        """The IDs of the synthetic cases (``"synthetic": true`` in their document)."""
        rows = self.conn.execute(
            "SELECT case_id, document FROM cases WHERE document LIKE '%\"synthetic\"%'"
        )  # the text filter is quick and both back ends have it; the JSON decides
        return {case_id for case_id, text in rows if json.loads(text).get("synthetic") is True}

    def verify_audit(self) -> audit.Verification:
        """Check the audit log's hash chain."""
        return audit.verify(self.conn)


def _add_case_version(
    conn: Connection, case_ref: int, document: str, now: str, user: str, source: str
) -> None:
    conn.execute(
        "INSERT INTO case_versions (case_ref, number, document, created_at, created_by, source)"
        " VALUES (?, (SELECT COALESCE(MAX(number), 0) + 1 FROM case_versions"
        " WHERE case_ref = ?), ?, ?, ?, ?)",
        (case_ref, case_ref, document, now, user, source),
    )
