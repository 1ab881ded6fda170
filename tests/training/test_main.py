"""python -m training: every subcommand is a module whose cli(argv) returns the exit code."""

from __future__ import annotations

import importlib
import inspect

from training.__main__ import SUBCOMMANDS, main


def test_every_subcommand_has_one_entry_point_named_cli():
    for subcommand, module_name in SUBCOMMANDS.items():
        cli = getattr(importlib.import_module(module_name), "cli", None)
        assert callable(cli), f"{subcommand}: {module_name} has no cli(argv)"
        assert list(inspect.signature(cli).parameters) == ["argv"], subcommand


def test_an_unknown_subcommand_is_a_usage_error(capsys):
    assert main(["no-such-command"]) == 2
    assert "usage: python -m training {convert, quantize" in capsys.readouterr().err
