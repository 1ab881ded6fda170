"""The fuzzing machinery both importers' fuzz tests share: random JSON values, the places in a
document, a time limit that catches a hang, and a run of inputs through the real importer
(:func:`letterdesk.core.desk.importing.import_files`) into a real (encrypted) store."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from letterdesk.core.desk.importing import import_files
from letterdesk.core.store.database import Store

TIME_LIMIT_S = 30.0  # a hang, not a slow input on a loaded 2-core machine

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(
        ["", " ", "2024-02-30", "1954-03-02", "C50.4", "de", "final_report", "x" * 5000]
    ),
)
values = st.recursive(
    scalars,
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


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
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
        yield from paths(child, (*path, key))


def parent(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


def damage(draw: st.DrawFn, document: Any, kind: str) -> None:
    """Damage ``document`` in place: a value retyped, a value removed, an unknown field added
    (``retype``, ``remove``, ``add``) or a list made huge (``huge_list``)."""
    places = list(paths(document))
    if kind == "retype":
        path = draw(st.sampled_from(places))
        parent(document, path)[path[-1]] = draw(values)
    elif kind == "remove":
        path = draw(st.sampled_from(places))
        del parent(document, path)[path[-1]]
    elif kind == "add":
        containers = [p for p in places if isinstance(parent(document, (*p, None)), dict)]
        path = draw(st.sampled_from([(), *containers]))
        parent(document, (*path, None))[draw(st.text(min_size=1, max_size=12))] = draw(values)
    elif kind == "huge_list":
        lists = [p for p in places if isinstance(parent(document, (*p, None)), list)]
        items = parent(document, (*draw(st.sampled_from(lists)), None))
        items[:] = items[:1] * draw(st.sampled_from([0, 2, 500, 5000]))
    else:
        raise ValueError(kind)


def fuzz_import(
    path: Path,
    inputs: st.SearchStrategy[bytes],
    examples: int,
    check_stored: Callable[[dict[str, Any], bytes], None],
) -> dict[str, int]:
    """Each input written to ``path`` and imported within TIME_LIMIT_S: rejected with every
    problem in words, or stored (``check_stored`` gets the stored case and the input); the
    audit chain intact afterwards. Returns how many were stored and rejected."""
    outcomes = {"stored": 0, "rejected": 0}
    with Store() as store:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(inputs)
        def one(raw: bytes) -> None:
            path.write_bytes(raw)
            with time_limit(TIME_LIMIT_S):
                report = import_files(store, [path])
            for rejected in report.rejected:
                assert rejected.problems and all(p.strip() for p in rejected.problems)
                outcomes["rejected"] += 1
            for outcome in report.imported:
                check_stored(store.case(outcome.case_id).data, raw)
                outcomes["stored"] += 1

        one()
        assert store.verify_audit().first_bad is None
    return outcomes
