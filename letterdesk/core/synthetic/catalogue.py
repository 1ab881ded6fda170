"""The catalogue behind the synthetic-case generator: tumour sites, schedules, terms, names.

The data lie in ``resources/synthetic/catalogue.toml``, where everything is invented for
synthetic data and each key is explained; this module reads them, once, into the immutable
objects below. Texts are bilingual, written ``"deutsch|english"``; ``{side}``, ``{lesion}`` and
``{r}`` are filled in per case. Internal to :mod:`letterdesk.core.synthetic.generator`.
"""

from __future__ import annotations

import tomllib
from typing import Any, NamedTuple

from letterdesk.core.foundation.paths import resource


class _Course(NamedTuple):
    target: str
    dose_per_fraction: float
    fractions: tuple[int, ...]
    techniques: tuple[str, ...]
    concurrent: tuple[str, ...] = ()
    every_other_day: bool = False


class _Step(NamedTuple):
    kind: str
    chance: float
    gap_days: tuple[int, int]
    texts: tuple[str, ...]
    lasts_days: int = 0


class _Primary(NamedTuple):
    icd10: str
    text: str
    histology: str
    lateral: bool
    surgery: str
    systemic: str
    sexes: tuple[int, int, int, int] = (48, 48, 2, 2)


class _Site(NamedTuple):
    diagnoses: tuple[tuple[str, str], ...]
    histologies: tuple[str, ...]
    plans: tuple[tuple[_Course, ...], ...]
    history: tuple[_Step, ...]
    acute: str
    late: str
    advice: tuple[str, ...]
    follow_exam: str
    follow_findings: tuple[str, ...]
    initial_findings: tuple[str, ...]
    referrer: str
    gradings: tuple[str, ...] = ("G2", "G3")
    stages: tuple[tuple[str, str], ...] = ()
    lesions: tuple[str, ...] = ("",)
    primaries: tuple[_Primary, ...] = ()
    lateral: bool = False
    sexes: tuple[int, int, int, int] = (48, 48, 2, 2)
    kps: bool = False
    weight: int = 1


# --- reading the catalogue --------------------------------------------------------------------


def _frozen(value: Any) -> Any:
    """``value`` with every list in it a tuple: the catalogue never changes."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return value


def _sites(tables: tuple[dict[str, Any], ...]) -> tuple[_Site, ...]:
    """The ``[[sites]]`` in order; a site ``based_on`` an earlier one takes the keys it lacks."""
    sites: dict[str, _Site] = {}
    for table in tables:
        fields = dict(table)
        name, based_on = fields.pop("name"), fields.pop("based_on", None)
        if name in sites:
            raise ValueError(f"synthetic catalogue: two sites are called {name!r}")
        if "history" in fields:
            fields["history"] = tuple(_Step(**step) for step in fields["history"])
        if "plans" in fields:
            fields["plans"] = tuple(
                tuple(_Course(**course) for course in plan["courses"]) for plan in fields["plans"]
            )
        if "primaries" in fields:
            fields["primaries"] = tuple(_Primary(**primary) for primary in fields["primaries"])
        sites[name] = sites[based_on]._replace(**fields) if based_on else _Site(**fields)
    return tuple(sites.values())


def _read() -> dict[str, Any]:
    with resource("synthetic", "catalogue.toml").open("rb") as file:
        data: dict[str, Any] = _frozen(tomllib.load(file))
    return data


_DATA = _read()

_TOX: dict[str, str] = _DATA["toxicities"]
_TECH: dict[str, str] = _DATA["techniques"]
_DRUG: dict[str, str] = _DATA["drugs"]
_GENERIC_ADVICE: tuple[str, ...] = _DATA["phrases"]["generic_advice"]
_INITIAL_ADVICE: tuple[str, ...] = _DATA["phrases"]["initial_advice"]
_CHEMO_ADVICE: str = _DATA["phrases"]["chemotherapy_advice"]
_FINAL_FINDINGS: tuple[str, ...] = _DATA["phrases"]["final_findings"]
_NOTES: tuple[str, ...] = _DATA["phrases"]["notes"]
_SITES = _sites(_DATA["sites"])
_SEXES: tuple[str, ...] = _DATA["people"]["sexes"]
_GIVEN: dict[str, tuple[str, ...]] = _DATA["people"]["given_names"]
_FAMILY: tuple[str, ...] = _DATA["people"]["family_names"]
_TITLES: dict[str, tuple[str, ...]] = _DATA["people"]["titles"]
_TITLE_WEIGHTS: tuple[int, ...] = _DATA["people"]["title_weights"]
_ROLES: dict[str, tuple[str, ...]] = _DATA["people"]["roles"]
_STREETS: tuple[str, ...] = _DATA["places"]["streets"]
_CITIES: tuple[tuple[str, str], ...] = _DATA["places"]["cities"]
_HOSPITALS: tuple[str, ...] = _DATA["places"]["hospitals"]
_PRACTICE: str = _DATA["places"]["practice"]
# CTCAE grades and their weights by letter type
_GRADES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    letter_type: (table["grades"], table["weights"])
    for letter_type, table in _DATA["ctcae_grades"].items()
}
