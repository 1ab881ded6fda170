"""Prompt-lookup decoding: greedy letters written several tokens per llama.cpp step.

A letter copies long spans — from the case in the prompt (histories, findings, the
recommendation), from itself, and above all from the model's earlier letters of the same
kind (the house style's phrases; a slot model's letters of one type share most of their
tokens, ``[[courses.0.total_dose:de]]`` included). After each token, :class:`Guesses` looks
up the longest run of last tokens seen before in the earlier letters, the prompt and the
letter so far; the tokens that followed it are the *guess*. (llama-cpp-python's
``LlamaPromptLookupDecoding``, which looks in the prompt only and takes the earliest match,
was tried first: the 24 demo letters kept only 16 % of its guesses, too few to pay for the
larger batches.)
The token just chosen and the guess are evaluated by llama.cpp in one batch, and each guessed
token is kept only while it is exactly the token greedy decoding chooses at its place.
Whether that batch costs little more than one token depends on the model and the machine,
so :class:`Pace` measures it while the letter is written.

The choice at every place is made as in plain decoding: the same logits processors (the
number, slot and list constraints) see the same tokens before it, in the same order, and
the highest logit wins (the first of equals, as llama.cpp's greedy sampler). A guess is
checked only after every earlier one was kept, so a processor never sees a token that is
not part of the letter. The letter is therefore the plain greedy letter, token for token;
``tests/core/engine/test_lookup.py`` compares both byte for byte on every demo case.

Only greedy decoding without a repeat penalty is written this way (sampling would need
the rejection rule of speculative sampling; a penalty sampler's history would see guesses);
other options fall back to llama-cpp-python's ``Llama.generate``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

Processor = Callable[[Any, Any], Any]

LONGEST_RUN = 8
"""The longest run of last tokens looked up (a longer match is tried first)."""
SHORTEST_RUN = 2
"""The shortest: a single token matches too often to be worth a guess."""
PROMPT_STEP = 64
"""Prompt tokens evaluated between two looks at pause and cancel (a few milliseconds with the
demo model; a 64-token batch is still an efficient one for llama.cpp)."""
EARLIER_LETTERS = 32
"""How many earlier letters of this model the worker keeps as a source of guesses."""


def usable(options: dict[str, Any]) -> bool:
    """Can a letter with these decoding options be written by prompt lookup?"""
    return (
        int(options.get("prompt_lookup", 0)) > 0
        and float(options["temperature"]) == 0.0
        and float(options["repeat_penalty"]) == 1.0
    )


class Index:
    """Where each run of :data:`SHORTEST_RUN` to :data:`LONGEST_RUN` tokens of a text was seen
    last, so that what followed it can be looked up in one step."""

    def __init__(self) -> None:
        self.text: list[int] = []
        self.seen: list[dict[tuple[int, ...], int]] = [
            {} for _ in range(LONGEST_RUN + 1)
        ]  # run length → run → where what followed it starts
        self.live = 0
        """Where the text still counts: what was last seen before it is not found."""

    def extend(self, tokens: Iterable[int]) -> None:
        """Add tokens to the text."""
        text, seen = self.text, self.seen
        for token in tokens:
            end = len(text)
            for run in range(SHORTEST_RUN, min(end, LONGEST_RUN) + 1):
                seen[run][tuple(text[end - run : end])] = end
            text.append(token)

    def following(self, run: tuple[int, ...], count: int) -> list[int] | None:
        """Up to ``count`` tokens that followed ``run`` where it was seen last (never past the
        end of a letter); None where it was never seen."""
        start = self.seen[len(run)].get(run)
        if start is None or start < self.live:
            return None
        following = self.text[start : start + count]
        return following[: following.index(-1)] if -1 in following else following


class EarlierLetters(Index):
    """The index of the model's last ``keep`` letters, a run never spanning two of them,
    one letter added at a time: a letter costs indexing itself (0.8 ms for 350 tokens), where
    indexing all 32 again after each letter took 16–26 ms, which the next letter waited for
    when letters were written back to back (pre-drafting). The oldest letter drops out of the
    search as the next one comes in: a run last seen there is not found, as if it had never
    been indexed; once more text is gone than kept, the kept letters are indexed anew."""

    def __init__(self, keep: int = EARLIER_LETTERS) -> None:
        super().__init__()
        self.keep = keep
        self.starts: deque[int] = deque()  # where each kept letter starts in the text

    def add(self, letter: Sequence[int]) -> None:
        """Index one more letter (the oldest drops out when ``keep`` are kept)."""
        self.starts.append(len(self.text))
        self.extend(letter)
        self.text.append(-1)
        if len(self.starts) > self.keep:
            self.starts.popleft()
            self.live = self.starts[0]
            if self.live > len(self.text) - self.live:
                self._index_anew()

    def take(self, letters: Sequence[str], tokenize: Callable[[str], list[int]]) -> int:
        """Index letters the model wrote before this worker started (the store's, oldest
        first) as if the worker had written them, unless it has letters of its own: after a
        restart the first letter guesses as well as the later ones. How many it took."""
        if self.starts:
            return 0
        kept = letters[-self.keep :]
        for letter in kept:
            self.add(tokenize(letter))
        return len(kept)

    def _index_anew(self) -> None:
        ends = [*list(self.starts)[1:], len(self.text)]
        letters = [self.text[start : end - 1] for start, end in zip(self.starts, ends, strict=True)]
        super().__init__()  # an empty text
        self.starts.clear()
        for letter in letters:
            self.add(letter)


class Guesses:
    """Where the last tokens were seen before, and what followed them.

    The text searched is the letter so far after the prompt, then the earlier letters (the
    :class:`EarlierLetters` the worker keeps between letters); the longest run of last tokens
    that was seen before wins,
    and of its places the latest (the letter's own recent text before the prompt, the prompt
    before earlier letters).
    """

    def __init__(self, earlier: Index, prompt: Sequence[int]) -> None:
        self.earlier = earlier
        self.own = Index()
        self.own.extend(prompt)

    def extend(self, tokens: Iterable[int]) -> None:
        """Add tokens to the letter."""
        self.own.extend(tokens)

    def guess(self, count: int) -> list[int]:
        """Up to ``count`` tokens that followed the longest run of last tokens seen before."""
        text = self.own.text
        for run in range(min(LONGEST_RUN, len(text)), SHORTEST_RUN - 1, -1):
            last = tuple(text[-run:])
            for index in (self.own, self.earlier):
                following = index.following(last, count)
                if following is not None:
                    return following
        return []


@dataclass
class Tally:
    """How a letter's guesses went: tokens guessed, and of them kept (for measurements)."""

    guessed: int = 0
    kept: int = 0


