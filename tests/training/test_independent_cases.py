"""training/independent_cases.py: valid, deterministic, varied, unlike the generator's cases."""

from __future__ import annotations

import datetime as dt
import json
from types import ModuleType
from typing import Any

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.synthetic.generator import generate_cases

N = 200


@pytest.fixture(scope="module")
def writer() -> ModuleType:
    from training import independent_cases

    return independent_cases


@pytest.fixture(scope="module")
def cases(writer) -> list[dict[str, Any]]:
    return writer.independent_cases(N, seed=0)


def test_every_case_is_valid_without_warnings_and_marked_synthetic(cases):
    assert len(cases) == N
    for case in cases:
        parsed = parse_case(json.dumps(case, ensure_ascii=False), case["case_id"])
        assert parsed.warnings == (), (case["case_id"], parsed.warnings)
        assert case["synthetic"] is True
        assert case["case_id"].startswith("IND-")
    assert len({case["case_id"] for case in cases}) == N


def test_a_seed_always_gives_the_same_cases_and_another_seed_others(writer, cases):
    assert writer.independent_cases(N, seed=0) == cases
    assert writer.independent_cases(20, seed=0) == cases[:20]  # seeded by string: any process
    assert writer.independent_cases(20, seed=1) != cases[:20]


def test_the_cases_cover_languages_letter_types_schedules_and_names(cases):
    languages = [case["language"] for case in cases]
    assert {"de", "en"} == set(languages)
    assert 0.35 < languages.count("de") / N < 0.65
    assert {case["letter_type"] for case in cases} == {
        "final_report",
        "initial_consultation",
        "follow_up",
    }
    courses = [course for case in cases for course in case["radiotherapy"]]
    assert len({course["dose_per_fraction_gy"] for course in courses}) >= 10
    assert max(len(case["radiotherapy"]) for case in cases) == 3
    names = [case["patient"]["given_name"] + case["patient"]["family_name"] for case in cases]
    assert any(not name.isascii() for name in names)
    assert any("recipient" not in case for case in cases)
    assert any("history" not in case for case in cases)
    assert any(case.get("performance_status", {}).get("scale") == "KPS" for case in cases)


def _weekdays(start: dt.date, end: dt.date) -> int:
    days = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return sum(day.weekday() < 5 for day in days)


def test_doses_add_up_and_courses_run_five_days_a_week_within_2018_to_2027(cases):
    for case in cases:
        for course in case["radiotherapy"]:
            start = dt.date.fromisoformat(course["start_date"])
            end = dt.date.fromisoformat(course["end_date"])
            assert course["total_dose_gy"] == round(
                course["dose_per_fraction_gy"] * course["fractions"], 2
            )
            assert _weekdays(start, end) == course["fractions"], case["case_id"]
            assert start.weekday() < 5 and end.weekday() < 5
        dates = [
            *(d["date"] for d in case["diagnoses"] if "date" in d),
            *(h["date"] for h in case.get("history", []) if "date" in h),
            *(c[k] for c in case["radiotherapy"] for k in ("start_date", "end_date")),
            *(f["date"] for f in case.get("follow_up", []) if "date" in f),
        ]
        assert all("2018-01-01" <= date <= "2027-12-31" for date in dates), case["case_id"]


def test_diagnoses_and_targets_are_worded_unlike_the_generators(cases):
    def wording(series: list[dict[str, Any]]) -> set[str]:
        diagnoses = {d["text"] for case in series for d in case["diagnoses"]}
        targets = {c["target"] for case in series for c in case.get("radiotherapy", [])}
        return diagnoses | targets

    ours, generators = wording(cases), wording(generate_cases(1000))
    assert len(ours & generators) <= 0.10 * len(ours), sorted(ours & generators)


def test_the_command_writes_one_case_per_line(writer, tmp_path, capsys):
    out = tmp_path / "independent.jsonl"
    assert writer.cli(["--n", "5", "--seed", "3", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == writer.independent_cases(5, seed=3)
    assert [path.name for path in tmp_path.iterdir()] == [out.name]  # no temporary file left
    assert "5" in capsys.readouterr().out
