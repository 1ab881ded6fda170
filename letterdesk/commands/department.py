"""``letterdesk store``: set up the department store on the hospital's PostgreSQL server.

``letterdesk store init [URL]`` creates (or updates) the schema, the four roles, their grants
and row rules; ``letterdesk store grant USER --role physician|rater|admin|drafter`` and ``revoke``
manage who may do what. IT runs them as the database's owner. ``letterdesk store login``
asks a physician for their database password once and keeps it in the system keyring.
Without URL: the store that ``LETTERDESK_STORE`` or the site configuration's ``store_url``
names.
"""

from __future__ import annotations

import argparse
import sys

ROLE_CHOICES = ("physician", "rater", "admin", "drafter")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``store init``, ``store grant`` and ``store revoke``."""
    parser = sub.add_parser("store", help="set up the department store (PostgreSQL)")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init",
        help="create or update the department store's schema and roles",
        description="Create the schema (or migrate it to this version), the roles "
        "letterdesk_physician, letterdesk_rater and letterdesk_admin, their grants and row "
        "rules. Run as the database's owner; safe to run again after an update.",
    )
    init.add_argument("url", nargs="?", help="postgresql://host/database?sslmode=verify-full")
    init.set_defaults(run=_run_init)
    migrate = actions.add_parser(
        "migrate",
        help="copy this workstation's store into the department store",
        description="Copy the encrypted store file (cases with every version, letters with every "
        "revision, ratings, models, studies, the audit trail) into the department store in one "
        "transaction and print what was copied. The source's audit log must verify; its entries "
        "are chained onto the department's. Running it again copies only what is new. Run as "
        "the database's owner.",
    )
    migrate.add_argument("--to", required=True, dest="url", help="the department store URL")
    migrate.add_argument("--from", dest="source", help="the store file (default: this user's)")
    migrate.set_defaults(run=_run_migrate)
    login = actions.add_parser(
        "login",
        help="keep this computer's database password in the system keyring",
        description="Ask for the password of the store URL's login, check it by opening the "
        "department store, then keep it in the system keyring for LetterDesk.",
    )
    login.add_argument("--url", help="the department store (default: as configured)")
    login.set_defaults(run=_run_login)
    for name, verb in (
        ("grant", "give a database login"),
        ("revoke", "take from a database login"),
    ):
        action = actions.add_parser(name, help=f"{verb} a LetterDesk role")
        action.add_argument("user", help="the database login (created if missing, on grant)")
        action.add_argument("--role", required=True, choices=ROLE_CHOICES)
        action.add_argument("--url", help="the department store (default: as configured)")
        action.set_defaults(run=_run_grant if name == "grant" else _run_revoke)


def _target(url: str | None) -> tuple[str, bool]:
    from letterdesk.core.foundation.errors import StoreError
    from letterdesk.core.foundation.settings import load_site_settings
    from letterdesk.core.store.database import store_location

    location = store_location(url)
    if not isinstance(location, str):
        raise StoreError(
            "No department store is configured.",
            "Give its URL, or set store_url in the site configuration (or LETTERDESK_STORE).",
        )
    return location, load_site_settings().allow_plain_store_connection


def _run_init(args: argparse.Namespace) -> int:
    from letterdesk.core.store import department, postgres

    url, allow_plain = _target(args.url)
    version = department.init(url, allow_plain=allow_plain)
    print(f"letterdesk: department store ready at {postgres.redact(url)}, schema {version}")
    return 0


def _run_grant(args: argparse.Namespace) -> int:
    from letterdesk.core.store import department

    url, allow_plain = _target(args.url)
    department.grant(url, args.user, args.role, allow_plain=allow_plain)
    print(f"letterdesk: {args.user} may now act as {args.role}", file=sys.stderr)
    return 0


def _run_revoke(args: argparse.Namespace) -> int:
    from letterdesk.core.store import department

    url, allow_plain = _target(args.url)
    department.revoke(url, args.user, args.role, allow_plain=allow_plain)
    print(f"letterdesk: {args.user} no longer acts as {args.role}", file=sys.stderr)
    return 0


def _run_login(args: argparse.Namespace) -> int:
    import getpass

    from psycopg.conninfo import conninfo_to_dict

    from letterdesk.core.security import logins
    from letterdesk.core.store import postgres

    url, allow_plain = _target(args.url)
    params = conninfo_to_dict(url)
    password = getpass.getpass(f"Database password of {params.get('user', '')}: ")
    conn = postgres.connect(url, allow_plain=allow_plain, read_only=True, password=password)
    conn.close()  # it opened the store: worth keeping
    logins.save_password(params, password)
    print(f"letterdesk: password of {params.get('user')} kept in the system keyring")
    return 0


def _run_migrate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from letterdesk.core.foundation.paths import store_path
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.moving import move_in

    url, _ = _target(args.url)
    with Store(Path(args.source) if args.source else store_path()) as source, Store(url) as target:
        counts = move_in(source, target)
    for kind, count in counts.items():
        print(f"{kind}\t{count}")
    if not any(counts.values()):
        print("letterdesk: nothing new to copy: this store was moved in before", file=sys.stderr)
    return 0
