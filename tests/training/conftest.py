"""Fixtures for the model toolchain: tiny random LLaMA checkpoints and their GGUF files, and a
base and signed letters to fine-tune on.

Other test packages reuse them through `training.tiny.build_tiny_model` or these fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.training.helpers import STORE_PASSPHRASE

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


@pytest.fixture(scope="module")
def tiny_base(tiny_model, tmp_path_factory) -> Path:
    """The tiny random LLaMA, with a context long enough for a whole prompt and letter."""
    folder = tmp_path_factory.mktemp("base") / "tiny-base"
    shutil.copytree(tiny_model(), folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["max_position_embeddings"] = 4096
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> Path:
    """A store with 12 corrected, signed letters and the dataset exported from it."""
    from letterdesk.core.synthetic.generator import generate_case
    from training.dataset import DatasetArgs
    from training.dataset import main as export_dataset
    from training.experiment import sign_corrected_letters

    folder = tmp_path_factory.mktemp("letters")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LETTERDESK_PASSPHRASE", STORE_PASSPHRASE)
        cases = [generate_case(41, i) for i in range(12)]
        sign_corrected_letters(folder / "store.sqlite3", cases)
        export_dataset(
            DatasetArgs(folder / "data", folder / "store.sqlite3", 0.2, include_synthetic=True)
        )
    return folder
