"""python -m training SUBCOMMAND ...: the model toolchain the app runs as a subprocess."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# subcommand → module; each module's cli(argv) takes the remaining argv and returns an exit code.
# A module is imported only when its subcommand runs, so `quantize` never loads torch.
SUBCOMMANDS = {
    "convert": "training.convert",
    "quantize": "training.quantize",
    "lora-export": "training.lora",
    "merge": "training.merge",
    "demo-model": "training.demo_model",
    "dataset": "training.dataset",
    "finetune": "training.finetune",
    "promote": "training.promote",
    "experiment": "training.experiment",
}

SYNTHETIC_ONLY = ("demo-model", "experiment")
"""Subcommands that never see a patient's letter: what they write may be readable by all."""


def main(argv: Sequence[str] | None = None) -> int:
    from letterdesk.core.security.netguard import offline_environment  # no downloads, no telemetry

    offline_environment()
    take_passphrase_from_stdin()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in SUBCOMMANDS:
        known = ", ".join(SUBCOMMANDS)
        print(f"usage: python -m training {{{known}}} ...  (each takes --help)", file=sys.stderr)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    if args[0] not in SYNTHETIC_ONLY:
        # everything a run writes (pseudonymised letters, adapters, models trained on letters)
        # is for this user only: files 0600, folders 0700
        os.umask(0o077)
    return int(importlib.import_module(SUBCOMMANDS[args[0]]).cli(args[1:]))


def take_passphrase_from_stdin() -> None:
    """Where the app handed the store's passphrase or key through the pipe (not the
    environment), read it: the passphrase answers the store's question, the key is kept for
    the store as the app kept it."""
    from letterdesk.core.security import encryption, passphrase

    kind = os.environ.pop(passphrase.PASSPHRASE_STDIN_ENV, "")
    if kind not in ("1", "key"):
        return
    secret = sys.stdin.readline().rstrip("\n")
    if kind == "key":
        handed = json.loads(secret)
        encryption.remember(Path(handed["store"]), bytes.fromhex(handed["key"]))
    else:
        passphrase.use_passphrase_provider(lambda request: None if request.retry else secret)


if __name__ == "__main__":
    sys.exit(main())
