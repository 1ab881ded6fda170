"""Grounding: a letter's facts checked against its case, as the editor and the evaluation see it."""

from __future__ import annotations

import copy
import importlib.util
import json
import statistics
import time
from pathlib import Path

import pytest

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.grounding import Grounding, check, fact_metrics, unsupported
from letterdesk.core.synthetic.generator import generate_case, reference_letter
from tests.core.sample_cases import case

DATA = Path(__file__).parents[1] / "data" / "grounding_set.jsonl"
SCRIPT = Path(__file__).parents[3] / "scripts" / "make_grounding_set.py"

LETTER = """Abschlussbericht über die Strahlentherapie von Frau Thảo Nguyễn, geb. 02.03.1954

Diagnose:
Mammakarzinom links, ICD-10 C50.4, Erstdiagnose 01.10.2024
Staging: pT1c pN0(sn) cM0, UICC-Stadium IA

Bisherige Therapie:
- 05.11.2024: Brusterhaltende Operation, R0

Durchgeführte Strahlentherapie:
- Brust links, VMAT: 15 x 2,67 Gy, Gesamtdosis 40,05 Gy, 06.01.2025 bis 24.01.2025

Verlauf und Verträglichkeit:
Nebenwirkungen: Radiodermatitis CTCAE Grad 1

Nachsorge:
- 07.03.2025: Erste Nachsorge"""


def planted(text: str, old: str, new: str) -> tuple[str, int]:
    assert text.count(old) >= 1
    return text.replace(old, new, 1), text.index(old)


def test_the_sample_letter_is_fully_supported_and_complete():
    findings = check(Case(case()), LETTER)
    assert findings.unsupported == () and findings.omitted == ()
    assert not findings.flagged
    assert len(findings.letter_facts) >= 15


@pytest.mark.parametrize("style", ["A", "B"])
def test_reference_letters_have_no_findings(style):
    for index in range(60):
        document = generate_case(11, index)
        findings = check(document, reference_letter(document, style))
        assert findings.unsupported == (), (index, [u.to_dict() for u in findings.unsupported])
        assert findings.omitted == (), (index, [o.to_dict() for o in findings.omitted])


# --- what one finding says ---------------------------------------------------------------------


def test_a_wrong_total_dose_names_the_case_value_and_field():
    letter, at = planted(LETTER, "Gesamtdosis 40,05 Gy", "Gesamtdosis 45 Gy")
    findings = check(case(), letter)
    (wrong,) = findings.unsupported
    assert (wrong.kind, wrong.text, wrong.start) == ("dose", "45 Gy", at + len("Gesamtdosis "))
    assert letter[wrong.start : wrong.end] == "45 Gy"
    assert (wrong.instead, wrong.case_path) == ("40,05 Gy", "$.radiotherapy[0].total_dose_gy")
    (missing,) = findings.omitted
    assert (missing.expected, missing.path) == ("40,05 Gy", "$.radiotherapy[0].total_dose_gy")


def test_a_total_dose_written_as_the_dose_per_fraction_is_unsupported():
    letter, _ = planted(LETTER, "Gesamtdosis 40,05 Gy", "Gesamtdosis 2,67 Gy")
    (wrong,) = check(case(), letter).unsupported
    assert (wrong.text, wrong.instead) == ("2,67 Gy", "40,05 Gy")


def test_a_wrong_fraction_count_and_a_shifted_date():
    letter, _ = planted(LETTER, "15 x 2,67 Gy", "16 x 2,67 Gy")
    letter, _ = planted(letter, "bis 24.01.2025", "bis 27.01.2025")
    wrong = check(case(), letter).unsupported
    assert [(u.kind, u.text, u.instead, u.case_path) for u in wrong] == [
        ("fractions", "16", "15", "$.radiotherapy[0].fractions"),
        ("date", "27.01.2025", "24.01.2025", "$.radiotherapy[0].end_date"),
    ]


def test_a_case_date_in_the_wrong_place_is_unsupported():
    letter, _ = planted(LETTER, "06.01.2025 bis", "02.03.1954 bis")  # the birth date as start
    letter, _ = planted(letter, "- 05.11.2024: Brusterhaltende", "- 01.10.2024: Brusterhaltende")
    wrong = check(case(), letter).unsupported
    assert [(u.text, u.instead, u.case_path) for u in wrong] == [
        ("01.10.2024", "05.11.2024", "$.history[0].date"),
        ("02.03.1954", None, None),  # no course starts near that day
    ]


