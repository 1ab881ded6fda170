"""Constrained decoding: while the model writes a number, it may only copy one of the case's.

:class:`NumberConstraint` is a logits processor for llama-cpp-python (``Llama.generate(...,
logits_processor=LogitsProcessorList([constraint]))``). At each step it looks at the number the
letter is in the middle of (``06.0``) and allows only the tokens that keep it a prefix of a
number of the case (``06.01.2025``) or end it where it is one of them. A number glued to a word
or a hyphen (``C50.4``, ``ICD-10``, ``v5.0``, ``CA 19-9``) is left free, as are all other tokens.

The allowed numbers are every number of the case as the model reads it (:func:`case_numbers`,
from :func:`letterdesk.core.generation.prompts.render_case`), so a dose, date or fraction count can
only be
one the case states, in the case's notation. Whether this helps is measured by
``benchmarks/bench_constrained.py`` (see ``docs/grounding.md``).

numpy is imported only when a constraint is built: it comes with llama-cpp-python, which runs in
the engine's worker process.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import Any

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")  # ASCII digits only: "m²" is no number
_TRAILING = re.compile(r"[0-9][0-9.,]*$")
_LEADING = re.compile(r"[0-9.,]*")
_DIGITS = frozenset("0123456789")
_TAIL_TOKENS = 12  # enough tokens to hold the longest number being written ("06.01.2025")


def numbers_in(text: str) -> frozenset[str]:
    """Every number written in ``text`` (digits with inner ``.`` or ``,``)."""
    return frozenset(_NUMBER.findall(text))


def token_texts(llama: Any) -> list[str]:
    """The text of each token of a loaded ``llama_cpp.Llama`` (empty for control tokens)."""
    return [
        llama.detokenize([token]).decode("utf-8", errors="replace")
        for token in range(llama.n_vocab())
    ]


class Vocabulary:
    """A loaded model's token texts, and the indexes the slot and list rules find tokens by,
    built once per model and shared by every letter's rules (the engine's worker keeps one).
    Built per letter, they cost LLaMA-3's 128,256-token vocabulary about 0.2 s before every
    letter's first token — longer than a 24 GB GPU would take for a 1,100-token prompt
    (``benchmarks/bench_processor_cost.py``, ``docs/fact-slots.md``). Read only: no rule
    changes them."""

    def __init__(self, texts: Sequence[str]) -> None:
        import numpy as np

        self.texts = list(texts)
        """The text of token ``i`` (:func:`token_texts`)."""
        self.by_text: dict[str, list[int]] = {}
        """The tokens of each text."""
        for i, text in enumerate(self.texts):
            self.by_text.setdefault(text, []).append(i)
        self.sorted = sorted(t for t in self.by_text if t)
        """Every text but the empty one, sorted: those that start alike lie together."""
        self.brackets = [i for i, t in enumerate(self.texts) if "[" in t or "]" in t]
        """The tokens that could open or close a fact slot."""
        self.blank_line = np.array([i for i, t in enumerate(self.texts) if "\n\n" in t], np.intc)
        """The tokens that end a section (they hold a blank line)."""
        self.line_start = np.array([i for i, t in enumerate(self.texts) if t[:1] == "\n"], np.intc)
        """The tokens that begin with a line break."""
        for array in (self.blank_line, self.line_start):
            array.flags.writeable = False  # shared by every letter: a write would be an error


def as_vocabulary(texts: Sequence[str] | Vocabulary) -> Vocabulary:
    """``texts`` as a :class:`Vocabulary` (built here when it is a plain list of texts)."""
    return texts if isinstance(texts, Vocabulary) else Vocabulary(texts)


def _attached(char: str) -> bool:
    """A digit after this character belongs to a code or word, not to a number of its own."""
    return char.isalpha() or char in "-_/"


class NumberConstraint:
    """Keeps every number the model writes to one of ``numbers`` (see the module docstring).

    ``token_texts[i]`` is the text of token ``i``. One constraint serves one letter; its masks
    are cached per state, so a step costs one array operation over the vocabulary.
    """

    def __init__(self, token_texts: Sequence[str], numbers: Iterable[str]) -> None:
        import numpy as np

        self._np = np
        self.texts = list(token_texts)
        self.numbers = frozenset(numbers)
        self._prefixes = {n[:i] for n in self.numbers for i in range(1, len(n) + 1)}
        self._numeric = [i for i, t in enumerate(self.texts) if t and t[0] in "0123456789.,"]
        self._digits = [i for i, t in enumerate(self.texts) if _DIGITS.intersection(t)]
        self._spaced = [i for i, t in enumerate(self.texts) if not t or t[0].isspace()]
        self._spaced_digits = [i for i in self._spaced if _DIGITS.intersection(self.texts[i])]
        self._masks: dict[tuple[str, bool], Any] = {}
        self.steps = 0
        """How many steps the constraint changed (for measurements)."""

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Set the logits of disallowed tokens to -inf; ``scores`` covers the vocabulary."""
        tail = "".join(self.texts[int(t)] for t in input_ids[-_TAIL_TOKENS:])
        if tail.rfind("[[") > tail.rfind("]]"):  # inside a fact slot: its list positions are
            return scores  # no numbers of the letter (SlotConstraint keeps the slot right)
        running = _TRAILING.search(tail)
        if running is not None and running.start() > 0 and _attached(tail[running.start() - 1]):
            running = None
        key = (running.group(0) if running else "", bool(tail) and _attached(tail[-1]))
        mask = self._masks.get(key)
        if mask is None:
            mask = self._masks[key] = self._mask(*key)
        if mask.all() or not mask[: len(scores)].any():
            return scores
        self.steps += 1
        scores[~mask[: len(scores)]] = -self._np.inf
        return scores

    def _complete(self, number: str) -> bool:
        """``number`` is one of the case's, perhaps followed by a full stop or comma."""
        return number in self.numbers or (number[-1:] in (".", ",") and number[:-1] in self.numbers)

    def _allowed(self, written: str) -> bool:
        """May a number that now reads ``written`` (and maybe more text after it) stand?"""
        number = _LEADING.match(written).group(0)  # type: ignore[union-attr]
        rest = written[len(number) :]
        if not rest:
            return number in self._prefixes or self._complete(number)
        if number in self.numbers:
            return True
        # "2025." ends a sentence only before a space: "10.Bei" is a date cut short
        return self._complete(number) and rest[0].isspace()

    def _mask(self, running: str, after_word: bool) -> Any:
        np = self._np
        mask = np.ones(len(self.texts), dtype=bool)
        if running:  # in the middle of a number: it must go on as one or end as one
            if running not in self.numbers:
                mask[:] = False
                if self._complete(running):  # "2025." ends a sentence before a space
                    mask[self._spaced] = True
            for i in self._numeric:
                mask[i] = self._allowed(running + self.texts[i])
            if self._complete(running):  # " 2" after "2025.": a new number starts
                starting = self._mask("", after_word=False)
                mask[self._spaced_digits] = starting[self._spaced_digits]
            return mask
        for i in self._digits:  # a token that starts a number
            text = self.texts[i]
            first = next(n for n, c in enumerate(text) if c in _DIGITS)
            before = text[first - 1] if first else ("a" if after_word else " ")
            if not _attached(before):
                mask[i] = self._allowed(text[first:])
        return mask


