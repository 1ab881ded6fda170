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
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from letterdesk.core.cases.case import parse_case
from letterdesk.core.desk.importing import import_files
from letterdesk.core.foundation.errors import CaseFileError
from letterdesk.core.store.database import Store
from tests.core.sample_cases import case
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("secret_service")
EXAMPLES = 1500
TIME_LIMIT_S = 30.0  # a hang, not a slow input on a loaded 2-core machine
SEED = json.dumps(case(), ensure_ascii=False, indent=1).encode("utf-8")

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        ["", " ", "2024-02-30", "1954-03-02", "C50.4", "de", "final_report", "x" * 5000]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


class Hang(Exception):
    """An input took longer than TIME_LIMIT_S."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(*_: object) -> None:
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in the document a value sits (the root excluded)."""
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        yield (*path, key)
        yield from _paths(child, (*path, key))


def _parent(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@st.composite
def structurally_damaged(draw: st.DrawFn) -> bytes:
    document = case()
    places = list(_paths(document))
    kind = draw(st.sampled_from(["retype", "remove", "add", "huge_list", "deep"]))
    if kind == "retype":
        path = draw(st.sampled_from(places))
        _parent(document, path)[path[-1]] = draw(_values)
    elif kind == "remove":
        path = draw(st.sampled_from(places))
        del _parent(document, path)[path[-1]]
    elif kind == "add":
        containers = [p for p in places if isinstance(_parent(document, (*p, None)), dict)]
        path = draw(st.sampled_from([(), *containers]))
        target = _parent(document, (*path, None))
        target[draw(st.text(min_size=1, max_size=12))] = draw(_values)
    elif kind == "huge_list":
        lists = [p for p in places if isinstance(_parent(document, (*p, None)), list)]
        path = draw(st.sampled_from(lists))
        items = _parent(document, (*path, None))
        items[:] = items[:1] * draw(st.sampled_from([0, 2, 500, 5000]))
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
    path = tmp_path / "case.json"
    outcomes = {"stored": 0, "rejected": 0}
    with Store() as store:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(st.one_of(structurally_damaged(), bytes_damaged()))
        def one(raw: bytes) -> None:
            path.write_bytes(raw)
            with time_limit(TIME_LIMIT_S):
                report = import_files(store, [path])
                for rejected in report.rejected:
                    assert rejected.problems and all(p.strip() for p in rejected.problems)
                    outcomes["rejected"] += 1
                for outcome in report.imported:
                    stored = store.case(outcome.case_id)
                    assert stored.data == parse_case(raw).data  # reads back unchanged
                    outcomes["stored"] += 1

        one()
        assert store.verify_audit().first_bad is None
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