def test_dates_in_iso_slash_and_month_notation_are_checked_too():
    letter = (
        "Radiotherapy from 2025-01-06 to 2025-01-24; follow-up in March 2025; surgery 05/11/2024."
    )
    assert check(case(), letter).unsupported == ()

    shifted = letter.replace("2025-01-24", "2025-01-31").replace("March", "April")
    shifted = shifted.replace("05/11/2024", "11/05/2024")  # read day first: 11 May 2024
    wrong = check(case(), shifted).unsupported
    assert [(u.text, u.instead, u.case_path) for u in wrong] == [
        ("2025-01-31", "24.01.2025", "$.radiotherapy[0].end_date"),
        ("April 2025", "07.03.2025", "$.follow_up[0].date"),
        ("11/05/2024", None, None),
    ]


def test_a_schedule_must_come_from_one_course():
    document = case()
    boost = {
        **document["radiotherapy"][0],
        "target": "Tumorbett links",
        "fractions": 8,
        "dose_per_fraction_gy": 2.0,
        "total_dose_gy": 16.0,
    }
    document["radiotherapy"].append(boost)
    good = "Boost: 8 x 2 Gy, Gesamtdosis 16 Gy; Brust: 15 x 2,67 Gy, Gesamtdosis 40,05 Gy"
    assert check(document, good).unsupported == ()
    mixed = "Boost: 15 x 2 Gy, Gesamtdosis 16 Gy"  # each value is the case's, the schedule is not
    assert [u.text for u in check(document, mixed).unsupported] == ["15"]
    assert check(document, "kumulativ 56,05 Gy").unsupported == ()


def test_the_wrong_side_is_flagged_with_the_case_side():
    letter, _ = planted(LETTER, "Mammakarzinom links", "Mammakarzinom rechts")
    (wrong,) = check(case(), letter).unsupported
    assert (wrong.kind, wrong.text, wrong.instead) == ("laterality", "rechts", "links")
    assert wrong.case_path == "$.diagnoses[0].laterality"


def test_a_side_in_the_case_free_text_supports_the_letter():
    document = case()
    document["history"].append(
        {"date": "2024-09-20", "kind": "imaging", "description": "Mammographie beidseits"}
    )
    letter = LETTER + "\n- 20.09.2024: Mammographie beidseits"
    assert check(document, letter).unsupported == ()
    assert [u.text for u in check(case(), letter).unsupported] == ["20.09.2024", "beidseits"]


def test_a_side_bound_to_what_it_qualifies():
    document = case()
    document["diagnoses"].append({"text": "Ossäre Metastasen, Femur rechts", "icd10": "C79.5"})
    assert check(document, "Metastase im Femur rechts").unsupported == ()
    (wrong,) = check(document, "Metastase im Femur links").unsupported
    assert (wrong.text, wrong.instead) == ("links", "rechts")
    assert check(document, "Mammakarzinom links").unsupported == ()


def test_an_invented_drug_and_a_grade_bound_to_its_side_effect():
    letter = LETTER.replace(
        "Radiodermatitis CTCAE Grad 1", "Radiodermatitis CTCAE Grad 2, simultan Cetuximab"
    )
    wrong = check(case(), letter).unsupported
    assert [(u.kind, u.text, u.instead) for u in wrong] == [
        ("ctcae_grade", "CTCAE Grad 2", "Radiodermatitis CTCAE Grad 1"),
        ("drug", "Cetuximab", None),
    ]
    assert wrong[0].case_path == "$.toxicities[0].ctcae_grade"


def test_omitted_facts_name_the_case_field_in_the_letter_notation():
    letter = LETTER.replace("- 07.03.2025: Erste Nachsorge", "").replace(", UICC-Stadium IA", "")
    omitted = {(o.kind, o.expected, o.path, o.key) for o in check(case(), letter).omitted}
    assert omitted == {
        ("date", "07.03.2025", "$.follow_up[0].date", True),
        ("uicc_stage", "UICC IA", "$.diagnoses[0].uicc_stage", False),
    }


def test_a_fact_in_another_notation_is_not_omitted():
    letter = LETTER.replace(
        "15 x 2,67 Gy, Gesamtdosis 40,05 Gy", "ED 2,67 Gy / GD 40,05 Gy in 15 Fraktionen"
    )
    letter = letter.replace("bis 24.01.2025", "bis 24. Januar 2025")
    findings = check(case(), letter)
    assert findings.unsupported == () and findings.omitted == ()


