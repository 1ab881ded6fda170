"""Fixtures for the model toolchain: tiny random LLaMA checkpoints and their GGUF files.

Other test packages reuse them through `training.tiny.build_tiny_model` or these fixtures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Callable[..., Path]:
    """`tiny_model(**kwargs)`: `build_tiny_model` into a session directory, once per kwargs."""
    from training.tiny import build_tiny_model

    built: dict[tuple, Path] = {}

    def build(**kwargs) -> Path:
        key = tuple(sorted(kwargs.items()))
        if key not in built:
            built[key] = build_tiny_model(tmp_path_factory.mktemp("tiny"), **kwargs)
        return built[key]

    return build


@pytest.fixture(scope="session")
def tiny_gguf(tiny_model, tmp_path_factory) -> Callable[..., Path]:
    """`tiny_gguf(outtype="f32", **kwargs)`: the GGUF of `tiny_model(**kwargs)`, converted once."""
    from training.convert import convert

    converted: dict[tuple, Path] = {}

    def get(outtype: str = "f32", **kwargs) -> Path:
        key = (outtype, *sorted(kwargs.items()))
        if key not in converted:
            out = tmp_path_factory.mktemp("gguf") / f"tiny-{outtype}.gguf"
            converted[key] = convert(tiny_model(**kwargs), out, outtype=outtype).path
        return converted[key]

    return get
