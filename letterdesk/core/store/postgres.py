"""The department store's connection: PostgreSQL through psycopg 3, read like the SQLite one.

The store's SQL is written once, in SQLite's words — ``?`` placeholders, ``BEGIN IMMEDIATE``,
``PRAGMA user_version`` and the migrations' DDL — and :func:`translate` says here, once, what
each becomes on PostgreSQL, so the same queries and the same migrations run on both back ends.
A connection to any host but this machine must be encrypted with the server's certificate
checked (``sslmode=verify-full``) unless the site configuration allows otherwise
(:data:`PLAIN_SETTING`). psycopg is imported only when a department store is opened.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence
from typing import Any

from letterdesk.core.foundation.errors import StoreError

SCHEMES = ("postgresql://", "postgres://")
APP_ROLES = ("letterdesk_physician", "letterdesk_rater", "letterdesk_admin", "letterdesk_drafter")
PLAIN_SETTING = "allow_plain_store_connection"
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})

# What SQLite has built in or the store adds, created before the first migration (and
# whenever missing) by a login allowed to: IT's, the first time.
_PREPARE = (
    "CREATE TABLE IF NOT EXISTS letterdesk_schema (version INTEGER NOT NULL)",
    "INSERT INTO letterdesk_schema (version) SELECT 0"
    " WHERE NOT EXISTS (SELECT 1 FROM letterdesk_schema)",
    # the SQLite store registers casefold() per connection; search folds both sides with it
    "CREATE OR REPLACE FUNCTION casefold(t text) RETURNS text LANGUAGE sql IMMUTABLE"
    " AS $$ SELECT replace(lower(t), 'ß', 'ss') $$",  # as Python's casefold (needs a UTF-8 locale)
    # the chain's last hash for an append, also for a login that may not read the log (raters)
    "CREATE OR REPLACE FUNCTION letterdesk_last_audit_hash() RETURNS text LANGUAGE plpgsql"
    " STABLE SECURITY DEFINER SET search_path = public AS $$ BEGIN RETURN (SELECT entry_hash"
    " FROM audit_log ORDER BY id DESC LIMIT 1); END $$",
    # SQLite's RAISE(ABORT, message) in a trigger
    "CREATE OR REPLACE FUNCTION letterdesk_refuse() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';"
    " END $$",
)
_MIGRATION_LOCK = 20_020_001  # pg_advisory_xact_lock key: one workstation migrates at a time
AUDIT_LOCK = 20_020_002  # appends to the hash chain queue here, whichever workstation writes
LETTER_LOCK = 20_020_003  # with the letter's id: its revisions are numbered one at a time
MOVE_LOCK = 20_020_004  # one store moving in at a time
WRITE_AHEAD_LOCK = 20_020_005  # held for the session: one write-ahead service per store
CASE_DRAFT_LOCK = 20_020_006  # with the case ID's hash: one drafter writes a case's draft ahead
CASE_LETTER_LOCK = 20_020_007  # with the case's row id: its new letters one at a time
_TRY_LOCK = "SELECT pg_try_advisory_lock(%s)"


def is_url(location: object) -> bool:
    """True when ``location`` names a PostgreSQL server rather than a store file."""
    return isinstance(location, str) and location.startswith(SCHEMES)


def check_transport(url: str, allow_plain: bool) -> None:
    """Refuse a connection to another machine that is not TLS with the certificate checked."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(url)
    except Exception as exc:  # psycopg reports a malformed URL as ProgrammingError
        raise StoreError(
            f"The department store address {redact(url)} is not a valid PostgreSQL URL.",
            "Set store_url in the site configuration (or LETTERDESK_STORE) to"
            " postgresql://host/database?sslmode=verify-full.",
        ) from exc
    # what libpq will use: the URL's, else its environment's (PGHOST, PGHOSTADDR, PGSSLMODE)
    named = str(params.get("host") or os.environ.get("PGHOST", ""))
    addresses = str(params.get("hostaddr") or os.environ.get("PGHOSTADDR", ""))
    sslmode = params.get("sslmode") or os.environ.get("PGSSLMODE", "")
    hosts = [*named.split(","), *(a for a in addresses.split(",") if a)]
    if params.get("service") or os.environ.get("PGSERVICE"):  # hosts in pg_service.conf
        hosts.append(f"service {params.get('service') or os.environ['PGSERVICE']}")
    remote = [h for h in hosts if h not in LOCAL_HOSTS and not h.startswith(("/", "@"))]
    if remote and sslmode != "verify-full" and not allow_plain:
        raise StoreError(
            f"LetterDesk does not connect to the department store on {', '.join(remote)}"
            " without encryption and a checked server certificate.",
            "Add sslmode=verify-full (and sslrootcert= the hospital's CA file) to the store URL,"
            f" or, on a network you trust, set {PLAIN_SETTING} = true in the site configuration.",
        )