def test_findings_as_json():
    letter, _ = planted(LETTER, "Gesamtdosis 40,05 Gy", "Gesamtdosis 45 Gy")
    data = json.loads(json.dumps(check(case(), letter).to_dict()))
    assert data["unsupported"][0] == {
        "kind": "dose",
        "text": "45 Gy",
        "value": "45",
        "start": letter.index("45 Gy"),
        "end": letter.index("45 Gy") + 5,
        "instead": "40,05 Gy",
        "case_path": "$.radiotherapy[0].total_dose_gy",
    }
    assert data["omitted"][0]["path"] == "$.radiotherapy[0].total_dose_gy"


# --- metrics -----------------------------------------------------------------------------------


def test_fact_metrics_of_a_letter():
    perfect = fact_metrics(case(), LETTER)
    assert perfect["precision"] == 1.0 and perfect["recall"] == 1.0
    assert perfect["key_facts"] == 9  # name, birth date, code, 5 course facts, 1 follow-up
    letter = LETTER.replace("Gesamtdosis 40,05 Gy", "Gesamtdosis 45 Gy")
    letter = letter.replace("- 07.03.2025: Erste Nachsorge", "- 07.03.2026: Erste Nachsorge")
    metrics = fact_metrics(Case(case()), letter)
    assert metrics["unsupported"] == 2
    assert metrics["precision"] == (metrics["facts"] - 2) / metrics["facts"]
    assert metrics["recall"] == 7 / 9
    assert fact_metrics(case(), "")["precision"] == 1.0


def test_unsupported_keeps_its_meaning_for_the_evaluation():
    letter = (
        "15 x 2,67 Gy, Gesamtdosis 40,05 Gy, 06.01.2025 bis 24.01.2025, dann 54 Gy am 07.03.2026"
    )
    wrong, total = unsupported(Case(case()), letter)
    assert [f.text for f in wrong] == ["54 Gy", "07.03.2026"]
    assert total == 6  # doses and dates only: the fraction count is not among them


# --- the labelled sentence set -----------------------------------------------------------------


