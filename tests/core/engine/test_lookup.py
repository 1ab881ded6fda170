"""Prompt-lookup decoding writes the same letters as plain greedy decoding, only in fewer
llama.cpp steps: checked on every bundled demo case with the real demo model."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.engine import lookup
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, Finished, TextDelta
from letterdesk.core.generation.draft import case_options, case_prompt
from tests.core.engine.demo import DEMO, DEMO_CASES, demo_case, demo_worker


def write_all(guess: int) -> list[tuple[str, Finished]]:
    """Every demo case's letter, in order, on one fresh engine (so earlier letters are there
    to guess from, as in a physician's session)."""
    settings = EngineSettings(model_path=DEMO, n_threads=1)
    letters = []
    with Engine(settings) as engine:
        info = engine.load()
        for path in DEMO_CASES:
            case = parse_case(path.read_text(encoding="utf-8"), path.name)
            options = case_options(
                case, DecodingOptions(max_tokens=1024, prompt_lookup=guess), info.fact_slots
            )
            chunks = list(engine.stream(case_prompt(case, info), options))
            text = "".join(c.text for c in chunks if isinstance(c, TextDelta))
            letters.append((text, chunks[-1]))
    return letters


def test_every_demo_letter_is_byte_for_byte_the_plain_greedy_letter():
    assert len(DEMO_CASES) >= 20
    plain = write_all(guess=0)
    guessed = write_all(guess=DecodingOptions().prompt_lookup)
    for path, (text, finished), (again, finished_again) in zip(
        DEMO_CASES, plain, guessed, strict=True
    ):
        assert again.encode() == text.encode(), path.name
        assert finished.reason == finished_again.reason == "stop"
        assert finished.timing.guessed_tokens == 0
    written = sum(f.timing.completion_tokens for _, f in guessed)
    kept = sum(f.timing.guessed_tokens for _, f in guessed)
    # the point of it: most tokens came from a guess, checked several at a time
    assert kept / written > 0.5


def test_guesses_come_from_the_longest_run_seen_most_recently():
    earlier = lookup.EarlierLetters()
    earlier.add([1, 2, 3, 4, 5])
    guesses = lookup.Guesses(earlier, prompt=[9, 2, 3, 7, 8, 2, 3])
    # "2 3" was followed by "4 5" in the earlier letter and by "7 8" in the prompt: latest wins
    assert guesses.guess(2) == [7, 8]
    guesses.extend([4])  # now "2 3 4" matches the earlier letter only, a longer run
    assert guesses.guess(5) == [5]  # and a guess never runs past the end of that letter


def test_earlier_letters_added_one_at_a_time_guess_as_the_last_ones_indexed_anew():
    # the worker adds each letter to the index of the last 32 instead of indexing them all
    # again; what it finds must be what an index of just the kept letters finds
    import random

    rng = random.Random(7)
    keep = 4
    letters = [[rng.randrange(12) for _ in range(rng.randrange(5, 60))] for _ in range(40)]
    runs = {
        tuple(letter[i : i + n])
        for letter in letters
        for n in range(lookup.SHORTEST_RUN, lookup.LONGEST_RUN + 1)
        for i in range(len(letter) - n + 1)
    }
    added = lookup.EarlierLetters(keep)
    for count, letter in enumerate(letters, start=1):
        added.add(letter)
        anew = lookup.EarlierLetters(keep)
        for kept in letters[max(0, count - keep) : count]:
            anew.add(kept)
        for run in runs:
            assert added.following(run, 8) == anew.following(run, 8), (count, run)
    assert len(added.text) < 3 * sum(len(letter) + 1 for letter in letters[-keep:])


def test_nothing_is_guessed_from_a_run_never_seen():
    guesses = lookup.Guesses(lookup.Index(), prompt=[1, 2, 3])
    assert guesses.guess(4) == []
    guesses.extend([1, 2])
    assert guesses.guess(4) == [3, 1, 2]


@pytest.mark.parametrize(
    ("changes", "usable"),
    [
        ({}, True),
        ({"prompt_lookup": 0}, False),
        ({"temperature": 0.7}, False),  # sampled letters: llama-cpp-python's own loop
        ({"repeat_penalty": 1.1}, False),
    ],
)
def test_only_greedy_letters_without_a_penalty_are_guessed(changes, usable):
    from dataclasses import asdict

    options = asdict(replace(DecodingOptions(), **changes))
    assert lookup.usable(options) is usable


