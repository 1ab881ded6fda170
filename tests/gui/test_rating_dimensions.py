"""The rating scale file: four dimensions, each point anchored in German and English."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.paths import resource
from letterdesk.core.store.ratings import DEFAULT_DIMENSIONS
from letterdesk.gui.rating_dimensions import load_dimensions


def test_the_bundled_scale_has_the_default_dimensions_in_both_languages():
    dimensions = load_dimensions()
    assert tuple(d.key for d in dimensions) == DEFAULT_DIMENSIONS
    for dimension in dimensions:
        for language in ("de", "en"):
            assert dimension.text("label", language) and dimension.text("question", language)
            anchors = [dimension.anchor(score, language) for score in (1, 2, 3, 4)]
            assert len(set(anchors)) == 4
    assert load_dimensions()[0].text("label", "de") == "Sachliche Richtigkeit"


def test_every_problem_in_a_broken_file_is_named(tmp_path):
    document = json.loads(resource("rating_dimensions.json").read_text(encoding="utf-8"))
    del document["dimensions"][0]["anchors"]["2"]
    document["dimensions"][1]["label"].pop("de")
    document["dimensions"][2]["key"] = "completeness"
    path = tmp_path / "dimensions.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_dimensions(path)
    message = raised.value.message
    assert "factual_correctness, point 2" in message
    assert "completeness, label has no text in de" in message
    assert "used twice" in message
