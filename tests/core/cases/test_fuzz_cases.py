"""Fuzzing the case importer: a damaged or hostile case file is rejected in words, never a crash.

Inputs start from a valid case. Byte-level: bits flipped, cut short, random bytes spliced in
or random bytes altogether, byte-order marks. Structure-level: a field replaced by a value of
another type (huge numbers, long text, lists, objects), a field removed, an unknown field
added, a list made huge, JSON nested deeply. Each file goes through the real importer
(:func:`letterdesk.core.desk.importing.import_files`) into a real (encrypted) store: it is either
stored, and then reads back unchanged, or rejected with every problem in words, within
TIME_LIMIT_S (30 s: it catches a hang, not a slow input). The number of inputs tried is printed
(``pytest -s``).

Defects the fuzzing found (unpaired surrogates, NaN/Infinity, nesting of 450 to 1000) are
fixed and kept as regression tests at the end.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import strategies as st

from letterdesk.core.cases.case import parse_case
from letterdesk.core.desk.importing import import_files
from letterdesk.core.foundation.errors import CaseFileError
from letterdesk.core.store.database import Store
from tests.core.fuzzing import damage, fuzz_import
from tests.core.sample_cases import case
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")
EXAMPLES = 1500
SEED = json.dumps(case(), ensure_ascii=False, indent=1).encode("utf-8")


@st.composite
def structurally_damaged(draw: st.DrawFn) -> bytes:
    document = case()
    kind = draw(st.sampled_from(["retype", "remove", "add", "huge_list", "deep"]))
    if kind != "deep":
        damage(draw, document, kind)
    else:
        depth = draw(st.sampled_from([2, 50, 200, 2000, 100_000]))
        text = json.dumps(document, ensure_ascii=False)
        return (text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}").encode("utf-8")
    return json.dumps(document, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def bytes_damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(SEED)
    kind = draw(st.sampled_from(["flip", "cut", "splice", "bom", "random"]))
    where = st.integers(0, len(data) - 1)
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            data[draw(where)] ^= 1 << draw(st.integers(0, 7))
    elif kind == "cut":
        del data[draw(where) :]
    elif kind == "splice":
        at = draw(where)
        data[at : at + draw(st.integers(0, 32))] = draw(st.binary(min_size=1, max_size=32))
    elif kind == "bom":
        data = bytearray(draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data)
    else:
        return draw(st.binary(max_size=2000))
    return bytes(data)


def test_damaged_case_files_are_stored_or_rejected_in_words(tmp_path):
    def reads_back_unchanged(stored: dict, raw: bytes) -> None:
        assert stored == parse_case(raw).data

    outcomes = fuzz_import(
        tmp_path / "case.json",
        st.one_of(structurally_damaged(), bytes_damaged()),
        EXAMPLES,
        reads_back_unchanged,
    )
    tried = sum(outcomes.values())
    print(
        f"\ncase importer fuzz: {tried} inputs tried, {outcomes['rejected']} rejected with "
        f"their problems named, {outcomes['stored']} stored and read back"
    )
    assert tried >= EXAMPLES * 0.9 and outcomes["rejected"] and outcomes["stored"]


# --- defects the fuzzing found (fixed); kept as regression tests -------------------------------


def test_an_unpaired_surrogate_is_rejected_in_words(tmp_path):
    document = case()
    document["patient"]["given_name"] = "\ud800"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # ASCII escapes: valid UTF-8
    with Store() as store:
        report = import_files(store, [path])
    assert report.rejected and not report.imported


def test_nan_and_infinity_are_not_numbers_in_a_case():
    for constant in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(case()).replace('"total_dose_gy": 40.05', f'"total_dose_gy": {constant}')
        with pytest.raises(CaseFileError):
            parse_case(text)


def test_deep_nesting_inside_an_extra_field_is_rejected_in_words():
    text = json.dumps(case())[:-1] + ', "deep": ' + "[" * 600 + "]" * 600 + "}"
    with pytest.raises(CaseFileError, match="nested"):
        parse_case(text)