def test_a_paused_letter_holds_within_100_ms_then_goes_on_to_the_same_letter():
    case = demo_case(1)
    settings = EngineSettings(model_path=DEMO, n_threads=1)
    with Engine(settings) as engine:
        info = engine.load()
        prompt = case_prompt(case, info)
        options = case_options(case, DecodingOptions(max_tokens=400), info.fact_slots)
        plain = "".join(
            c.text for c in engine.stream(prompt, replace(options, prompt_lookup=0))
            if isinstance(c, TextDelta)
        )  # fmt: skip
        engine.close()  # a fresh worker: nothing of the letter is cached
        engine.load()
        parts: list[tuple[float, str]] = []
        held: list[float] = []
        for chunk in engine.stream(prompt, options):
            if isinstance(chunk, TextDelta):
                parts.append((time.monotonic(), chunk.text))
                if not held:
                    engine.pause()
                    held.append(time.monotonic())
                    resume = threading.Timer(0.6, engine.resume)
                    resume.start()
                    held.append(held[0] + 0.6)
    paused_at, resumed_at = held
    during = [at for at, _ in parts if paused_at + 0.1 < at < resumed_at - 0.01]
    assert during == [], "text kept coming more than 100 ms after the pause"
    assert any(at >= resumed_at for at, _ in parts), "the letter did not go on"
    assert "".join(text for _, text in parts) == plain


def test_a_slow_models_step_stops_midway_for_a_pause_and_the_letter_stays_the_same(monkeypatch):
    # on an 8B model on a CPU one prompt step takes seconds: there llama.cpp's abort check stops
    # it midway and the step runs again after the pause; forced here for the demo model
    from dataclasses import asdict

    from letterdesk.core.engine import worker
    from letterdesk.core.engine.protocol import Delta, Done, Generate
    from letterdesk.core.generation.prompts import build_prompt

    monkeypatch.setattr(worker, "STOP_MIDWAY_AFTER_S", 0.0)
    pause, cancel, replies = threading.Event(), threading.Event(), []
    slow = demo_worker(replies.append, cancel, pause)
    try:
        case = demo_case(1)
        prompt = build_prompt(case, slow.llama.metadata.get("tokenizer.chat_template"))
        options = asdict(case_options(case, DecodingOptions(max_tokens=160), fact_slots=True))

        def letter(rid: int) -> str:
            slow.llama.reset()  # the whole prompt evaluated each time
            slow.generate(Generate(rid, prompt, options))
            assert any(isinstance(r, Done) and r.id == rid for r in replies), replies[-1]
            return "".join(r.text for r in replies if isinstance(r, Delta) and r.id == rid)

        plain = letter(1)
        assert slow.stopped_midway == 0  # nothing paused: no step stopped
        done = threading.Event()

        def press_keys() -> None:  # the physician types while the letter is written ahead
            while not done.is_set():  # (the app resumes only after an idle spell: here 30 ms)
                pause.set()
                time.sleep(0.004)
                pause.clear()
                time.sleep(0.03)

        typing = threading.Thread(target=press_keys)
        typing.start()
        try:
            paused = letter(2)
        finally:
            done.set()
            typing.join()
        assert slow.stopped_midway > 0  # steps were stopped midway and run again
        assert paused == plain
    finally:
        slow.close()


def test_a_fresh_workers_slow_first_step_does_not_make_a_fast_model_count_as_slow(monkeypatch):
    # the first step of a fresh process pays once for pages and threads (the demo model: now
    # and then 46 ms instead of 2); only a model whose steps stay slow gets the abort check,
    # a Python call per graph operation that would slow a fast model's every step
    import llama_cpp

    from letterdesk.core.engine import worker

    steps: list[int] = []
    always_slow = threading.Event()
    plain_eval = llama_cpp.Llama.eval

    def eval_slow_at_first(self: Any, tokens: Any) -> None:
        steps.append(len(tokens))
        time.sleep(0.1 if len(steps) == 1 or always_slow.is_set() else 0)
        plain_eval(self, tokens)

    monkeypatch.setattr(llama_cpp.Llama, "eval", eval_slow_at_first)
    monkeypatch.setattr(worker, "STOP_MIDWAY_AFTER_S", 0.03)  # a demo step: ~2 ms
    for slow, checked in ((False, False), (True, True)):
        steps.clear()
        if slow:
            always_slow.set()
        loaded = demo_worker(lambda _reply: None, threading.Event())
        try:
            assert (loaded._abort_check is not None) == checked
            assert steps == [1, 1]  # the warm-up timed again after a slow first step
        finally:
            loaded.close()


def test_guessing_is_measured_against_plain_steps_without_giving_up_guesses_for_it():
    # where guessing wins, the steps that find nothing to guess measure plain steps anyway: no
    # step is made to go without a guess it has; where it loses, a guess is still tried every
    # EXPLORE steps, so a change is noticed
    wins = lookup.Pace()
    forced = 0
    for step in range(200):
        found = step % 3 != 0  # two steps in three find something to guess
        if wins.guess_now() and found:
            wins.took(True, 3, 0.0012)  # 3 tokens in 1.2 ms
        else:
            forced += found
            wins.took(False, 1, 0.0006)
    assert forced <= 1  # the one plain step that measures them at the start

    loses = lookup.Pace()
    guessed = 0
    for _ in range(200):
        if loses.guess_now():
            guessed += 1
            loses.took(True, 1, 0.002)  # a wrong guess: one token in 2 ms
        else:
            loses.took(False, 1, 0.0006)
    assert 200 // lookup.Pace.EXPLORE - 2 <= guessed <= 200 // lookup.Pace.EXPLORE + 2
