"""A model's identity: a file registered in the store is not hashed again."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from letterdesk.core.models import identity as model_identity
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.models.identity import identify, recall_known_hash, register
from letterdesk.core.store.database import Store


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "identity-test-passphrase")
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def test_a_registered_file_is_not_hashed_again(store, tiny_gguf, tmp_path, monkeypatch):
    model = tmp_path / "model.gguf"
    shutil.copy(tiny_gguf, model)
    known = identify(read_header(model))
    register(store, replace(known, sha256="ab" * 32))  # the row says what the hash was
    monkeypatch.setattr(model_identity, "_HASHES", {})  # a new process: nothing in memory

    recall_known_hash(store, model)
    assert identify(read_header(model)).sha256 == "ab" * 32

    model.write_bytes(model.read_bytes() + b"\0")  # changed: hashed again
    recall_known_hash(store, model)
    assert identify(read_header(model)).sha256 != "ab" * 32


def test_a_missing_file_has_nothing_to_recall(store, tmp_path):
    recall_known_hash(store, tmp_path / "missing.gguf")  # nothing to recall, no error
