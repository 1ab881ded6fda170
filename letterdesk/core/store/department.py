"""Who may do what in the department store: four roles, enforced by PostgreSQL itself.

``letterdesk store init URL`` (run by IT as the database's owner) creates the schema and the
roles; ``letterdesk store grant USER --role ...`` lets a database login act as one. The rights
are grants and row-level security, so they hold for any client, not only for LetterDesk:

- **physician**: the desk — cases, letters, revisions, ratings of letters at the desk; signs.
- **rater**: the letters of the studies assigned to them, and their own ratings; the models
  table, the model and prompt of each letter, and the audit log are closed to them.
- **admin**: registers models and chooses the default, opens and completes studies.
- **drafter**: the service that writes drafts ahead where the model runs (``letterdesk
  write-ahead`` on the department server): reads cases and letters, writes draft letters —
  never a correction, a sign-off or a rating.

Nobody's login may update or delete the audit log. Who acted is the database login: an entry,
rating, correction or sign-off written under another name is refused by the database.
"""

from __future__ import annotations

import re

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import migrations, postgres

ROLES = dict(zip(("physician", "rater", "admin", "drafter"), postgres.APP_ROLES, strict=True))
_APP_ROLES = ", ".join(ROLES.values())
_IS_APP_USER = postgres.IS_APP_USER_SQL
# a rater's letters: the revisions of the study items dealt to them
_ASSIGNED = (
    "EXISTS (SELECT 1 FROM study_items si JOIN study_assignments a ON a.item_id = si.id"
    " WHERE a.rater = session_user AND {match})"
)
# a study's ratings are its owner's to see, once the study is completed
_STUDY_RATING_VISIBLE = (
    "(rater = session_user OR NOT EXISTS (SELECT 1 FROM study_items si"
    " WHERE si.revision_id = ratings.revision_id) OR EXISTS (SELECT 1 FROM study_items si"
    " JOIN studies s ON s.id = si.study_id WHERE si.revision_id = ratings.revision_id"
    " AND s.created_by = session_user AND s.status = 'completed'))"
)

# (table, column, events, when): the column must name the login that writes the row
_IDENTITY = (
    ("audit_log", '"user"', "INSERT", "TRUE"),
    ("ratings", "rater", "INSERT OR UPDATE", "TRUE"),
    ("letters", "signed_by", "UPDATE", "NEW.signed_by IS NOT NULL"),
    ("revisions", "author", "INSERT", "NEW.kind = 'correction'"),
    ("studies", "created_by", "INSERT", "TRUE"),
    ("case_versions", "created_by", "INSERT", "TRUE"),
    ("study_assignments", "rater", "INSERT", "TRUE"),
)

_GRANTS = (
    # what an earlier version granted goes first (column rights go with the table's)
    "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {all}",
    "GRANT SELECT ON letterdesk_schema TO {all}",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {all}",
    # raters append to the log but do not read it: it names models and every case
    "GRANT INSERT ON audit_log TO {all}",
    "GRANT SELECT ON audit_log TO letterdesk_physician, letterdesk_admin",
    "GRANT SELECT (id) ON audit_log TO letterdesk_rater",  # INSERT … RETURNING id
    # physician: the desk
    "GRANT SELECT, INSERT, UPDATE ON cases, ratings TO letterdesk_physician",
    "GRANT SELECT, INSERT ON case_versions, letters, revisions TO letterdesk_physician",
    "GRANT UPDATE (signed_revision_id, signed_by, signed_at) ON letters TO letterdesk_physician",
    "GRANT SELECT ON models, studies, study_items, study_assignments TO letterdesk_physician",
    # rater: their study letters, blinded (no model), and their ratings
    "GRANT SELECT ON cases, case_versions, studies TO letterdesk_rater",
    # blinded: neither the model a letter came from nor its prompt
    "GRANT SELECT (id, letter_id, number, kind, text, author, created_at, editing_seconds,"
    " slotted, case_version_ref, based_on, client_ref) ON revisions TO letterdesk_rater",
    "GRANT SELECT (id, study_id, case_ref, revision_id) ON study_items TO letterdesk_rater",
    "GRANT SELECT, INSERT ON study_assignments TO letterdesk_rater",  # dealt on first use
    "GRANT SELECT, INSERT, UPDATE ON ratings TO letterdesk_rater",
    # admin: models, studies (its drafts are letters and revisions too)
    "GRANT SELECT, INSERT, UPDATE ON models, studies, study_items, study_assignments"
    " TO letterdesk_admin",
    "GRANT SELECT, INSERT ON cases, case_versions, letters, revisions TO letterdesk_admin",
    "GRANT SELECT ON ratings TO letterdesk_admin",
    # drafter: reads the worklist (and the log, which says what waits unopened), adds drafts
    "GRANT SELECT ON audit_log, cases, case_versions, letters, revisions, models, study_items"
    " TO letterdesk_drafter",
    "GRANT INSERT ON letters, revisions TO letterdesk_drafter",
)

