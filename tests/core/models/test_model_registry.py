"""The registry of model versions: register a file with its lineage, file a candidate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models import registry as model_registry
from letterdesk.core.store import model_versions
from letterdesk.core.store.database import Store


@pytest.fixture
def store(store_location, monkeypatch):
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "registry-test-passphrase")
    with Store(store_location) as opened:  # each back end
        yield opened


def candidate(tmp_path: Path, model: Path, promote: bool, compared: str | None) -> Path:
    path = tmp_path / f"candidate-{promote}-{compared}.json"
    lineage = {
        "dataset": {"manifest_sha256": "ab" * 32},
        "hyperparameters": {"lora_r": 16},
        "evaluation": {"new": {"rougeL": 0.6}, "current": {"rougeL": 0.5},
                       "current_sha256": compared, "current_adapter": None},
    }  # fmt: skip
    decision = {"promote": promote, "reason": "Made the default." if promote else "Kept."}
    path.write_text(json.dumps({"format": 1, "version": "ft-1", "model_path": str(model),
                                "adapter_path": None, "lineage": lineage,
                                "decision": decision}), encoding="utf-8")  # fmt: skip
    return path


def test_a_registered_version_keeps_its_lineage_and_is_not_the_default(store, tiny_gguf):
    version = model_registry.register_version(
        store, tiny_gguf, version_label="ft-7", lineage={"dataset": {"manifest_sha256": "x"}}
    )
    assert version.version == "ft-7" and not version.is_default
    assert version.lineage["dataset"] == {"manifest_sha256": "x"}
    assert "mtime_ns" in version.lineage  # what model_identity records, kept alongside
    assert model_versions.default_version(store) is None
    assert model_versions.versions(store) == [version]


def test_a_candidate_is_promoted_only_if_decided_and_the_default_is_unchanged(
    store, tiny_gguf, tmp_path
):
    kept = model_registry.register_candidate(store, candidate(tmp_path, tiny_gguf, False, None))
    assert not kept.promoted and not kept.version.is_default and kept.reason == "Kept."

    done = model_registry.register_candidate(store, candidate(tmp_path, tiny_gguf, True, None))
    assert done.promoted and model_versions.default_version(store).id == done.version.id
    assert done.version.decision["promote"] is True

    # compared with another model than the default it would now replace: not promoted
    other = tmp_path / "other.gguf"
    shutil.copy(tiny_gguf, other)
    with other.open("ab") as handle:
        handle.write(b"\0" * 32)
    stale = model_registry.register_candidate(store, candidate(tmp_path, other, True, "0" * 64))
    assert not stale.promoted and "changed while" in stale.reason
    assert model_versions.default_version(store).id == done.version.id


def test_a_candidate_filed_without_promotion_says_whether_it_may_be_promoted(
    store, tiny_gguf, tmp_path
):
    kept = model_registry.register_candidate(
        store, candidate(tmp_path, tiny_gguf, False, None), auto_promote=False
    )
    assert not kept.promotable and not kept.promoted and kept.reason == "Kept."

    path = candidate(tmp_path, tiny_gguf, True, None)
    asked = model_registry.register_candidate(store, path, auto_promote=False)
    assert asked.promotable and not asked.promoted and not asked.version.is_default
    assert model_versions.default_version(store) is None

    # the user agreed: filed again, now promoted; filing it once more changes nothing
    agreed = model_registry.register_candidate(store, path)
    assert agreed.promoted and agreed.version.id == asked.version.id and agreed.version.is_default
    again = model_registry.register_candidate(store, path, auto_promote=False)
    assert again.promoted and again.version.is_default
    promotions = store.conn.execute(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'promote_model'"
    ).fetchone()[0]
    assert promotions == 1


def test_an_unreadable_candidate_is_a_clear_error(store, tmp_path):
    broken = tmp_path / "candidate.json"
    broken.write_text('{"format": 1}', encoding="utf-8")
    with pytest.raises(ModelError, match="incomplete: model_path, lineage, decision"):
        model_registry.register_candidate(store, broken)
