"""Versioned schema migrations of the letter store.

``PRAGMA user_version`` holds the schema version (on the department store,
:mod:`~letterdesk.core.store.postgres` translates it and the DDL). Each migration moves the
store from version N-1 to N inside the caller's transaction; migrations are never edited once
released — a change is a new migration.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from letterdesk.core.store import audit, postgres
from letterdesk.core.store.connection import Connection

_V1 = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL UNIQUE,
    patient_id TEXT NOT NULL,
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    letter_type TEXT NOT NULL,
    language TEXT NOT NULL,
    document TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_by_name ON cases (family_name, given_name);
CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    quantization TEXT,
    architecture TEXT,
    chat_template TEXT,
    adapter TEXT,
    registered_at TEXT NOT NULL,
    lineage TEXT NOT NULL DEFAULT '{}',
    is_default INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sha256, adapter)
);
CREATE TABLE letters (
    id INTEGER PRIMARY KEY,
    case_ref INTEGER NOT NULL REFERENCES cases (id),
    letter_type TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX letters_by_case ON letters (case_ref);
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    letter_id INTEGER NOT NULL REFERENCES letters (id),
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('draft', 'correction')),
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    model_ref INTEGER REFERENCES models (id),
    prompt TEXT,
    UNIQUE (letter_id, number)
);
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are immutable; add a new revision'); END;
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    revision_id INTEGER NOT NULL REFERENCES revisions (id),
    rater TEXT NOT NULL,
    dimension TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (revision_id, rater, dimension)
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# Version 2: sign-off of letters, and a hash chain over the audit log.
_V2 = """
ALTER TABLE letters ADD COLUMN signed_revision_id INTEGER REFERENCES revisions (id);
ALTER TABLE letters ADD COLUMN signed_by TEXT;
ALTER TABLE letters ADD COLUMN signed_at TEXT;
ALTER TABLE revisions ADD COLUMN editing_seconds REAL NOT NULL DEFAULT 0;
DROP TRIGGER audit_no_update;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN entry_hash TEXT NOT NULL DEFAULT '';
"""

_V2_AFTER = """
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


def _v1(conn: Connection) -> None:
    _run_script(conn, _V1)


def _v2(conn: Connection) -> None:
    _run_script(conn, _V2)
    audit.rechain(conn)  # entries written before version 2 get their hashes now
    _run_script(conn, _V2_AFTER)


def _run_script(conn: Connection, script: str) -> None:
    # executescript() would COMMIT; statements run one by one stay in the caller's transaction
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


# Version 3: blinded comparison studies (letterdesk.core.evaluation.study). An item is one case
# drafted by
# one model version; its revision is the draft raters score. Each rater sees every item once,
# in an order of their own, under a label that does not name the model.
_V3 = """
CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'drafting'
        CHECK (status IN ('drafting', 'rating', 'completed')),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    completed_at TEXT
);
CREATE TABLE study_items (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies (id),
    case_ref INTEGER NOT NULL REFERENCES cases (id),
    model_ref INTEGER NOT NULL REFERENCES models (id),
    revision_id INTEGER UNIQUE REFERENCES revisions (id),
    UNIQUE (study_id, case_ref, model_ref)
);
CREATE TABLE study_assignments (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies (id),
    item_id INTEGER NOT NULL REFERENCES study_items (id),
    rater TEXT NOT NULL,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    UNIQUE (item_id, rater),
    UNIQUE (study_id, rater, position),
    UNIQUE (study_id, rater, label)
);
"""


def _v3(conn: Connection) -> None:
    _run_script(conn, _V3)


# Version 4: a draft of a model that writes fact slots keeps the text as the model wrote it
# (letterdesk.core.facts.slots), so the editor can show which values came from the case.
def _v4(conn: Connection) -> None:
    conn.execute("ALTER TABLE revisions ADD COLUMN slotted TEXT")


