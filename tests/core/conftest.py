"""Fixtures for core tests that need a real model: one tiny GGUF built once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TINY_CONTEXT = 2048  # long enough for a whole case prompt (~550 tokens) and a long letter


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A random-weight LLaMA checkpoint (Hugging Face format) with LetterDesk's chat template."""
    from training.tiny import build_tiny_model

    folder = build_tiny_model(tmp_path_factory.mktemp("tiny") / "tiny-llama")
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["max_position_embeddings"] = TINY_CONTEXT
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_gguf(tiny_checkpoint, tmp_path_factory) -> Path:
    """The tiny checkpoint converted to a float32 GGUF that llama.cpp runs in milliseconds."""
    from training.convert import convert

    out = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
    convert(tiny_checkpoint, out, outtype="f32")
    return out