def generate(
    llama: Any,
    tokens: Sequence[int],
    processors: Sequence[Processor],
    guess: int,
    earlier: Index | None = None,
    tally: Tally | None = None,
    hold: Callable[[], bool] = lambda: False,
) -> Iterator[int]:
    """The greedy letter's tokens after the prompt ``tokens``, guessing up to ``guess``
    tokens ahead at each step from the letter so far, the prompt and ``earlier`` letters (their
    :class:`Index`).
    The caller stops reading where the letter ends; ``tally`` counts the guesses. The prompt
    is evaluated :data:`PROMPT_STEP` tokens at a time, calling ``hold`` between (it waits while
    the app pauses the worker, and ends the letter when it returns True: cancelled).

    Like ``Llama.generate``, the KV cache of the previous request is kept as far as the
    prompts agree; ``llama.input_ids[:llama.n_tokens]`` is always the evaluated text.
    """
    import numpy as np

    tally = tally if tally is not None else Tally()
    n_vocab, n_ctx = llama.n_vocab(), llama.n_ctx()
    context = llama._ctx  # llama-cpp-python's context: one batch, logits at every place

    def choose(place: int, known: int) -> int:
        """The greedy token after the first ``known`` tokens, whose last one has the logits
        at batch index ``place``."""
        scores = np.ctypeslib.as_array(context.get_logits_ith(place), shape=(n_vocab,)).copy()
        history = llama.input_ids[:known]
        for processor in processors:
            scores = processor(history, scores)
        return int(np.argmax(scores))

    if not evaluate_prompt(llama, list(tokens), hold):
        return
    chosen = choose(-1, llama.n_tokens)
    yield chosen  # the first token goes out before the prompt is indexed for guesses
    guesses = Guesses(earlier if earlier is not None else Index(), tokens)
    length = guess  # shorter after a guess that was wrong from its first token
    pace = Pace()
    while True:
        n_past = llama.n_tokens
        if n_past + 1 >= n_ctx:
            raise RuntimeError("the letter reached the end of the model's context")
        guesses.extend((chosen,))
        guessing = pace.guess_now()
        guessed = guesses.guess(min(length, n_ctx - n_past - 2)) if guessing else []
        tally.guessed += len(guessed)
        started, produced = time.perf_counter(), 1
        batch = [chosen, *guessed]
        llama._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
        if not step_held(lambda: context.decode(llama._batch), hold):
            return
        llama.input_ids[n_past : n_past + len(batch)] = batch
        llama.n_tokens = n_past + len(batch)
        for place in range(len(batch)):
            token = choose(place, n_past + place + 1)
            if place < len(guessed) and token == guessed[place]:
                guesses.extend((token,))
                tally.kept += 1
                produced += 1
                yield token
                continue
            if guessed:
                length = max(1, length // 2) if place == 0 else min(guess, length * 2)
            kept = n_past + place + 1
            if kept < llama.n_tokens:  # the guesses after a wrong one leave the cache
                context.kv_cache_seq_rm(-1, kept, -1)
                llama.n_tokens = kept
            chosen = token
            break
        pace.took(bool(guessed), produced, time.perf_counter() - started)
        yield chosen


class Pace:
    """Whether guessing pays on this model and machine, measured while the letter is written.

    Checking guesses in a batch is almost free where a step is bound by reading the weights
    (a large model on a CPU, or a tiny one bound by per-step overhead) and costs nearly a step
    per token where it is bound by arithmetic (a mid-sized model on few CPU cores: measured
    0.82x on the 58M-parameter benchmark model before this). So the tokens per second of
    steps with and without a guess are kept (moving averages over the letter); the faster
    kind is used, and the other when it was not measured in the last :data:`EXPLORE` steps,
    so a change is noticed. (Where guessing wins, the steps that find nothing to guess measure
    the other kind anyway; forcing a step without a guess every 8th step instead, the demo
    model's 8-letter bench series took 847 llama.cpp steps where it now takes 809–820.)
    """

    EXPLORE = 8
    WEIGHT = 0.2

    def __init__(self) -> None:
        self.rate: dict[bool, float | None] = {True: None, False: None}
        self.steps = 0
        self.measured = {True: 0, False: 0}  # the step that last measured each kind

    def guess_now(self) -> bool:
        """Should the next step guess?"""
        self.steps += 1
        with_guess, without = self.rate[True], self.rate[False]
        if with_guess is None or without is None:
            return with_guess is None  # try guessing first, then a step without
        better = with_guess >= without
        return (not better) if self.steps - self.measured[not better] >= self.EXPLORE else better

    def took(self, guessed: bool, tokens: int, seconds: float) -> None:
        """A step (with a guess or not) produced ``tokens`` in ``seconds``."""
        rate = tokens / max(seconds, 1e-9)
        before = self.rate[guessed]
        self.rate[guessed] = rate if before is None else before + self.WEIGHT * (rate - before)
        self.measured[guessed] = self.steps


def evaluate_prompt(llama: Any, tokens: list[int], hold: Callable[[], bool]) -> bool:
    """Evaluate the prompt :data:`PROMPT_STEP` tokens at a time, keeping the cached part it
    shares with the last request; ``hold`` is called between steps (it waits while the worker
    is paused). False when ``hold`` said stop on the way (the cache then holds the tokens
    evaluated so far)."""
    same = common_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)
    same = min(same, len(tokens) - 1)  # the last prompt token is evaluated for its logits
    if same > 0 and llama._ctx.kv_cache_seq_rm(-1, same, -1):
        llama.n_tokens = same
    else:
        llama.reset()
    rest = tokens[llama.n_tokens :]
    for start in range(0, len(rest), PROMPT_STEP):
        if start and hold():
            return False
        step = rest[start : start + PROMPT_STEP]
        if not step_held(partial(llama.eval, step), hold):
            return False
    return True


ABORTED = "llama_decode returned 2"
"""llama-cpp-python's error for a step that llama.cpp's abort check stopped; llama.cpp then
removes the step's positions from its cache, so the step can simply be run again."""


def step_held(step: Callable[[], object], hold: Callable[[], bool]) -> bool:
    """Run one llama.cpp step. Where the worker lets the pause and cancel stop a step midway
    (a model slow enough to need it, see ``worker``), a stopped step waits as ``hold`` does and
    runs again; False when the letter was cancelled instead."""
    while True:
        try:
            step()
            return True
        except RuntimeError as exc:
            if str(exc) != ABORTED:
                raise
        if hold():
            return False


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many tokens two token lists share from their start."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
