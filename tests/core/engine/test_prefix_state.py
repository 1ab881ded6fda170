"""The shared start of the prompts survives a restart: saved once per model, loaded by the next
worker, rebuilt when it does not fit — with the real demo model and real worker processes."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

from letterdesk.core.engine import prefix_state
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, Finished, TextDelta
from letterdesk.core.foundation.paths import data_home
from letterdesk.core.generation.draft import case_options, case_prompt
from letterdesk.core.generation.prompts import shared_prefix
from tests.core.engine.demo import DEMO, demo_case, demo_worker


def letter(engine: Engine, case) -> tuple[str, Finished]:
    info = engine.load()
    prompt = case_prompt(case, info)
    options = case_options(case, DecodingOptions(max_tokens=200), info.fact_slots)
    chunks = list(engine.stream(prompt, options))
    return "".join(c.text for c in chunks if isinstance(c, TextDelta)), chunks[-1]


def fresh_engine(model: Path = DEMO) -> Engine:
    return Engine(EngineSettings(model_path=model, n_threads=1))


def prefix_of(engine: Engine, case) -> str:
    prefix = shared_prefix(case_prompt(case, engine.load()), case)
    assert prefix is not None
    return prefix


def saved_states() -> list[Path]:
    return sorted((data_home() / prefix_state.FOLDER).glob("*.state"))


def test_the_first_letter_after_a_restart_starts_from_the_saved_prefix():
    case = demo_case(1)
    with fresh_engine() as first:
        prefix = prefix_of(first, case)
        assert first.prepare(prefix) == "evaluated"
        assert first.prepare(prefix) == "kept"
        before, _ = letter(first, case)
    assert len(saved_states()) == 1

    with fresh_engine() as second:
        assert second.prepare(prefix_of(second, case)) == "loaded"
        after, finished = letter(second, case)
    # the loaded state is the evaluated one: the same letter, and the prefix was not evaluated
    assert after == before
    tokens = len(prefix.encode("utf-8")) // 8  # far fewer tokens than bytes; a lower bound
    assert finished.timing.cached_prompt_tokens > tokens
    assert finished.timing.cached_prompt_tokens < finished.timing.prompt_tokens


def test_the_prefix_is_the_same_for_every_case_and_holds_none_of_their_data():
    cases = [demo_case(n) for n in range(1, 25)]
    kind = (cases[0].letter_type, cases[0].language)
    same_kind = [c for c in cases if (c.letter_type, c.language) == kind]
    assert len(same_kind) >= 2
    with fresh_engine() as engine:
        info = engine.load()
        prefixes = {shared_prefix(case_prompt(c, info), c) for c in same_kind}
    (prefix,) = prefixes
    assert prefix is not None and prefix.rstrip().endswith(".")  # the instruction line
    for case in cases:
        patient = case.data["patient"]
        assert patient["family_name"] not in prefix
        assert patient["birth_date"] not in prefix
    assert "Patient" not in prefix and "born" not in prefix and "geb." not in prefix


def damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))


def rewrite_header(path: Path, **changes) -> None:
    header, _, state = path.read_bytes().partition(b"\n")
    fields = json.loads(header)
    fields.update(changes)
    path.write_bytes(json.dumps(fields).encode() + b"\n" + state)


@pytest.mark.parametrize(
    "spoil",
    [
        damage,
        lambda path: path.write_bytes(path.read_bytes()[:-5000]),  # cut short
        lambda path: path.write_bytes(path.read_bytes().partition(b"\n")[0] + b"\n"),  # no state
        lambda path: path.write_bytes(b""),  # empty
        lambda path: rewrite_header(path, llama_cpp="0.0.1"),  # another llama.cpp
        lambda path: rewrite_header(path, model_sha256="0" * 64),  # another model's state
        lambda path: rewrite_header(path, tokens=[1, 2, 3]),  # tokens that are not the state's
    ],
    ids=[
        "damaged",
        "cut",
        "header-only",
        "empty",
        "other-llama-cpp",
        "other-model",
        "other-tokens",
    ],
)
def test_a_saved_state_that_does_not_fit_is_rebuilt_never_loaded(spoil):
    case = demo_case(1)
    with fresh_engine() as first:
        first.prepare(prefix_of(first, case))
        before, _ = letter(first, case)
    (saved,) = saved_states()
    spoil(saved)
    with fresh_engine() as second:
        assert second.prepare(prefix_of(second, case)) == "rebuilt"
        after, _ = letter(second, case)
    assert after == before
    (again,) = saved_states()
    with fresh_engine() as third:
        assert third.prepare(prefix_of(third, case)) == "loaded"


def test_at_the_load_the_state_of_the_type_written_last_is_loaded_and_nothing_evaluated():
    one = demo_case(1)
    other = next(
        c for n in range(2, 25)
        if ((c := demo_case(n)).letter_type, c.language) != (one.letter_type, one.language)
    )  # fmt: skip
    with fresh_engine() as empty:
        empty.load()
        assert empty.prepare(None) == "none"  # nothing saved yet: nothing evaluated either
    assert saved_states() == []
    with fresh_engine() as first:
        prefixes = prefix_of(first, one), prefix_of(first, other)
        first.prepare(prefixes[1])
        first.prepare(prefixes[0])
    one_state, other_state = (
        [p for p in saved_states() if prefix_of_state(p) == prefix] for prefix in prefixes
    )
    os.utime(other_state[0], (2_000_000_000, 2_000_000_000))  # the other type written last
    with fresh_engine() as restarted:
        restarted.load()
        assert restarted.prepare(None) == "loaded"
        assert restarted.prepare(prefix_of(restarted, other)) == "kept"  # the letter waits not
        assert restarted.prepare(prefix_of(restarted, one)) == "loaded"
    damage(one_state[0])
    os.utime(one_state[0], (2_100_000_000, 2_100_000_000))
    with fresh_engine() as again:
        again.load()
        assert again.prepare(None) == "none"  # damaged: removed, not rebuilt at the load
    assert [p.name for p in saved_states()] == [other_state[0].name]


def prefix_of_state(path: Path) -> str:
    return json.loads(path.read_bytes().partition(b"\n")[0])["prefix"]


def test_another_model_gets_a_state_of_its_own(tmp_path):
    case = demo_case(1)
    copy = tmp_path / "other.gguf"
    data = bytearray(DEMO.read_bytes())
    data[-1] ^= 0x01  # another file (another SHA-256), still a loadable model
    copy.write_bytes(bytes(data))
    with fresh_engine() as first:
        first.prepare(prefix_of(first, case))
    with fresh_engine(copy) as other:
        assert other.prepare(prefix_of(other, case)) == "evaluated"
    assert len(saved_states()) == 2


def test_only_the_most_recently_used_states_are_kept():
    folder = data_home() / prefix_state.FOLDER
    folder.mkdir(parents=True)
    for number in range(prefix_state.KEEP + 3):  # states of models used long ago
        old = folder / f"{number:064x}.state"
        old.write_bytes(b"{}\n")
        os.utime(old, (1_000_000 + number, 1_000_000 + number))
    case = demo_case(1)
    with fresh_engine() as engine:
        assert engine.prepare(prefix_of(engine, case)) == "evaluated"
    kept = saved_states()
    assert len(kept) == prefix_state.KEEP
    oldest_kept = min(p.stat().st_mtime for p in kept)
    assert oldest_kept == 1_000_000 + 4  # the four oldest went, the new one stayed
    with fresh_engine() as engine:
        assert engine.prepare(prefix_of(engine, case)) == "loaded"


def test_a_prompt_tokenized_after_its_prefix_is_tokenized_as_a_whole():
    from letterdesk.core.engine.protocol import Prepare

    worker = demo_worker(lambda reply: None, threading.Event(), n_ctx=4096)
    try:
        with fresh_engine() as engine:
            info = engine.load()
        for number in range(1, 25):
            case = demo_case(number)
            prompt = case_prompt(case, info)
            whole = worker.tokenize(prompt)
            prefix = shared_prefix(prompt, case)
            worker.prepare(Prepare(number, prefix, str(data_home() / "states"), "0" * 64, None))
            assert worker._prefix[0] == prefix
            assert worker.tokenize(prompt) == whole, case.case_id
    finally:
        worker.close()


def test_evaluating_the_prefix_pauses_and_stops_when_cancelled():
    # on an 8B model on a CPU the first evaluation takes about a minute: the physician's
    # typing pauses it and Generate cancels it, as for a letter being written ahead
    case = demo_case(1)
    with fresh_engine() as engine:
        prefix = prefix_of(engine, case)
        polls = []

        def cancel() -> bool:
            polls.append(time.monotonic())
            return len(polls) > 1  # Generate pressed while the prefix is evaluated

        assert engine.prepare(prefix, cancel) == "cancelled"
        assert saved_states() == []  # nothing half-evaluated is saved

        engine.pause()
        done: list[str] = []
        thread = threading.Thread(target=lambda: done.append(engine.prepare(prefix)))
        thread.start()
        thread.join(1.0)
        assert done == []  # held between two steps of the prefix
        engine.resume()
        thread.join(30)
        assert done == ["evaluated"] and len(saved_states()) == 1
        # the letter after it starts from the prefix
        _, finished = letter(engine, case)
        assert finished.timing.cached_prompt_tokens > len(prefix.encode("utf-8")) // 8