class SlotConstraint:
    """While the model writes a fact slot, it may only write the name of a field the case has.

    ``names`` are the slot names the case can fill (:func:`letterdesk.core.facts.slots.slot_names`:
    ``patient.birth_date``, ``diagnoses.0.date:long`` …). After ``[[`` every token must keep the
    text a prefix of one ``name]]``, or complete one and go on with ordinary text; a slot that
    names no field of the case cannot be produced. Outside a slot only tokens that would open
    one, or write a ``]]`` that closes none, are checked: a model that loses its way writes
    pieces of slots as plain text (``CTCAE v5.1.uicc_stage]])``, measured on a fine-tuned demo
    model), and ``]]`` is the one piece that is never prose. The allowed tokens of each state
    are found through the vocabulary's text index (no pass over the whole vocabulary per step)
    and cached for the letter; ``vocabulary`` is the model's :class:`Vocabulary`, indexed once
    per model (or its token texts, indexed here).
    """

    def __init__(self, vocabulary: Sequence[str] | Vocabulary, names: Iterable[str]) -> None:
        import numpy as np

        self._np = np
        index = as_vocabulary(vocabulary)
        self.texts = index.texts
        self.complete = frozenset(f"{name}]]" for name in names)
        self._prefixes = {c[:i] for c in self.complete for i in range(len(c) + 1)}
        self._sorted_prefixes = sorted(self._prefixes)  # those that start alike lie together
        self._sorted_complete = sorted(self.complete)
        self._by_text = index.by_text
        self._sorted = index.sorted
        self._openers = index.brackets
        self._cache: dict[str, Any] = {}
        self._seen, self._tail = 0, ""
        self.steps = 0
        """How many steps the constraint changed (for measurements)."""

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Set the logits of tokens that would write an unknown slot to -inf."""
        if len(input_ids) < self._seen:  # another text: start over
            self._seen, self._tail = 0, ""
        new = "".join(self.texts[int(t)] for t in input_ids[self._seen :])
        self._seen, self._tail = len(input_ids), (self._tail + new)[-_SLOT_TAIL_CHARS:]
        state = _slot_state(self._tail)
        rule = self._cache.get(state)
        if rule is None:
            rule = self._cache[state] = self._rule(state)
        allowed, banned = rule
        if allowed is not None:
            kept = scores[allowed].copy()
            scores[:] = -self._np.inf
            scores[allowed] = kept
            self.steps += 1
        elif len(banned):
            scores[banned[banned < len(scores)]] = -self._np.inf
            self.steps += 1
        return scores

    def _ok(self, text: str) -> bool:
        """May ``text``, which starts inside an open slot (after ``[[``), be written?"""
        end = text.find("]]")
        if end < 0:
            return text in self._prefixes
        if text[: end + 2] not in self.complete:
            return False
        return self._free_ok(text[end + 2 :])

    def _free_ok(self, text: str) -> bool:
        """May ``text``, written outside a slot, stand (every slot it opens a known one, and
        no ``]]`` before it opens one)?"""
        opened = text.find("[[")
        if "]]" in (text if opened < 0 else text[:opened]):
            return False
        return opened < 0 or self._ok(text[opened + 2 :])

    def _rule(self, state: str) -> tuple[Any, Any]:
        """(allowed token ids, or None) and (banned token ids) in this state."""
        np = self._np
        if state.startswith("[["):  # inside a slot: only what continues a known name
            partial = state[2:]
            allowed: set[int] = set()
            for prefix in _starting_with(self._sorted_prefixes, partial):
                if len(prefix) > len(partial):
                    allowed.update(self._by_text.get(prefix[len(partial) :], ()))
            for whole in _starting_with(self._sorted_complete, partial):
                for text in _starting_with(self._sorted, whole[len(partial) :]):
                    if self._ok(partial + text):
                        allowed.update(self._by_text[text])
            if not allowed:  # opened before the constraint saw it (a byte-level BPE vocabulary
                return None, np.array([], dtype=np.intc)  # always continues a valid prefix)
            return np.array(sorted(allowed), dtype=np.intc), None
        banned = [i for i in self._openers if not self._free_ok(state + self.texts[i])]
        return None, np.array(banned, dtype=np.intc)


_SLOT_TAIL_CHARS = 400  # more than the longest slot, however finely it is tokenized


def _starting_with(texts: list[str], start: str) -> Iterable[str]:
    """The texts of the sorted list ``texts`` that start with ``start``, in order."""
    at = bisect.bisect_left(texts, start)
    while at < len(texts) and texts[at].startswith(start):
        yield texts[at]
        at += 1


def _slot_state(tail: str) -> str:
    """What of ``tail`` matters for the next token: an open slot (``[[radio``), a lone
    ``[`` or ``]`` at its end, or nothing."""
    opened = tail.rfind("[[")
    if opened >= 0 and "]]" not in tail[opened:]:
        return tail[opened:]
    return tail[-1] if tail.endswith(("[", "]")) else ""
