"""The letterdesk command as a user runs it: a real process, a real store file."""

from __future__ import annotations

import json
import subprocess
import sys

from letterdesk import __version__
from tests.core.sample_cases import case


def letterdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "letterdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
    )


def write(path, document) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_version():
    result = letterdesk("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"LetterDesk {__version__}"


def test_import_keeps_valid_files_rejects_bad_ones_and_exits_nonzero(tmp_path):
    good = write(tmp_path / "good.json", case())
    second = case(case_id="SYN-TEST-0002")
    second["patient"]["family_name"] = "O'Sullivan"
    also_good = write(tmp_path / "also.json", second)
    bad_doc = case(case_id="SYN-TEST-0003", letter_type="discharge")
    bad_doc["radiotherapy"][0]["fractions"] = "thirty"
    bad = write(tmp_path / "bad.json", bad_doc)
    truncated = tmp_path / "truncated.json"
    truncated.write_text(json.dumps(case(case_id="SYN-TEST-0004"))[:200], encoding="utf-8")

    result = letterdesk("import", good, bad, also_good, str(truncated))
    assert result.returncode == 1
    assert "2 imported, 2 rejected" in result.stdout
    assert "bad.json" in result.stderr and "fractions" in result.stderr
    assert "thirty" in result.stderr and "discharge" in result.stderr
    assert "truncated.json" in result.stderr and "not valid JSON" in result.stderr

    listing = letterdesk("cases")
    assert listing.returncode == 0
    lines = listing.stdout.strip().splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == ["SYN-TEST-0001", "SYN-TEST-0002"]
    assert any("Nguyễn, Thảo" in line and "\tnew" in line for line in lines)


def test_a_rejected_reimport_leaves_the_stored_case_unchanged(tmp_path):
    path = write(tmp_path / "case.json", case())
    assert letterdesk("import", path).returncode == 0
    broken = case(language="fr")
    write(tmp_path / "case.json", broken)
    assert letterdesk("import", path).returncode == 1
    listing = letterdesk("cases", "--search", "nguyễn")
    assert listing.returncode == 0 and "\tde\t" in listing.stdout


def test_import_of_a_folder_and_status_filter(tmp_path):
    for i in range(3):
        write(tmp_path / f"c{i}.json", case(case_id=f"SYN-F-{i}"))
    assert letterdesk("import", str(tmp_path)).returncode == 0
    assert len(letterdesk("cases", "--status", "new").stdout.splitlines()) == 3
    signed = letterdesk("cases", "--status", "signed")
    assert signed.returncode == 0 and signed.stdout == ""  # listed, and none is signed


def test_a_fhir_bundle_is_imported_with_options_and_listed_as_json(tmp_path):
    from tests.core.fhir import bundles

    path = write(tmp_path / "bundle.json", bundles.rectum_with_capecitabine())
    result = letterdesk("import", path, "--letter-type", "follow_up", "--language", "en")

    assert result.returncode == 0, result.stderr
    assert "added     SYN-P2-follow-up-20250210" in result.stdout
    assert f"not used  {path}: Procedure/rt2.extension[0]" in result.stdout  # the intent
    listed = letterdesk("cases", "--json")
    (line,) = listed.stdout.splitlines()
    case = json.loads(line)
    assert (case["case_id"], case["letter_type"], case["language"]) == (
        "SYN-P2-follow-up-20250210", "follow_up", "en")  # fmt: skip
    assert case["radiotherapy"][0]["total_dose_gy"] == 50.4
    assert case["patient"]["family_name"] == "Nguyễn"


def test_the_write_ahead_service_defaults_are_the_documented_ones():
    """docs/department.md: 20 drafts waiting department-wide, a look every 30 s."""
    from letterdesk.cli import build_parser

    args = build_parser().parse_args(["write-ahead"])
    assert (args.ahead, args.every, args.once) == (20, 30.0, False)
