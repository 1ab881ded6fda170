"""Fuzzing the FHIR importer as the case importer is fuzzed: a damaged or hostile FHIR file is
imported (then each case reads back as the importer made it) or rejected with its problems in
words, never a crash and never a hang. Inputs start from the breast bundle with a boost:
elements retyped, removed or added, lists made huge, JSON nested deeply, bytes flipped, cut
or spliced. The number of inputs tried is printed (``pytest -s``)."""

from __future__ import annotations

import json

import pytest
from hypothesis import strategies as st

from letterdesk.core.desk.importing import import_files
from letterdesk.core.store.database import Store
from tests.core.fhir.bundles import breast_with_boost
from tests.core.fuzzing import damage, fuzz_import
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")
EXAMPLES = 1200
SEED = json.dumps(breast_with_boost(), ensure_ascii=False).encode("utf-8")


@st.composite
def damaged_bundles(draw: st.DrawFn) -> bytes:
    document = breast_with_boost()
    kind = draw(st.sampled_from(["retype", "remove", "add", "huge_list", "deep", "bytes"]))
    if kind in ("retype", "remove", "add", "huge_list"):
        damage(draw, document, kind)
    elif kind == "deep":
        depth = draw(st.sampled_from([50, 2000, 100_000]))
        text = json.dumps(document)
        return (text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}").encode("utf-8")
    else:
        data = bytearray(SEED)
        at = draw(st.integers(0, len(data) - 1))
        data[at : at + draw(st.integers(0, 16))] = draw(st.binary(min_size=0, max_size=16))
        return bytes(data)
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8")


def test_damaged_fhir_files_are_imported_or_rejected_in_words(tmp_path):
    def a_case(stored: dict, raw: bytes) -> None:  # noqa: ARG001 - the input is not a case
        assert stored["patient"]["birth_date"] and stored["diagnoses"]

    outcomes = fuzz_import(tmp_path / "bundle.json", damaged_bundles(), EXAMPLES, a_case)
    tried = sum(outcomes.values())
    print(
        f"\nFHIR importer fuzz: {tried} inputs, {outcomes['rejected']} rejected with their "
        f"problems named, {outcomes['stored']} cases stored"
    )
    assert outcomes["rejected"] >= EXAMPLES * 0.3 and outcomes["stored"] >= EXAMPLES * 0.1


# --- defects the fuzzing found (fixed); kept as regression tests -------------------------------


def _import(tmp_path, document) -> tuple[list[str], list[str]]:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with Store(tmp_path / "store.sqlite3") as store:
        report = import_files(store, [path])
    return [o.case_id for o in report.imported], [p for r in report.rejected for p in r.problems]


def test_nulls_in_a_bundle_are_no_elements(tmp_path):
    document = breast_with_boost()
    document["entry"][8]["resource"]["meta"]["profile"] = [None]  # the course summary
    document["entry"][0]["resource"]["telecom"] = None
    assert _import(tmp_path, document) == (["SYN-P1-final-report-20250203"], [])


@pytest.mark.parametrize("bad", [[], {}, {"id": "x"}])
def test_an_entry_that_is_no_resource_is_refused_in_words(tmp_path, bad):
    document = breast_with_boost()
    document["entry"][1]["resource"] = bad
    assert _import(tmp_path, document) == (
        [],
        ["Bundle.entry[1].resource: not a resource (no resourceType)"],
    )