_DESK = "letterdesk_physician, letterdesk_admin"
# a rating a rater may write: on a letter dealt to them, in a study being rated
_RATEABLE = (
    "rater = session_user AND EXISTS (SELECT 1 FROM study_items si JOIN study_assignments a"
    " ON a.item_id = si.id JOIN studies s ON s.id = si.study_id WHERE si.revision_id ="
    " ratings.revision_id AND a.rater = session_user AND s.status = 'rating')"
)
_DEALABLE = (
    "rater = session_user AND EXISTS (SELECT 1 FROM study_items si JOIN studies s"
    " ON s.id = si.study_id WHERE si.id = study_assignments.item_id AND s.status = 'rating')"
)
_MINE = "rater = session_user"
# (table, roles, command, USING, WITH CHECK); permissive policies of one role add up
_POLICIES = (
    ("revisions", _DESK, "ALL", "TRUE", "TRUE"),
    ("revisions", "letterdesk_rater", "SELECT",
     _ASSIGNED.format(match="si.revision_id = revisions.id"), None),
    ("revisions", "letterdesk_drafter", "SELECT", "TRUE", None),
    ("revisions", "letterdesk_drafter", "INSERT", None, "kind = 'draft'"),
    ("cases", "letterdesk_drafter", "SELECT", "TRUE", None),
    ("case_versions", "letterdesk_drafter", "SELECT", "TRUE", None),
    ("cases", _DESK, "ALL", "TRUE", "TRUE"),
    ("cases", "letterdesk_rater", "SELECT", _ASSIGNED.format(match="si.case_ref = cases.id"), None),
    ("case_versions", _DESK, "ALL", "TRUE", "TRUE"),
    ("case_versions", "letterdesk_rater", "SELECT",
     _ASSIGNED.format(match="si.case_ref = case_versions.case_ref"), None),
    ("study_assignments", _DESK, "ALL", "TRUE", "TRUE"),
    ("study_assignments", "letterdesk_rater", "SELECT", _MINE, None),
    ("study_assignments", "letterdesk_rater", "INSERT", None, _DEALABLE),
    ("ratings", _DESK, "SELECT", _STUDY_RATING_VISIBLE, None),
    ("ratings", _DESK, "INSERT", None, _MINE),
    ("ratings", _DESK, "UPDATE", _MINE, _MINE),
    ("ratings", "letterdesk_rater", "SELECT", _MINE, None),
    ("ratings", "letterdesk_rater", "INSERT", None, _RATEABLE),
    ("ratings", "letterdesk_rater", "UPDATE", _MINE, _RATEABLE),
)  # fmt: skip


def _role_sql() -> list[str]:
    statements = [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}')"
        f" THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        for role in ROLES.values()
    ]
    statements.append(
        "CREATE OR REPLACE FUNCTION letterdesk_identity() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE given text := to_jsonb(NEW) ->> TG_ARGV[0]; BEGIN"
        f" IF ({_IS_APP_USER}) AND given IS DISTINCT FROM session_user::text THEN"
        " RAISE EXCEPTION 'LetterDesk records who acted as the database login %, not %',"
        " session_user, given USING ERRCODE = 'insufficient_privilege'; END IF;"
        " RETURN NEW; END $$"
    )
    for table, column, events, when in _IDENTITY:
        name = f"{table}_{column.strip(chr(34))}_is_the_login"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} BEFORE {events} ON {table} FOR EACH ROW"
            f" WHEN ({when}) EXECUTE FUNCTION letterdesk_identity('{column.strip(chr(34))}')",
        ]
    statements += [g.format(all=_APP_ROLES) for g in _GRANTS]
    for table in {t for t, *_ in _POLICIES}:
        statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    statements.append(  # the rules of an earlier version go first: none may linger
        "DO $$ DECLARE p record; BEGIN FOR p IN SELECT policyname, tablename FROM pg_policies"
        " WHERE policyname LIKE 'letterdesk\\_%' LOOP"
        " EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename); END LOOP; END $$"
    )
    for index, (table, roles, command, using, check) in enumerate(_POLICIES):
        rule = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
        statements.append(
            f"CREATE POLICY letterdesk_{table}_{index} ON {table} FOR {command} TO {roles}{rule}"
        )
    return statements


def init(url: str, *, allow_plain: bool = False) -> int:
    """Create or update the department store's schema, roles, grants and row rules; returns
    the schema version. Run by the database's owner; safe to run again (after an update)."""
    conn = postgres.connect(url, allow_plain=allow_plain)
    try:
        postgres.prepare(conn, again=True)  # functions of this version replace earlier ones
        migrations.migrate(conn)
        conn.execute("BEGIN")
        try:
            for statement in _role_sql():
                conn.raw.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return migrations.schema_version(conn)
    finally:
        conn.close()


_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.@-]{0,62}")


def _checked(user: str, role: str) -> tuple[str, str]:
    if role not in ROLES:
        raise StoreError(f"There is no role {role!r}; the roles are {', '.join(ROLES)}.")
    if not _LOGIN.fullmatch(user):
        raise StoreError(f"{user!r} is not a database login name LetterDesk accepts.")
    return user, ROLES[role]


def grant(url: str, user: str, role: str, *, allow_plain: bool = False) -> None:
    """Let the login ``user`` (created without a password if it does not exist: IT sets one,
    or the hospital's Kerberos signs it in) act as ``role``."""
    from psycopg import sql

    user, group = _checked(user, role)
    conn = postgres.connect(url, allow_plain=allow_plain)
    try:
        exists = conn.raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
        if not exists:
            conn.raw.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(user)))
        conn.raw.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(user))
        )
    finally:
        conn.close()


def revoke(url: str, user: str, role: str, *, allow_plain: bool = False) -> None:
    """Take ``role`` from the login ``user`` (the login and its history stay)."""
    from psycopg import sql

    user, group = _checked(user, role)
    conn = postgres.connect(url, allow_plain=allow_plain)
    try:
        conn.raw.execute(
            sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), sql.Identifier(user))
        )
    finally:
        conn.close()
