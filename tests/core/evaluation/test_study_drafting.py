"""Drafting a blinded study's letters (letterdesk.core.evaluation.study_drafting) with real tiny
models: each version loaded in turn, cancelled and resumed."""

from __future__ import annotations

from pathlib import Path

import pytest

from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.evaluation.metrics import evaluate
from letterdesk.core.evaluation.study import create_study
from letterdesk.core.evaluation.study_drafting import draft_study
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.models.identity import identify, register
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import revision
from letterdesk.core.store.studies import load_study
from tests.core.evaluation.test_study import add_cases


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


@pytest.fixture(scope="module")
def two_versions(tiny_checkpoint, tmp_path_factory) -> tuple[Path, Path]:
    """The tiny checkpoint as F32 and as F16: two files, two versions of one model."""
    from training.convert import convert

    folder = tmp_path_factory.mktemp("versions")
    return (
        convert(tiny_checkpoint, folder / "v1.gguf", outtype="f32").path,
        convert(tiny_checkpoint, folder / "v2.gguf", outtype="f16").path,
    )


def test_drafting_loads_each_version_in_turn_and_can_be_cancelled_and_resumed(store, two_versions):
    cases = add_cases(store, 2)
    ids = [register(store, identify(read_header(path))) for path in two_versions]
    study = create_study(store, "f32 gegen f16", cases, ids, user="admin", seed=1)
    settings = EngineSettings(n_threads=1, max_context=2048)
    options = DecodingOptions(max_tokens=8)
    seen: list[tuple[int, int]] = []

    def stop_after_one() -> bool:
        return len(seen) >= 2  # (0, 4), then the first letter

    with pytest.raises(Interrupted):
        draft_study(
            store, study.id, settings, options=options, progress=lambda *p: seen.append(p),
            cancel=stop_after_one,
        )  # fmt: skip
    assert seen == [(0, 4), (1, 4)] and load_study(store, study.id).drafted == 1
    finished = draft_study(
        store, study.id, settings, options=options, progress=lambda *p: seen.append(p)
    )
    assert seen[2:] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert (finished.status, finished.drafted) == ("rating", 4)
    drafts = store.conn.execute("SELECT model_ref, revision_id FROM study_items").fetchall()
    assert sorted(model for model, _ in drafts) == sorted(ids * 2)
    assert all(revision(store, r).model_ref == m for m, r in drafts)
    assert evaluate(store).letters == ()  # the study's letters are not routine work
