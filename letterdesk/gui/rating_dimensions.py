"""The rating scale: dimensions and the anchored meaning of each of the 4 points (de + en).

Read from ``resources/rating_dimensions.json`` so a department can adapt the wording
without touching code. Every problem in the file is reported at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.paths import resource

SCORES = (1, 2, 3, 4)
LANGUAGES = ("en", "de")


@dataclass(frozen=True)
class Dimension:
    """One thing a letter is rated on, in both languages."""

    key: str
    label: dict[str, str]
    question: dict[str, str]
    anchors: dict[int, dict[str, str]]
    """Score → what it means, by language."""

    def text(self, part: str, language: str) -> str:
        """``label`` or ``question`` in the language (English if it has none)."""
        texts: dict[str, str] = getattr(self, part)
        return texts.get(language) or texts["en"]

    def anchor(self, score: int, language: str) -> str:
        """What ``score`` means on this dimension, in the language."""
        texts = self.anchors[score]
        return texts.get(language) or texts["en"]


def load_dimensions(path: Path | None = None) -> tuple[Dimension, ...]:
    """The dimensions from the file; ConfigurationError listing every problem."""
    path = path or resource("rating_dimensions.json")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"The rating scale {path} cannot be read: {exc}",
            "Restore resources/rating_dimensions.json from the LetterDesk installation.",
        ) from exc
    problems: list[str] = []
    dimensions = [_dimension(item, i, problems) for i, item in enumerate(document["dimensions"])]
    keys = [d.key for d in dimensions]
    if len(set(keys)) != len(keys):
        problems.append("a dimension key is used twice")
    if problems or not dimensions:
        raise ConfigurationError(
            f"The rating scale {path} is invalid: " + ("; ".join(problems) or "no dimensions"),
            "Each dimension needs a key, label, question and anchors 1-4, each in en and de.",
        )
    return tuple(dimensions)


def _texts(value: object, where: str, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(f"{where} must give texts by language")
        return {}
    missing = [lang for lang in LANGUAGES if not str(value.get(lang, "")).strip()]
    if missing:
        problems.append(f"{where} has no text in {', '.join(missing)}")
    return {str(k): str(v) for k, v in value.items()}


def _dimension(item: dict, index: int, problems: list[str]) -> Dimension:
    key = str(item.get("key", "")).strip()
    where = f"dimension {key or index + 1}"
    if not key:
        problems.append(f"dimension {index + 1} has no key")
    raw_anchors = item.get("anchors") or {}
    anchors = {}
    for score in SCORES:
        anchors[score] = _texts(raw_anchors.get(str(score)), f"{where}, point {score}", problems)
    return Dimension(
        key,
        _texts(item.get("label"), f"{where}, label", problems),
        _texts(item.get("question"), f"{where}, question", problems),
        anchors,
    )
