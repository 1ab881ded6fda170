"""The models table: one row per model file and adapter, and the one default version."""

from __future__ import annotations

import json
import shutil

import pytest

from letterdesk.core.models import registry as model_registry
from letterdesk.core.store import model_versions
from letterdesk.core.store.database import Store


@pytest.fixture
def store(store_location):
    with Store(store_location) as opened:  # each back end
        yield opened


def add(store: Store, sha256: str, adapter: str | None = None, path: str = "/m/a.gguf") -> int:
    return model_versions.add_version(
        store, name="demo", version="1.0", path=path, sha256=sha256, size_bytes=10,
        quantization="Q8_0", architecture="llama", chat_template=None, adapter=adapter,
        lineage={"mtime_ns": 5},
    )  # fmt: skip


def test_a_file_and_adapter_get_one_row_and_a_server_model_is_not_verified(store):
    plain = add(store, "a" * 64)
    assert add(store, "a" * 64) == plain  # known: the same row, nothing added
    with_adapter = add(store, "a" * 64, adapter="b" * 64)
    assert with_adapter != plain
    served = add(store, "unverified:" + "c" * 64, path="http://127.0.0.1:8080")
    found = model_versions.versions_of_file(store, "/m/a.gguf", 10)
    assert sorted(v.id for v in found) == [plain, with_adapter]
    assert model_versions.versions_of_file(store, "/m/a.gguf", 11) == []
    assert [v.id for v in model_versions.versions(store)] == [served, with_adapter, plain]
    assert model_versions.version(store, plain).verified
    assert not model_versions.version(store, served).verified
    added = store.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'register_model'"
    ).fetchone()[0]
    assert added == 3


def test_promotion_switches_the_one_default_and_is_audited(store, tiny_gguf, tmp_path):
    copy = tmp_path / "other.gguf"
    shutil.copy(tiny_gguf, copy)
    with copy.open("ab") as handle:  # another file: another hash
        handle.write(b"\0" * 32)
    first = model_registry.register_version(store, tiny_gguf)
    second = model_registry.register_version(store, copy)
    model_versions.promote(store, first.id, reason="initial")
    model_versions.promote(store, second.id, reason="better on held-out letters")
    defaults = [v.id for v in model_versions.versions(store) if v.is_default]
    assert defaults == [second.id]
    row = store.conn.execute(
        "SELECT details FROM audit_log WHERE action = 'promote_model' ORDER BY id DESC"
    ).fetchone()
    assert json.loads(row[0]) == {"previous": [first.id], "reason": "better on held-out letters",
                                  "path": second.path}  # fmt: skip
    assert store.verify_audit().first_bad is None