def redact(url: str) -> str:
    """The URL without a password, for messages and logs."""
    url = re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)
    return re.sub(r"(password=)[^&\s]*", r"\1***", url)


class StoreUnreachable(StoreError):
    """The department store's server does not answer (network, restart): try again later."""

    def __init__(self, said: str = "") -> None:
        super().__init__(
            "The department store cannot be reached" + (f": {said}" if said else "."),
            "LetterDesk connects again by itself; try again in a moment. Corrections typed"
            " meanwhile wait on this computer; other actions must be repeated. IT: check the"
            " network and the database server.",
        )


class PostgresConnection:
    """A psycopg connection in autocommit mode that takes the store's SQLite-worded SQL.

    A connection the server dropped (a restart, the network) is opened again at the next
    statement outside a transaction; inside one, and while the server stays away, the
    statement raises :class:`StoreUnreachable`.
    """

    def __init__(self, raw: Any, url: str, password: str | None, read_only: bool) -> None:
        self.raw, self.url = raw, url
        self._password, self._read_only, self._in_transaction = password, read_only, False
        self.session_user = ""
        """The database login this connection signed in as."""
        self.login: str | None = None
        """The database login when it holds a LetterDesk role (:mod:`.department`): who acts,
        whatever name a caller gives. None for the database's owner (IT, the migrations)."""
        self._held: set[int] = set()  # session locks (hold), taken again after a reconnect
        self._lost: set[int] = set()  # held ones another session took while this was away

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (translated) and return psycopg's cursor."""
        if sql.startswith("DROP TRIGGER"):
            sql = self._drop_trigger(sql)
        return self._run(translate(sql, bool(params)), tuple(params) or None)

    def _run(self, sql: str, params: tuple[Any, ...] | None) -> Any:
        import psycopg

        if self.raw.closed or self.raw.broken:
            # the server ended any transaction with the connection: the caller's write is
            # lost (its ROLLBACK has nothing to do) and the next statement connects again
            was_writing, self._in_transaction = self._in_transaction, False
            if sql == "ROLLBACK":
                return None
            if was_writing:
                raise StoreUnreachable("the connection dropped during a write")
            self.raw = _open_raw(self.url, self._password, self._read_only)
            self._lost |= self._held
        if self._lost and sql != "ROLLBACK":  # the new session must hold them again first
            self._lost = {k for k in self._lost if not self._try_lock(k)}
            if self._lost:
                raise StoreError(
                    "Another LetterDesk process took over while the connection to the "
                    "department store was away.",
                    "Only one write-ahead service may run per department store; this one waits.",
                )
        try:
            cursor = self.raw.execute(sql, params)
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if self.raw.closed or self.raw.broken:  # even at COMMIT: whether it landed is
                self._in_transaction = False  # unknown; journalled saves are named for that
                raise StoreUnreachable(str(exc).strip().splitlines()[0]) from exc
            raise
        if sql == "BEGIN":
            self._in_transaction = True
        elif sql in ("COMMIT", "ROLLBACK"):
            self._in_transaction = False
        return cursor

    def _drop_trigger(self, sql: str) -> str:
        # PostgreSQL names a trigger's table in DROP TRIGGER; SQLite's statement does not
        name = sql.split()[2].rstrip(";")
        row = self.raw.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s", (name,)
        ).fetchone()
        if row is None:
            raise StoreError(f"The department store has no trigger {name} to drop.")
        return f"DROP TRIGGER {name} ON {row[0]}"

    def lock(self, key: int, item: int | None = None) -> None:
        """Hold a lock until this transaction ends (other workstations wait for it); ``item``
        narrows it to one row's (a letter's)."""
        if item is None:
            self._run("SELECT pg_advisory_xact_lock(%s)", (key,))
        else:
            self._run("SELECT pg_advisory_xact_lock(%s, %s)", (key, item))

    def hold(self, key: int) -> bool:
        """Take a lock for as long as this connection lives (taken again after a reconnect);
        False when another session holds it."""
        if not self._run(_TRY_LOCK, (key,)).fetchone()[0]:  # (connects again if it must)
            return False
        self._held.add(key)
        return True

    def claim(self, key: int, name: str) -> bool:
        """Take the lock ``key`` on ``name`` (by its hash) for this session until
        :meth:`unclaim`; False when another session holds it. Not taken again after a
        reconnect: a claim only keeps two sessions from doing the same work at once."""
        found = self._run("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (key, name))
        return bool(found.fetchone()[0])

    def unclaim(self, key: int, name: str) -> None:
        """Give up a claim taken by :meth:`claim`. Never fails: where the connection has gone,
        the claim went with its session."""
        import psycopg

        if self.raw.closed or self.raw.broken:
            return
        try:
            self.raw.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", (key, name))
        except psycopg.Error:
            pass  # the session, and the claim with it, ends with the broken connection

    def _try_lock(self, key: int) -> bool:
        return bool(self.raw.execute(_TRY_LOCK, (key,)).fetchone()[0])

    def close(self) -> None:
        """Close the connection to the server."""
        self.raw.close()


def connect(
    url: str, *, allow_plain: bool = False, read_only: bool = False, password: str | None = None
) -> PostgresConnection:
    """Open the department store at ``url``; raises StoreError a physician can read.

    The login's password: ``password``, else the one in the URL, else the one saved in the
    keyring (:mod:`letterdesk.core.security.logins`), else none (Kerberos, ``~/.pgpass``).
    """
    check_transport(url, allow_plain)
    from psycopg.conninfo import conninfo_to_dict

    from letterdesk.core.security import logins

    password = logins.saved_password(conninfo_to_dict(url)) if password is None else password
    raw = _open_raw(url, password, read_only)
    conn = PostgresConnection(raw, url, password, read_only)
    try:
        conn.login = _app_login(conn)
        if not read_only:
            prepare(conn)
    except BaseException:
        raw.close()
        raise
    return conn


def _open_raw(url: str, password: str | None, read_only: bool) -> Any:
    import psycopg
    from psycopg.types.numeric import FloatLoader

    extra: dict[str, Any] = {} if password is None else {"password": password}
    try:
        raw = psycopg.connect(
            url, autocommit=True, connect_timeout=10, application_name="LetterDesk", **extra
        )
    except psycopg.Error as exc:
        said = str(exc).strip()
        if "password" in said:
            raise StoreError(
                f"The department store cannot be reached: {said}",
                "Save this login's password on this computer with `letterdesk store login`"
                " (or ask IT for Kerberos sign-in).",
            ) from exc
        raise StoreUnreachable(said) from exc
    raw.adapters.register_loader("numeric", FloatLoader)  # averages are floats, as in SQLite
    if read_only:
        raw.execute("SET default_transaction_read_only = on")
    return raw


# The session holds a LetterDesk role, directly or through a group (a directory group IT
# granted it to), and is no superuser (who is a member of every role: IT's account)
IS_APP_USER_SQL = (
    "(EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname IN ("
    + ", ".join(f"'{role}'" for role in APP_ROLES)
    + ") AND pg_has_role(session_user, r.oid, 'MEMBER'))"
    " AND NOT (SELECT u.rolsuper FROM pg_roles u WHERE u.rolname = session_user))"
)


def _app_login(conn: PostgresConnection) -> str | None:
    """The session's login when it holds a LetterDesk role (records ``session_user`` too)."""
    row = conn.raw.execute(f"SELECT session_user::text, {IS_APP_USER_SQL}").fetchone()
    conn.session_user = str(row[0])
    return str(row[0]) if row[1] else None


def prepare(conn: PostgresConnection, *, again: bool = False) -> None:
    """Create what the migrations expect (schema version row, casefold, the refusal trigger);
    nothing when it is there (the application's logins may not create anything) unless
    ``again`` (``letterdesk store init``: IT's account renews them)."""
    ready = (
        not again
        and conn.raw.execute(
            "SELECT to_regclass('letterdesk_schema') IS NOT NULL"
            " AND to_regprocedure('casefold(text)') IS NOT NULL"
            " AND to_regprocedure('letterdesk_refuse()') IS NOT NULL"
            " AND to_regprocedure('letterdesk_last_audit_hash()') IS NOT NULL"
        ).fetchone()[0]
    )
    if ready:
        return
    conn.raw.execute("BEGIN")
    try:
        conn.lock(_MIGRATION_LOCK)
        for statement in _PREPARE:
            conn.raw.execute(statement)
        conn.raw.execute("COMMIT")
    except BaseException:
        conn.raw.execute("ROLLBACK")
        raise


def lock_migrations(conn: PostgresConnection) -> None:
    """Inside a migration's transaction: wait while another workstation migrates."""
    conn.lock(_MIGRATION_LOCK)


_LITERAL = re.compile(r"('(?:[^']|'')*')")
_TRIGGER = re.compile(
    r"CREATE TRIGGER (\w+) BEFORE (UPDATE|DELETE|INSERT) ON (\w+)(?:\s+WHEN (.+?))?"
    r"\s+BEGIN SELECT RAISE\(ABORT, ('(?:[^']|'')*')\); END;?",
    re.DOTALL,
)
_DDL_RULES = (
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
    (re.compile(r"^(\s*)user TEXT", re.MULTILINE), r'\1"user" TEXT'),  # a keyword there
)
_STATEMENTS = {
    "BEGIN IMMEDIATE": "BEGIN",
    "PRAGMA user_version": "SELECT version FROM letterdesk_schema",
}


@functools.lru_cache(maxsize=512)
def translate(sql: str, has_params: bool) -> str:
    """The PostgreSQL wording of one statement of the store's SQLite-worded SQL."""
    sql = sql.strip()
    if sql in _STATEMENTS:
        return _STATEMENTS[sql]
    if match := re.fullmatch(r"PRAGMA user_version = (\d+)", sql):
        return f"UPDATE letterdesk_schema SET version = {int(match[1])}"
    if match := _TRIGGER.fullmatch(sql):
        name, event, table, when, message = match.groups()
        if when is None:
            return (
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW"
                f" EXECUTE FUNCTION letterdesk_refuse({message})"
            )
        # PostgreSQL's WHEN takes no subquery: the condition moves into a function of its own
        returned = "OLD" if event == "DELETE" else "NEW"
        return (
            f"CREATE OR REPLACE FUNCTION letterdesk_{name}() RETURNS trigger LANGUAGE plpgsql"
            f" AS $$ BEGIN IF {when} THEN RAISE EXCEPTION {message}"
            f" USING ERRCODE = 'integrity_constraint_violation'; END IF; RETURN {returned}; END $$;"
            f" CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW"
            f" EXECUTE FUNCTION letterdesk_{name}()"
        )
    if sql.startswith(("CREATE TABLE", "ALTER TABLE")):
        for pattern, replacement in _DDL_RULES:
            sql = pattern.sub(replacement, sql)
    if not has_params:
        return sql
    # placeholders outside string literals; a literal % is %% once psycopg fills parameters
    parts = _LITERAL.split(sql)
    return "".join(
        part.replace("%", "%%") if index % 2 else part.replace("%", "%%").replace("?", "%s")
        for index, part in enumerate(parts)
    )


def database_errors() -> tuple[type[Exception], ...]:
    """psycopg's base error class, when psycopg is installed (for ``except`` clauses)."""
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.Error,)