def _load_script():
    spec = importlib.util.spec_from_file_location("make_grounding_set", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_labelled_set_is_what_its_script_writes():
    records = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    assert records == _load_script().build()


def test_planted_errors_are_flagged_and_correct_facts_are_not():
    records = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    planted_errors = [r for r in records if r["label"] != "correct"]
    correct = [r for r in records if r["label"] == "correct"]
    assert len(planted_errors) >= 200 and len(correct) >= len(planted_errors)
    cases: dict[tuple[int, int], dict] = {}

    def findings(record):
        key = (record["seed"], record["index"])
        document = cases.setdefault(key, generate_case(*key))
        return check(document, record["sentence"])

    flagged_by_kind: dict[str, list[bool]] = {}
    flagged_by_dates: dict[str, list[bool]] = {}
    for record in planted_errors:
        start, end = record["span"]
        hit = any(u.start < end and start < u.end for u in findings(record).unsupported)
        flagged_by_kind.setdefault(record["label"], []).append(hit)
        flagged_by_dates.setdefault(record["dates"], []).append(hit)
    facts = flagged = 0
    for record in correct:
        result = findings(record)
        facts += len(result.letter_facts)
        flagged += len(result.unsupported)
    hits = [hit for kind in flagged_by_kind.values() for hit in kind]
    detection, false_flags = sum(hits) / len(hits), flagged / facts
    print(f"\nplanted errors flagged: {sum(hits)}/{len(hits)} = {detection:.1%}")
    for kind, kind_hits in [*sorted(flagged_by_kind.items()), *sorted(flagged_by_dates.items())]:
        print(f"  {kind}: {sum(kind_hits)}/{len(kind_hits)}")
    print(
        f"correct facts flagged: {flagged}/{facts} = {false_flags:.2%} ({len(correct)} sentences)"
    )
    assert detection >= 0.95
    assert min(sum(h) / len(h) for h in flagged_by_kind.values()) >= 0.9  # every kind, checked
    assert min(sum(h) / len(h) for h in flagged_by_dates.values()) >= 0.9  # every date notation
    assert false_flags <= 0.02


# --- speed -------------------------------------------------------------------------------------


def test_a_three_page_letter_is_checked_in_under_20_ms():
    document = generate_case(3, 5, letter_type="final_report")
    parts: list[str] = []
    while sum(map(len, parts)) < 9000:  # three pages of about 3000 characters
        parts.append(reference_letter(document, "AB"[len(parts) % 2]))
    letter = "\n\n".join(parts)
    grounding = Grounding(document)

    def timed(run) -> tuple[list[float], list[float]]:
        wall, cpu = [], []
        for _ in range(100):  # about 3 s: the best one is not all in one slow second of the host
            started, started_cpu = time.perf_counter(), time.thread_time()
            run()
            wall.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
        return wall, cpu

    wall, cpu = timed(lambda: check(document, letter))
    prepared_wall, prepared_cpu = timed(lambda: grounding.check(letter))
    print(
        f"\ncheck of {len(letter)} characters: CPU best {min(cpu) * 1000:.1f} ms, wall median "
        f"{statistics.median(wall) * 1000:.1f} ms; prepared case: CPU best "
        f"{min(prepared_cpu) * 1000:.1f} ms, wall median "
        f"{statistics.median(prepared_wall) * 1000:.1f} ms"
    )
    # CPU time is the check's own work; the wall clock also carries this machine's other load
    assert min(cpu) < 0.020


def test_a_check_never_changes_the_case():
    document = case()
    before = copy.deepcopy(document)
    check(document, LETTER + " 99 Gy rechts Cetuximab")
    assert document == before


# --- constrained decoding ----------------------------------------------------------------------

VOCAB = ["", " ", *"0123456789", "06", "01", "202", ".", ",", " Gy", "C", " bis", "-", ".\n", "m²"]


def _allowed(constraint, written: list[str]) -> set[str]:
    import numpy as np

    ids = np.array([VOCAB.index(t) for t in written], dtype=np.intc)
    scores = constraint(ids, np.zeros(len(VOCAB), dtype=np.float32))
    return {VOCAB[i] for i in range(len(VOCAB)) if scores[i] > -np.inf}


def test_the_number_constraint_keeps_numbers_to_the_case():
    from letterdesk.core.engine.constrained import NumberConstraint, numbers_in

    constraint = NumberConstraint(VOCAB, numbers_in("GD 40,05 Gy am 06.01.2025"))
    assert _allowed(constraint, [" "]) >= {"4", "0", "06", " Gy", "m²"}
    assert not _allowed(constraint, [" "]) & {"1", "2", "5", "202"}
    assert _allowed(constraint, [" ", "4"]) == {"0"}
    assert _allowed(constraint, [" ", "4", "0"]) == {","}
    assert _allowed(constraint, [" ", "06", "."]) == {"0", "01"}
    ended = _allowed(constraint, [" ", "4", "0", ",", "0", "5"])
    assert {" Gy", " bis", ".", ".\n"} <= ended and not ended & set("0123456789")
    # after a full stop only a space may follow: "40,05.Bei" is a number cut short
    assert _allowed(constraint, [" ", "4", "0", ",", "0", "5", "."]) == {"", " ", " Gy", " bis"}
    # a number glued to a code or a hyphen is not the case's to decide: C50, ICD-10
    assert _allowed(constraint, ["C"]) >= set("0123456789")
    assert _allowed(constraint, ["-"]) >= set("0123456789")


def test_a_constrained_letter_from_a_real_model_only_copies_the_case_numbers(tiny_gguf):
    import re

    from llama_cpp import Llama, LogitsProcessorList

    from letterdesk.core.engine.constrained import NumberConstraint, token_texts
    from letterdesk.core.generation.prompts import build_prompt, case_numbers

    document = Case(generate_case(7_000_003, 0))
    llm = Llama(model_path=str(tiny_gguf), n_ctx=2048, n_threads=1, verbose=False, seed=0)
    try:
        allowed = case_numbers(document)
        constraint = NumberConstraint(token_texts(llm), allowed)
        prompt = build_prompt(document, llm.metadata.get("tokenizer.chat_template"))
        tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        text = llm.create_completion(
            tokens,
            max_tokens=300,
            temperature=0.0,
            top_k=1,
            logits_processor=LogitsProcessorList([constraint]),
        )["choices"][0]["text"]
    finally:
        llm.close()
    # numbers glued to a code or a word are left free
    numbers = [
        m.group(0)
        for m in re.finditer(r"[0-9][0-9.,]*", text)
        if not (m.start() and (text[m.start() - 1].isalpha() or text[m.start() - 1] in "-_/"))
    ]
    print(f"the constraint changed {constraint.steps} steps; the letter's numbers: {numbers}")
    assert constraint.steps > 0 and numbers  # the model wrote numbers, each checked here
    for number in numbers:
        # a number cut off by the token limit is still a prefix of one of the case's
        assert any(n.startswith(number.rstrip(".,")) for n in allowed), number
