"""python -m training SUBCOMMAND ...: the model toolchain the app runs as a subprocess."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

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


def main(argv: Sequence[str] | None = None) -> int:
    from letterdesk.core.security.netguard import offline_environment  # no downloads, no telemetry

    offline_environment()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in SUBCOMMANDS:
        known = ", ".join(SUBCOMMANDS)
        print(f"usage: python -m training {{{known}}} ...  (each takes --help)", file=sys.stderr)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    return int(importlib.import_module(SUBCOMMANDS[args[0]]).cli(args[1:]))


if __name__ == "__main__":
    sys.exit(main())
