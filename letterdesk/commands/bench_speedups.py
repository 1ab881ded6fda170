"""``letterdesk bench``'s measurements of the three ways LetterDesk saves waiting, each side by
side in one run on the same model:

- **prompt lookup** (:mod:`letterdesk.core.engine.lookup`): a series of letters for
  ``letters`` synthetic cases of one type, written as the app writes them (its prompt, its
  decoding with fact slots and constraints, ending where the model ends the letter, at most
  ``tokens``), by an engine without prompt lookup and by an engine with it, the cases in the
  same order, ``repeat`` rounds (medians; the engine without lookup first in every other
  round). Each engine is fresh and first writes one letter for another case, as every path of
  the bench is warm: a fresh worker has no earlier letters to guess from, so its first letter
  guesses little (that letter's own speed-up, request to last token, is reported beside:
  ``lookup_first_letter_speedup``). After a restart the app's engine takes the model's
  letters from the store (:func:`~letterdesk.core.generation.warming.warm_up`): each
  round ends with a fresh engine that took the round's series letters and writes that first
  letter (``lookup_restart_first_letter_speedup``). Tokens per second over the series
  (request to last token, prompt included), and whether every letter, the warm-up letter
  included (all three times), came out byte for byte the same in every round; beside it the
  speed-up of writing alone (from each letter's first token to its last, as the worker timed
  it), the part that guessing can shorten;
- **the shared prompt prefix across restarts** (:mod:`letterdesk.core.engine.prefix_state`):
  time to the first token of a fresh worker's first letter, written with the app's decoding
  (a greedy letter by prompt lookup, its prompt evaluated 64 tokens a step) — at the very
  first start (the prefix evaluated and saved), then ``repeat`` times in turn cold, as before
  saved prefixes (the whole prompt evaluated), after a restart as the window has it (the
  saved prefix of the type written last loaded after the model's load), and with the saved
  prefix loaded before the letter, timed, as a letter of another type waits (medians);
- **a pre-drafted case opened**: ``benchmarks/bench_predraft_open.py`` (the window, offscreen,
  in a process of its own) — from selecting a case whose draft was written ahead to its
  complete draft in the editor.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from letterdesk.commands import report_progress

PREDRAFT_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_predraft_open.py"


def synthetic_cases(seed: int, count: int, language: str, letter_type: str) -> list[Any]:
    """``count`` synthetic cases of one type and language (the generator's, labelled so)."""
    from letterdesk.core.cases.case import parse_case
    from letterdesk.core.synthetic.generator import generate_case

    return [
        parse_case(
            json.dumps(generate_case(seed, index, language=language, letter_type=letter_type)),
            "synthetic case",
        )
        for index in range(count)
    ]


Runs = list[tuple[dict[str, Any], dict[str, Any]]]
"""Each round's (warm-up letter, series) figures of one kind of engine."""


def lookup_series(
    settings: Any, warm_up: Any, cases: list[Any], tokens: int, guess: int, repeat: int
) -> dict[str, Any]:
    """The series of ``cases`` without and with prompt lookup, ``repeat`` rounds, each engine
    fresh and warmed up by the letter for the case ``warm_up`` (timed apart). The engine
    without goes first in every other round, so a drift in the machine's speed favours neither
    side; every ratio is one of medians over the rounds. See the module docstring."""
    plain: Runs = []
    guessed: Runs = []
    recalled: list[dict[str, Any]] = []  # each round's restarted engine's first letter
    for round_ in range(repeat):
        order = [(plain, 0), (guessed, guess)]
        for runs, ahead in order if round_ % 2 == 0 else reversed(order):
            runs.append(_series(settings, warm_up, cases, tokens, ahead))
        recalled.append(_after_restart(settings, warm_up, guessed[-1][1]["texts"], tokens, guess))
    return {
        "lookup_letters": len(cases),
        "lookup_warm_up_letters": 1,
        "lookup_guess_tokens": guess,
        "lookup_series_tokens": guessed[0][1]["tokens"],
        **_series_figures(plain, guessed),
        **_first_letter_figures(plain, guessed, recalled),
        # every letter the same with and without, the warm-up letter too, in every round
        "identical_output": all(
            (p[0]["texts"], p[1]["texts"]) == (g[0]["texts"], g[1]["texts"])
            and r["texts"] == p[0]["texts"]
            for p, g, r in zip(plain, guessed, recalled, strict=True)
        ),
    }


def _median(runs: Runs, part: int, key: str) -> float:
    return float(statistics.median(run[part][key] for run in runs))


def _share(letters: list[dict[str, Any]]) -> float:
    """The share of the letters' tokens that came from guesses, pooled."""
    return sum(one["guessed"] for one in letters) / max(1, sum(one["tokens"] for one in letters))


def _series_figures(plain: Runs, guessed: Runs) -> dict[str, Any]:
    plain_rate, lookup_rate = _median(plain, 1, "rate"), _median(guessed, 1, "rate")
    return {
        "engine_letters_tokens_per_s": plain_rate,
        "lookup_tokens_per_s": lookup_rate,
        "lookup_speedup": lookup_rate / plain_rate,
        "lookup_runs_speedup": [
            g[1]["rate"] / p[1]["rate"] for p, g in zip(plain, guessed, strict=True)
        ],
        # the letters after their first token (the worker's timings): what guessing can shorten
        "lookup_writing_speedup": _median(plain, 1, "writing") / _median(guessed, 1, "writing"),
        "lookup_guessed_share": _share([run[1] for run in guessed]),
    }


def _first_letter_figures(
    plain: Runs, guessed: Runs, recalled: list[dict[str, Any]]
) -> dict[str, Any]:
    """A fresh engine's first letter with prompt lookup, ÷ without: with nothing written
    before it to guess from, and after taking the model's letters from before (the store's,
    as the app hands them to a restarted worker)."""
    plain_rate = _median(plain, 0, "rate")
    return {
        "lookup_first_letter_speedup": _median(guessed, 0, "rate") / plain_rate,
        "lookup_first_letter_guessed_share": _share([run[0] for run in guessed]),
        "lookup_recalled_letters": min(run["taken"] for run in recalled),  # as the worker said
        "lookup_restart_first_letter_speedup": (
            statistics.median(run["rate"] for run in recalled) / plain_rate
        ),
        "lookup_restart_first_letter_guessed_share": _share(recalled),
    }


def _series(
    settings: Any, warm_up: Any, cases: list[Any], tokens: int, guess: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One fresh engine's letters: (the warm-up letter's, the series') figures."""
    from letterdesk.core.engine.local import Engine

    with Engine(settings) as engine:
        info = engine.load(report_progress)
        return (
            _letters(engine, info, [warm_up], tokens, guess),
            _letters(engine, info, cases, tokens, guess),
        )


def _after_restart(
    settings: Any, case: Any, recalled: list[str], tokens: int, guess: int
) -> dict[str, Any]:
    """A fresh engine's first letter by prompt lookup after it took ``recalled``, the model's
    letters written before (as the app's engine takes the store's at load, not timed)."""
    from letterdesk.core.engine.local import Engine

    with Engine(settings) as engine:
        info = engine.load(report_progress)
        taken = engine.remember(lambda: recalled)
        return {**_letters(engine, info, [case], tokens, guess), "taken": taken}


def _letters(engine: Any, info: Any, cases: list[Any], tokens: int, guess: int) -> dict[str, Any]:
    from letterdesk.core.engine.types import DecodingOptions, Finished, TextDelta
    from letterdesk.core.generation.draft import case_options, case_prompt

    texts, total_tokens, guessed, seconds, writing = [], 0, 0, 0.0, 0.0
    for case in cases:
        options = case_options(
            case, DecodingOptions(max_tokens=tokens, prompt_lookup=guess), info.fact_slots
        )
        prompt = case_prompt(case, info)
        started = time.perf_counter()
        parts, finished = [], None
        for chunk in engine.stream(prompt, options):
            if isinstance(chunk, TextDelta):
                parts.append(chunk.text)
            elif isinstance(chunk, Finished):
                finished = chunk
        seconds += time.perf_counter() - started
        assert finished is not None
        texts.append("".join(parts))
        total_tokens += finished.timing.completion_tokens
        guessed += finished.timing.guessed_tokens
        writing += finished.timing.total_s - finished.timing.time_to_first_token_s
    return {"texts": texts, "tokens": total_tokens, "guessed": guessed, "seconds": seconds,
            "rate": total_tokens / seconds, "writing": writing}  # fmt: skip


def restart_ttft(settings: Any, case: Any, repeat: int) -> dict[str, Any]:
    """A fresh worker's first letter, time to its first token: as before saved prefixes (the
    whole prompt evaluated), at the very first start (the prefix evaluated and saved), and
    after a restart — as the window has it for the letter type written last (that saved
    prefix loaded right after the model's load, untimed like the load: ``restart_*``) and with
    the saved prefix loaded before the letter, timed (``restart_at_letter_*``: what a letter of
    another type than the last waits; here the same case's, a state of the same size). The
    first, then ``repeat`` times each in turn, each with a worker of its own (medians)."""
    colds: list[float] = []
    restarts: dict[str, list[float]] = {"load": [], "letter": []}
    hows: set[str] = set()
    with _empty_home():
        first_start, first_how = _first_letter(settings, case, "letter")
        for _ in range(repeat):
            colds.append(_first_letter(settings, case, None)[0])
            for when, runs in restarts.items():
                seconds, how = _first_letter(settings, case, when)
                runs.append(seconds)
                hows.add(how)
    cold = statistics.median(colds)
    restart, at_letter = (statistics.median(restarts[when]) for when in ("load", "letter"))
    return {
        "cold_first_ttft_s": cold,
        "first_start_ttft_s": first_start,
        "restart_first_ttft_s": restart,
        "restart_vs_cold_ttft": restart / cold,
        "restart_at_letter_ttft_s": at_letter,
        "restart_at_letter_vs_cold_ttft": at_letter / cold,
        "cold_first_runs_s": colds,
        "restart_first_runs_s": restarts["load"],
        "restart_at_letter_runs_s": restarts["letter"],
        "restart_prefix": f"{first_how}, then {' / '.join(sorted(hows))}",
    }


@contextlib.contextmanager
def _empty_home() -> Iterator[None]:
    """LetterDesk's data folder an empty temporary one meanwhile (no saved states)."""
    with tempfile.TemporaryDirectory(prefix="letterdesk-bench-") as home:
        before = os.environ.get("LETTERDESK_HOME")
        os.environ["LETTERDESK_HOME"] = home
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("LETTERDESK_HOME", None)
            else:
                os.environ["LETTERDESK_HOME"] = before


def _first_letter(settings: Any, case: Any, prepared: str | None) -> tuple[float, str]:
    """A fresh worker's first letter: (seconds to its first token, how the prefix came).
    ``prepared``: ``load`` — the saved prefix used last loaded after the model's load, as the
    window does (:func:`~letterdesk.core.generation.warming.warm_up`), before the timing;
    ``letter`` — the prefix prepared before the letter only, timed; None — no prefix."""
    from letterdesk.core.engine.local import Engine
    from letterdesk.core.engine.types import DecodingOptions, TextDelta
    from letterdesk.core.generation.draft import case_options, case_prompt
    from letterdesk.core.generation.prompts import shared_prefix

    with Engine(settings) as engine:
        info = engine.load(report_progress)
        engine.identity()  # the app knows the model's hash before it writes (its registry)
        hows = [f"{engine.prepare(None)} at the load"] if prepared == "load" else []
        prompt = case_prompt(case, info)
        options = case_options(case, DecodingOptions(max_tokens=8), info.fact_slots)
        prefix = shared_prefix(prompt, case) if prepared is not None else None
        started = time.perf_counter()
        if prefix is not None:  # as the app does before every letter
            hows.append(f"{engine.prepare(prefix)} at the letter")
        # the app's decoding: a greedy letter by prompt lookup, its prompt in 64-token steps
        for chunk in engine.stream(prompt, options):
            if isinstance(chunk, TextDelta):
                break
        return time.perf_counter() - started, ", ".join(hows) or "none"


def predraft_open(model: Path, letters: int, tokens: int) -> tuple[dict[str, Any] | None, str]:
    """``benchmarks/bench_predraft_open.py`` in a process of its own; (figures, why not)."""
    if not PREDRAFT_SCRIPT.is_file():
        return None, f"{PREDRAFT_SCRIPT} is missing (it ships with the source tree only)"
    with tempfile.TemporaryDirectory(prefix="letterdesk-bench-") as home:
        environment = {
            **os.environ,
            "LETTERDESK_HOME": home,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        }
        done = subprocess.run(
            [sys.executable, str(PREDRAFT_SCRIPT), "--model", str(model), "--letters",
             str(letters), "--tokens", str(tokens)],
            capture_output=True, text=True, check=False, env=environment,
        )  # fmt: skip
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"the window benchmark could not run: {last}"
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "predraft_open_ms": statistics.median(figures["open_ms"]),
        "predraft_open_runs_ms": figures["open_ms"],
    }, ""
