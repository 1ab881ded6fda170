"""What every ``letterdesk`` process does first, before any command or the window runs: go
offline (:mod:`letterdesk.core.security.netguard`) and ask for the store's passphrase at the
terminal when no keyring holds its key (the window then puts its own dialog in its place).
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

_PROMPTS = {
    "unlock": "Passphrase of the letter store {name}: ",
    "create": "New passphrase for the letter store {name}: ",
    "backup": "Passphrase for the backup {name} (needed to restore it): ",
    "restore": "Passphrase of the backup {name}: ",
}


def prepare_process() -> None:
    """What every ``letterdesk`` process does first: go offline, ask passphrases at the terminal."""
    from letterdesk.core.security import netguard, passphrase

    netguard.offline_environment()
    passphrase.use_passphrase_provider(terminal_passphrase)


def terminal_passphrase(request: Any) -> str | None:
    """Ask at the terminal (twice for a new passphrase); None without a terminal or on mismatch."""
    if not sys.stdin.isatty():
        return None
    prompt = _PROMPTS[request.purpose].format(name=request.subject.name)
    if request.retry:
        print("letterdesk: that passphrase is not correct", file=sys.stderr)
    first = getpass.getpass(prompt)
    if request.confirm and getpass.getpass("Type it again: ") != first:
        print("letterdesk: the two passphrases differ", file=sys.stderr)
        return None
    return first
