"""Commands that protect the store: audit check, backup, restore, key rotation, provenance.

``letterdesk audit verify`` checks the audit log's hash chain (exit 1 naming the first entry
that was changed, removed or reordered). ``letterdesk backup FILE`` writes an encrypted
backup under a backup passphrase; ``letterdesk restore FILE`` checks one and puts it in place
of the store. ``letterdesk rotate-key`` re-encrypts the store with a new key.
``letterdesk provenance LETTER_ID --output FILE.json`` writes a letter's FHIR Provenance.
Passphrases are typed at the terminal (never echoed) or come from the environment:
``LETTERDESK_PASSPHRASE`` (the store's), ``LETTERDESK_NEW_PASSPHRASE``,
``LETTERDESK_BACKUP_PASSPHRASE``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from letterdesk.core.foundation.files import write_text_atomically
from letterdesk.startup import terminal_passphrase


def _backup_passphrase(path: Path, purpose: str) -> str:
    from letterdesk.core.security.passphrase import PassphraseRequest, ask_passphrase
    from letterdesk.core.store.backup import BACKUP_PASSPHRASE_ENV

    request = PassphraseRequest(purpose, path)
    return ask_passphrase(request, terminal_passphrase, BACKUP_PASSPHRASE_ENV)


# --- audit verify ------------------------------------------------------------------------------


def add_audit(sub: argparse._SubParsersAction) -> None:
    """Register ``audit verify``."""
    parser = sub.add_parser("audit", help="check the audit log")
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="check that no audit entry was changed, removed or reordered",
        description="Walk the audit log's hash chain from the first entry. Exit 0 when every "
        "entry holds, 1 naming the first entry that does not. Works while LetterDesk is open.",
    )
    verify.set_defaults(run=_run_audit_verify)


def _run_audit_verify(args: argparse.Namespace) -> int:
    from letterdesk.core.store.database import Store

    with Store(read_only=True) as store:
        check = store.verify_audit()
    if check.first_bad is None:
        print(f"audit log intact: {check.entries} entries, hash chain verified")
        return 0
    print(
        f"audit log BROKEN at entry {check.first_bad}: {check.reason}. Entries from there on "
        "cannot be trusted.",
        file=sys.stderr,
    )
    print(f"first bad entry: {check.first_bad}")
    return 1


# --- backup and restore ------------------------------------------------------------------------


def add_backup(sub: argparse._SubParsersAction) -> None:
    """Register ``backup FILE``."""
    parser = sub.add_parser(
        "backup",
        help="write an encrypted backup of the store",
        description="Write the whole store, encrypted under a backup passphrase (asked twice, "
        "or LETTERDESK_BACKUP_PASSPHRASE), to FILE. It can be restored on any computer with "
        "that passphrase. The backup is recorded in the audit log.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the backup file to write")
    parser.set_defaults(run=_run_backup)


def _run_backup(args: argparse.Namespace) -> int:
    from letterdesk.core.store.backup import write_backup
    from letterdesk.core.store.database import Store

    with Store() as store:
        passphrase = _backup_passphrase(args.file, "backup")
        info = write_backup(store, args.file, passphrase)
    print(f"{info.path}\t{info.sha256}")
    return 0


def add_restore(sub: argparse._SubParsersAction) -> None:
    """Register ``restore FILE``."""
    parser = sub.add_parser(
        "restore",
        help="check an encrypted backup and put it in place of the store",
        description="Check the backup completely (encryption, structure, audit chain), then "
        "replace the store with it in one step. LetterDesk must be closed. The restored "
        "store gets a new key on this computer.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="a file from `letterdesk backup`")
    parser.add_argument(
        "--replace", action="store_true", help="replace the existing store (its data is lost)"
    )
    parser.set_defaults(run=_run_restore)


def _run_restore(args: argparse.Namespace) -> int:
    from letterdesk.core.foundation.paths import store_path
    from letterdesk.core.store.backup import read_header, restore_backup

    read_header(args.file)  # a file that is no backup is named before any passphrase is asked
    passphrase = _backup_passphrase(args.file, "restore")
    info = restore_backup(args.file, passphrase, store_path(), replace=args.replace)
    print(f"restored {info.path} (written {info.created_at}) to {store_path()}")
    return 0


# --- rotate-key --------------------------------------------------------------------------------


def add_rotate_key(sub: argparse._SubParsersAction) -> None:
    """Register ``rotate-key``."""
    parser = sub.add_parser(
        "rotate-key",
        help="re-encrypt the store with a new key",
        description="Re-encrypt the store with a new random key in the system keyring, or "
        "with a key from a new passphrase. The old key stops working; backups keep their "
        "own passphrase.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--passphrase",
        dest="to_passphrase",
        action="store_true",
        default=None,
        help="derive the new key from a new passphrase (LETTERDESK_NEW_PASSPHRASE)",
    )
    where.add_argument(
        "--keyring",
        dest="to_passphrase",
        action="store_false",
        help="keep the new key in the system keyring",
    )
    parser.set_defaults(run=_run_rotate_key)


def _run_rotate_key(args: argparse.Namespace) -> int:
    from letterdesk.core.store import audit, keying
    from letterdesk.core.store.database import Store

    with Store() as store:
        path, connection = store.encrypted_file()
        staged = keying.rotate_key(connection, path, passphrase=args.to_passphrase)
        where = "keyring" if staged.in_keyring else "passphrase"
        with store.transaction() as conn:
            audit.append(conn, "rotate_key", "", {"key": where})
    print(f"letterdesk: the store has a new key ({where})", file=sys.stderr)
    return 0


# --- provenance --------------------------------------------------------------------------------


def add_provenance(sub: argparse._SubParsersAction) -> None:
    """Register ``provenance LETTER_ID --output FILE.json``."""
    parser = sub.add_parser(
        "provenance",
        help="write a letter's provenance as HL7 FHIR (R4) JSON",
        description="Write a FHIR Provenance resource for a letter: the model that drafted "
        "it (SHA-256), who changed and signed it, when, and from which case and draft.",
    )
    parser.add_argument("letter_id", type=int, metavar="LETTER_ID", help="the letter")
    parser.add_argument(
        "--revision",
        type=int,
        metavar="N",
        help="revision number N (default: the signed revision, else the newest)",
    )
    parser.add_argument(
        "--output", type=Path, required=True, metavar="FILE.json", help="the file to write"
    )
    parser.set_defaults(run=_run_provenance)


def _run_provenance(args: argparse.Namespace) -> int:
    from letterdesk.core.documents.provenance import provenance_json
    from letterdesk.core.foundation.errors import LetterDeskError, StoreError
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.letters import revisions

    with Store(read_only=True) as store:
        revision_id = None
        if args.revision is not None:
            numbers = {r.number: r.id for r in revisions(store, args.letter_id)}
            if args.revision not in numbers:
                raise StoreError(f"Letter {args.letter_id} has no revision {args.revision}.")
            revision_id = numbers[args.revision]
        text = provenance_json(store, args.letter_id, revision_id)
    try:
        write_text_atomically(args.output, text + "\n")
    except OSError as exc:
        raise LetterDeskError(
            f"The provenance file {args.output} cannot be written: {exc.strerror or exc}.",
            "Check that the folder exists and is writable.",
        ) from exc
    print(args.output)
    return 0