# Version 5: case versions. An import or edit that changes a case adds a version; nothing is
# overwritten. Each revision records the case version it was written against (a draft: the
# newest; a correction: its letter's previous revision's). A store written before version 5
# kept only each case's newest data: its letters are tied to that as version 1.
_V5 = """
CREATE TABLE case_versions (
    id INTEGER PRIMARY KEY,
    case_ref INTEGER NOT NULL REFERENCES cases (id),
    number INTEGER NOT NULL,
    document TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('import', 'edit', 'migration')),
    UNIQUE (case_ref, number)
);
CREATE TRIGGER case_versions_are_immutable BEFORE UPDATE ON case_versions
BEGIN SELECT RAISE(ABORT, 'case versions are immutable; add a new version'); END;
INSERT INTO case_versions (case_ref, number, document, created_at, created_by, source)
    SELECT id, 1, document, updated_at, '', 'migration' FROM cases;
ALTER TABLE revisions ADD COLUMN case_version_ref INTEGER REFERENCES case_versions (id);
DROP TRIGGER revisions_are_immutable;
UPDATE revisions SET case_version_ref = (SELECT v.id FROM case_versions v
    JOIN letters l ON l.case_ref = v.case_ref WHERE l.id = revisions.letter_id);
CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
BEGIN SELECT RAISE(ABORT, 'revisions are immutable; add a new revision'); END;
"""


def _v5(conn: Connection) -> None:
    _run_script(conn, _V5)


# Version 6: several workstations on one letter (the department store). A revision records the
# revision its editor started from (``based_on``): when that is not the letter's newest, the
# save is a conflict and both texts stay. ``client_ref`` names a revision a workstation
# journalled while the store was unreachable, so writing it later happens exactly once.
_V6 = """
ALTER TABLE revisions ADD COLUMN based_on INTEGER REFERENCES revisions (id);
ALTER TABLE revisions ADD COLUMN client_ref TEXT;
CREATE UNIQUE INDEX revisions_by_client_ref ON revisions (client_ref);
"""


def _v6(conn: Connection) -> None:
    _run_script(conn, _V6)


# Version 7: a signed letter is final in the database itself, not only in LetterDesk's code
# (the department store has other clients): its row cannot change, no revision can be added,
# and it is signed with a revision of its own.
_V7 = """
CREATE TRIGGER letters_signed_are_final BEFORE UPDATE ON letters
WHEN OLD.signed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed letter is final; start a new letter'); END;
CREATE TRIGGER letters_sign_their_own_revision BEFORE UPDATE ON letters
WHEN NEW.signed_revision_id IS NOT NULL
 AND (SELECT letter_id FROM revisions WHERE id = NEW.signed_revision_id) IS DISTINCT FROM NEW.id
BEGIN SELECT RAISE(ABORT, 'a letter is signed with one of its own revisions'); END;
CREATE TRIGGER revisions_not_after_sign_off BEFORE INSERT ON revisions
WHEN (SELECT signed_at FROM letters WHERE id = NEW.letter_id) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed letter is final; start a new letter'); END;
"""


def _v7(conn: Connection) -> None:
    _run_script(conn, _V7)


# Version 8: the audit log is also asked by action and subject (which drafts written ahead
# wait unopened, which cases failed to be drafted ahead): an index, so a long log stays quick.
def _v8(conn: Connection) -> None:
    _run_script(conn, "CREATE INDEX audit_by_action ON audit_log (action, subject);")


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (
    _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8,
)  # fmt: skip
LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: Connection) -> int:
    """The store's current schema version (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int = LATEST_VERSION) -> list[int]:
    """Apply every missing migration up to ``target``, each in its own transaction."""
    applied = []
    for version in range(schema_version(conn) + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if isinstance(conn, postgres.PostgresConnection):
                postgres.lock_migrations(conn)  # another workstation may have just migrated
            if schema_version(conn) < version:
                MIGRATIONS[version - 1](conn)
                conn.execute(f"PRAGMA user_version = {version}")
                applied.append(version)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied
