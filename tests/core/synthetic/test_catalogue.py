"""The synthetic catalogue: read from its data file, immutable, and every name it uses defined."""

from __future__ import annotations

from typing import Any

import pytest

from letterdesk.core.foundation.paths import resource
from letterdesk.core.synthetic import catalogue
from letterdesk.core.synthetic.catalogue import (
    _DRUG,
    _GIVEN,
    _GRADES,
    _ROLES,
    _SEXES,
    _SITES,
    _TECH,
    _TITLE_WEIGHTS,
    _TITLES,
    _TOX,
    _Course,
    _Primary,
    _Site,
    _sites,
    _Step,
)
from letterdesk.core.synthetic.generator import LETTER_TYPES


def lists_in(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [value]
    if isinstance(value, dict):
        return [found for item in value.values() for found in lists_in(item)]
    if isinstance(value, tuple):
        return [found for item in value for found in lists_in(item)]
    return []


def test_the_data_file_says_that_everything_in_it_is_invented():
    text = resource("synthetic", "catalogue.toml").read_text(encoding="utf-8")
    assert "EVERYTHING IN THIS FILE IS INVENTED" in text


def test_the_catalogue_is_immutable_tuples_of_its_own_types():
    names = [name for name in vars(catalogue) if name.isupper() or name[1:].isupper()]
    assert not [name for name in names if lists_in(getattr(catalogue, name))]
    assert len(_SITES) == 17 and all(type(site) is _Site for site in _SITES)
    for site in _SITES:
        assert all(type(step) is _Step for step in site.history)
        assert all(type(course) is _Course for plan in site.plans for course in plan)
        assert all(type(primary) is _Primary for primary in site.primaries)
        assert all(
            type(course.dose_per_fraction) is float for plan in site.plans for course in plan
        )


def test_every_term_a_site_names_is_defined():
    for site in _SITES:
        assert set(site.acute.split()) | set(site.late.split()) <= set(_TOX)
        courses = [course for plan in site.plans for course in plan]
        assert courses and {t for c in courses for t in c.techniques} <= set(_TECH)
        assert {drug for c in courses for drug in c.concurrent} <= set(_DRUG)
        assert all(len(s) == len(_SEXES) for s in [site.sexes, *(p.sexes for p in site.primaries)])
        assert site.diagnoses and site.lesions and site.advice and site.history
    assert set(_GRADES) == set(LETTER_TYPES)
    assert all(len(grades) == len(weights) for grades, weights in _GRADES.values())
    assert all(len(titles) == len(_TITLE_WEIGHTS) for titles in _TITLES.values())
    assert set(_GIVEN) == {"female", "male", "neutral"} and set(_ROLES) == {"female", "male"}


def test_a_scenario_takes_the_keys_it_lacks_from_the_site_it_is_based_on():
    course = {"target": "Brust|Breast", "dose_per_fraction": 2.67, "fractions": (15,),
              "techniques": ("3D",)}  # fmt: skip
    step = {"kind": "other", "chance": 1, "gap_days": (0, 0), "texts": ("Biopsie|Biopsy",)}
    base = {
        "name": "breast", "diagnoses": (("C50.9", "Mammakarzinom|Breast cancer"),),
        "histologies": ("NST|NST",), "plans": ({"courses": (course,)},), "history": (step,),
        "acute": "derm", "late": "fibrosis", "advice": (), "follow_exam": "", "referrer": "",
        "follow_findings": (), "initial_findings": (), "weight": 3,
    }  # fmt: skip
    scenario = {"name": "boost", "based_on": "breast", "weight": 1,
                "plans": ({"courses": (course, course | {"dose_per_fraction": 2.0})},)}  # fmt: skip

    first, second = _sites((base, scenario))

    assert first.weight == 3 and second.weight == 1
    assert second._replace(plans=first.plans, weight=3) == first
    assert second.plans[0][1] == _Course("Brust|Breast", 2.0, (15,), ("3D",))
    assert first.history == (_Step("other", 1, (0, 0), ("Biopsie|Biopsy",)),)
    with pytest.raises(ValueError, match="two sites are called 'breast'"):
        _sites((base, base))
    with pytest.raises(TypeError):
        _sites(({**base, "stage": ()},))  # a misspelt key is refused, not ignored
