"""The tables of the independent cases, read from their JSON file: complete and consistent."""

from __future__ import annotations

import json

import pytest

from training.independent_tables import TABLES, TABLES_FILE, load_tables


def test_every_schedule_names_a_known_technique_and_every_diagnosis_an_existing_plan():
    for site in TABLES.sites:
        assert site.diagnoses and site.plans
        for plan in site.plans:
            assert all(course.technique in TABLES.techniques for course in plan.courses)
        for diagnosis in site.diagnoses:
            assert all(0 <= index < len(site.plans) for index in diagnosis.plans), diagnosis.icd
    assert all(len(words) == 2 for words in TABLES.general_advice + TABLES.notes)


def test_a_site_drawn_twice_is_one_site_and_a_missing_table_is_named(tmp_path):
    assert TABLES.sites[0] is TABLES.sites[1]  # breast: drawn twice as often
    data = json.loads(TABLES_FILE.read_text(encoding="utf-8"))
    del data["notes"]
    broken = tmp_path / "tables.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="notes"):
        load_tables(broken)
