"""What changed between two versions of a case, field by field, in words a physician reads:
``total dose 50.4 → 50 Gy``, ``end date (radiotherapy 2) 2025-03-07 → 2025-03-10``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from letterdesk.core.cases.case import Case

_LABELS = {
    "icd10": "ICD-10",
    "tnm": "TNM",
    "uicc_stage": "UICC stage",
    "ctcae_grade": "CTCAE grade",
    "text": "diagnosis",
    "term": "toxicity",
    "value": "performance status",
}
_SKIPPED = ("schema_version",)


@dataclass(frozen=True)
class Change:
    """One field that differs: its label and the value before and after ("" where absent)."""

    path: str
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        unit = " Gy" if self.path.endswith("_gy") else ""
        before, after = self.before or "–", self.after or "–"
        return f"{self.label} {before} → {after}{unit if self.after else ''}"


def case_changes(before: Case, after: Case) -> list[Change]:
    """Every field whose value differs between two versions of a case, in document order."""
    old, new = dict(_leaves(before.data)), dict(_leaves(after.data))
    paths = list(old) + [p for p in new if p not in old]
    several = {
        k
        for d in (before.data, after.data)
        for k, v in d.items()
        if isinstance(v, list) and len(v) > 1
    }
    return [
        Change(path, _label(path, several), _shown(old.get(path)), _shown(new.get(path)))
        for path in paths
        if old.get(path) != new.get(path)
    ]


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in _SKIPPED:
                yield from _leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, f"{path}[{index}]")
    else:
        yield path, value


def _label(path: str, several: set[str]) -> str:
    """``radiotherapy[1].total_dose_gy`` → ``total dose (radiotherapy 2)``; the item is named
    only where a version has ``several`` items in that list."""
    *parents, leaf = path.split(".")
    name = leaf.split("[")[0]
    words = _LABELS.get(name, name.removesuffix("_gy").replace("_", " "))
    where = [p for p in parents if "[" in p]
    if "[" in leaf:  # an item of a list of texts (recommendations)
        where.append(leaf)
    if where:
        list_name, index = where[-1].rstrip("]").split("[")
        if list_name in several:
            words += f" ({list_name.replace('_', ' ')} {int(index) + 1})"
    return words


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
