"""``letterdesk check`` as a user runs it: a real process, real files, the exit status."""

from __future__ import annotations

import json
import subprocess
import sys

from letterdesk.core.synthetic.generator import generate_case, reference_letter
from tests.core.sample_cases import case


def letterdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "letterdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
    )


def files(tmp_path, document, letter: str) -> tuple[str, str]:
    case_file, letter_file = tmp_path / "case.json", tmp_path / "letter.txt"
    case_file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    letter_file.write_text(letter, encoding="utf-8")
    return str(case_file), str(letter_file)


def test_a_faithful_letter_has_no_findings_and_exits_0(tmp_path):
    document = generate_case(11, 3)
    result = letterdesk("check", *files(tmp_path, document, reference_letter(document)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 unsupported, 0 omitted"


def test_findings_are_listed_with_line_column_and_case_field_and_exit_1(tmp_path):
    document = case()
    letter = (
        "Diagnose:\nMammakarzinom rechts, ICD-10 C50.4\n\n"
        "- Brust links: 15 x 2,67 Gy, Gesamtdosis 45 Gy, 06.01.2025 bis 24.01.2025\n"
    )
    out = tmp_path / "findings.json"
    result = letterdesk("check", *files(tmp_path, document, letter), "--json", str(out))
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("letter.txt:2:15: Side “rechts” is not in the case; the case says")
    assert "letter.txt:4:42: Dose “45 Gy” is not in the case; the case says 40,05 Gy " in lines[1]
    assert "($.radiotherapy[0].total_dose_gy)" in lines[1]
    assert any("07.03.2025" in line and "$.follow_up[0].date" in line for line in lines)
    assert lines[-1].startswith("2 unsupported, ")

    report = json.loads(out.read_text(encoding="utf-8"))
    assert [(u["kind"], u["text"]) for u in report["unsupported"]] == [
        ("laterality", "rechts"),
        ("dose", "45 Gy"),
    ]
    dose = report["unsupported"][1]
    assert letter[dose["start"] : dose["end"]] == "45 Gy"
    omitted = {o["path"]: o["expected"] for o in report["omitted"]}
    assert omitted["$.radiotherapy[0].total_dose_gy"] == "40,05 Gy"
    assert omitted["$.patient.family_name"] == "Thảo Nguyễn"


def test_json_to_stdout(tmp_path):
    document = case()
    result = letterdesk("check", *files(tmp_path, document, "am 06.01.2026"), "--json", "-")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["unsupported"][0]["text"] == "06.01.2026"
    assert report["unsupported"][0]["instead"] == "06.01.2025"


def test_bad_input_exits_2_and_says_why(tmp_path):
    bad_case = case(letter_type="discharge")
    result = letterdesk("check", *files(tmp_path, bad_case, "Brief"))
    assert result.returncode == 2 and "discharge" in result.stderr

    case_file, _ = files(tmp_path, case(), "Brief")
    missing = letterdesk("check", case_file, str(tmp_path / "nowhere.txt"))
    assert missing.returncode == 2 and "nowhere.txt cannot be read" in missing.stderr

    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Gesamtdosis 40,05 Gy, Größe".encode("latin-1"))
    encoded = letterdesk("check", case_file, str(latin1))
    assert encoded.returncode == 2 and "not UTF-8" in encoded.stderr

    assert letterdesk("check", case_file).returncode == 2  # the letter is missing
