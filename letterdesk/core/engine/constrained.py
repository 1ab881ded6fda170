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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from letterdesk.core.cases.case import required_item_fields

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
    and cached for the letter.
    """

    def __init__(self, token_texts: Sequence[str], names: Iterable[str]) -> None:
        import numpy as np

        self._np = np
        self.texts = list(token_texts)
        self.complete = frozenset(f"{name}]]" for name in names)
        self._prefixes = {c[:i] for c in self.complete for i in range(len(c) + 1)}
        self._sorted_prefixes = sorted(self._prefixes)  # those that start alike lie together
        self._sorted_complete = sorted(self.complete)
        self._by_text: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            self._by_text.setdefault(text, []).append(i)
        self._sorted = sorted(t for t in self._by_text if t)
        self._openers = [i for i, t in enumerate(self.texts) if "[" in t or "]" in t]
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


# a list item's slot, once its position is written (and its field, where it has one)
_LIST_SLOT = re.compile(r"\[\[([a-z_]+)\.(\d+)(?:\.([a-z_]+))?")
_LIST_PATH = re.compile(r"([a-z_]+)\.(\d+)(?=[.:]|$)")


def _starts_item(line: str, prefix: str, name: str) -> bool:
    """Does ``line`` begin as an item line of list ``name`` whose lines begin with ``prefix``?"""
    first = _LIST_SLOT.search(line)
    return first is not None and first[1] == name and line[: first.start()] == prefix


def _begins(token: str, prefix: str) -> bool:
    """Would ``token``, at the start of a line, begin it with ``prefix``?"""
    return bool(token) and (prefix.startswith(token) or token.startswith(prefix))


class ListConstraint:
    """A list the letter sets out line by line names every item the case has.

    Slot models write the first items of a list and then often end it: the second course, the
    second diagnosis or the third follow-up appointment of a case went missing from up to half
    of the letters that needed them. The rule, for a section (the text since the last blank
    line) whose heading is followed by a line that opens with one item of a case list
    (``- [[follow_up.0.date]]: …``, ``[[diagnoses.0.text]], ICD-10 …``): while the case has an
    item the section has not opened a line with, the section cannot end; where the model would
    end it — for item lines that begin with a bullet or words, where it would end their run —
    the next line is begun as that line began, with the missing item (``- [[follow_up.1``),
    and the model writes the rest. A line begun that way for an item
    the section already has is moved on to the next missing one, and every slot of the list in
    such a line names its item. A line that names several items of a list at once (``Side
    effects: [[toxicities.0.term]] …, [[toxicities.1.term]] …``) sets no rule; nor does prose,
    whose slots stand in a section's first line.

    Two rules keep the facts of an item and of a course in the letter. An item line about to
    end without the slots of key facts of its item (``key``: a diagnosis's ICD-10 code, a
    course's doses and dates) whose fields the list's first item line names gets them, in
    that line's order, each with the punctuation (and a label in capitals, ``ICD-10``) that
    opens it there and a bracket that closes it, and then ends as the model ends it — unless
    the list still lacks an item: then one newline, and the rule above goes on
    (``- [[diagnoses.1.text]], [[diagnoses.1.grading]] ([[diagnoses.1.icd10]])``). And a
    slot opened at the start of a line that would name a follow-up appointment before the
    letter has named any course of a case that has one names the first course's start
    instead: a letter states the treatment before the appointments after it; the section's
    further courses are begun where it would end.

    ``names`` are the case's slot names (:func:`letterdesk.core.facts.slots.slot_names`), from which
    the lists and their lengths are read; ``key`` the slots of its key facts
    (:func:`letterdesk.core.facts.slots.key_slot_names`); ``tokenize`` cuts a forced start as
    the model's tokenizer does, so the model reads it as it would have written it. Runs after
    :class:`SlotConstraint`: what it forces is a prefix of a slot that constraint allows. One
    constraint serves one letter; see ``docs/fact-slots.md`` for what it changed.
    """

    def __init__(
        self,
        token_texts: Sequence[str],
        names: Iterable[str],
        tokenize: Callable[[str], Sequence[int]],
        key: Iterable[str] = (),
    ) -> None:
        import numpy as np

        self._np = np
        self.texts = list(token_texts)
        self.tokenize = tokenize
        self.names = frozenset(names)
        self.key = frozenset(key)
        self.lengths: dict[str, int] = {}
        for name in self.names:
            if m := _LIST_PATH.match(name):
                self.lengths[m[1]] = max(self.lengths.get(m[1], 0), int(m[2]) + 1)
        self._blank = np.array([i for i, t in enumerate(self.texts) if "\n\n" in t], np.intc)
        self._newline = np.array([i for i, t in enumerate(self.texts) if t[:1] == "\n"], np.intc)
        self._start: int | None = None
        self._seen, self._text = 0, ""
        self._queue: list[int] = []  # the tokens of a forced start still to write
        self._amended: set[int] = set()  # where the lines given their key facts begin
        self._course_at: int | None = None  # where a course was named for an appointment
        self.steps = 0
        """How many steps the constraint changed (for measurements)."""

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Keep the section open, or write the forced start of an item's line."""
        if self._start is None or len(input_ids) < self._seen:  # the prompt, or another text
            self._start = self._seen = len(input_ids)
            self._text, self._queue = "", []
            self._amended, self._course_at = set(), None
        new = [int(t) for t in input_ids[self._seen :]]
        self._text += "".join(self.texts[t] for t in new)
        self._seen = len(input_ids)
        if self._queue and new and new[-1] != self._queue[0]:
            self._queue = []  # the forced token was not taken (another processor banned it)
        elif self._queue and new:
            self._queue.pop(0)
        if not self._queue:
            forced = self._plan(self._text, scores)
            self._queue = list(self.tokenize(forced)) if forced else []
        if self._queue:
            token = self._queue[0]
            if token < len(scores) and scores[token] > -self._np.inf:
                kept = scores[token]
                scores[:] = -self._np.inf
                scores[token] = kept
                self.steps += 1
            else:
                self._queue = []
        return scores

    def _plan(self, text: str, scores: Any) -> str:
        """The text the letter must go on with ("" to leave it free, after banning the tokens
        that would end a section with an item missing)."""
        section = text[text.rfind("\n\n") + 2 :]
        lines = section.split("\n")
        heads: dict[str, str | None] = {}  # list → how its item lines begin (None: no rule)
        fields: dict[str, str] = {}  # list → the field its item lines begin with
        firsts: dict[str, tuple[int, str]] = {}  # list → its first item line (item, text)
        opened: dict[str, set[int]] = {}
        item_of_line: tuple[str, int] | None = None
        course_here = self._course_at is not None and self._course_at >= len(text) - len(section)
        for number, line in enumerate(lines):
            first = _LIST_SLOT.search(line)
            if number == 0 or first is None or first[1] not in self.lengths:
                continue
            name, index, prefix = first[1], int(first[2]), line[: first.start()]
            if name not in heads:
                named = {int(m[2]) for m in _LIST_SLOT.finditer(line) if m[1] == name}
                heads[name] = prefix if named == {index} else None
                opened[name] = {index}
                fields[name] = first[3] or ""
                firsts[name] = (index, line)
            elif heads[name] == prefix:
                opened[name].add(index)
                if number == len(lines) - 1:
                    item_of_line = (name, index)
        missing = [
            (name, prefix, min(set(range(self.lengths[name])) - opened[name]))
            for name, prefix in heads.items()
            if prefix is not None and len(opened[name]) < self.lengths[name]
        ]
        starts = {  # how a missing item's line begins: its field too where every item has it
            name: f"{prefix}[[{name}.{index}"
            + (f".{fields[name]}" if fields[name] in required_item_fields(name) else "")
            for name, prefix, index in missing
        }
        current = lines[-1]
        wants = int(self._np.argmax(scores))
        token = self.texts[wants] if wants < len(self.texts) else ""
        begins = len(text) - len(current)
        if not text.endswith("\n") and "\n" in token and begins not in self._amended:
            ended = current + token[: token.index("\n")]  # the line is about to end
            if amendment := self._unnamed_fields(ended, heads, firsts):
                self._amended.add(begins)  # once: a forced token another rule bans ends it
                at = token.index("\n")  # then the line ends as the model ends it, but a
                end = "\n" if missing else token[at:]  # list with an item missing goes on
                return token[:at] + amendment + end
        opened_slot = current.rfind("[[")
        if opened_slot >= 0 and "]]" not in current[opened_slot:]:  # inside a slot
            partial = current[opened_slot + 2 :]
            for name, prefix, index in missing:
                if current == f"{prefix}[[{name}.":  # a new item line: the next missing item
                    return str(index)
            if item_of_line and partial == f"{item_of_line[0]}.":
                return str(item_of_line[1])
            if course := self._course_first(text, current[:opened_slot], partial, token):
                self._course_at = len(text)
                return course
        if not missing or len(lines) < 2:
            return ""
        ending = self._newline if text.endswith("\n") else self._blank
        ending = ending[ending < len(scores)]
        scores[ending] = -self._np.inf
        self.steps += 1
        last = lines[-2] if text.endswith("\n") else current  # the line that just ended
        ran = {name: bool(p) and _starts_item(last, p, name) for name, p, _ in missing}
        for name, prefix, _ in sorted(missing, key=lambda m: not ran[m[0]]):  # a run's end first
            item_line = ran[name]
            if text.endswith("\n") and item_line and not _begins(token, prefix):
                return starts[name]  # a run of bulleted items ends: not yet
            # a section ends: after a bulleted run, at its end; a course named in an
            # appointment's place, before the appointments, is completed where it ends
            if not prefix or item_line or (course_here and name == "radiotherapy"):
                if text.endswith("\n") and token.startswith("\n"):
                    return starts[name]
                if not text.endswith("\n") and "\n\n" in token:
                    return f"{token[: token.index(chr(10) * 2) + 1]}{starts[name]}"
        return ""

    def _unnamed_fields(
        self, line: str, heads: dict[str, str | None], firsts: dict[str, tuple[int, str]]
    ) -> str:
        """The slots, each with what opens and closes it, of the key facts of its item that
        ``line``, an item line about to end, leaves out though the list's first item line
        names their fields, in that line's order (``" ([[diagnoses.1.icd10]])"``); "" when it
        leaves out none."""
        first = _LIST_SLOT.search(line)
        if first is None or line.rfind("[[") > line.rfind("]]"):
            return ""
        name, index = first[1], int(first[2])
        if heads.get(name) is None or line[: first.start()] != heads[name]:
            return ""
        sibling, model = firsts[name]
        if sibling == index:
            return ""
        unnamed = []  # (where the first line names it, its slot there, the slot this line needs)
        for field in {key.rsplit(".", 1)[1] for key in self.key if key.startswith(f"{name}.")}:
            slot = re.search(rf"\[\[{name}\.{sibling}\.{field}(:[a-z]+)?\]\]", model)
            if slot is None or f"{name}.{index}.{field}" not in self.key:
                continue
            if re.search(rf"\[\[{name}\.{index}\.{field}[:\]]", line):
                continue
            written = f"{name}.{index}.{field}{slot[1] or ''}"
            if written in self.names:
                unnamed.append((slot.start(), slot, written))
        return "".join(
            _as_in(model, slot, written) for _, slot, written in sorted(unnamed, key=_first)
        )

    def _course_first(self, text: str, before: str, partial: str, token: str) -> str:
        """Where a slot opened at the start of a line (after ``before``, a bullet or nothing;
        ``partial`` of it written, ``token`` next) would name a follow-up appointment before
        the letter has named any radiotherapy course of a case that has one, the course's slot
        instead: a letter states the treatment before the appointments after it (a fine-tuned
        model went from a "Zustand nach Strahlentherapie:" heading straight to the
        appointments, and the course's doses and dates were lost). A slot in a sentence
        ("Wiedervorstellung am [[follow_up.0.date]]") is left alone: a course's date in an
        appointment's sentence would be a wrong fact."""
        if partial or _WORD.search(before) or not self.lengths.get("radiotherapy"):
            return ""
        if "[[radiotherapy." in text or not token:
            return ""
        if not (_APPOINTMENTS.startswith(token) or token.startswith(_APPOINTMENTS)):
            return ""
        if any(n.startswith(token) for n in self.names if not n.startswith(_APPOINTMENTS)):
            return ""  # not yet clear that it names an appointment
        start = "radiotherapy.0.start_date"
        return f"{start}]]" if start in self.names else "radiotherapy.0."


_APPOINTMENTS = "follow_up."
_WORD = re.compile(r"\w")
# what opens a field in a line: its punctuation (" (" of ", left ("), with a label in capitals
# or digits before it (", ICD-10 "); words (a side, a site) belong to that line's item
_OPENING = re.compile(r"\W*(?:[A-Z0-9][A-Z0-9-]*)?\W*$")


def _first(found: tuple[int, Any, str]) -> int:
    return found[0]


def _as_in(model: str, slot: re.Match[str], written: str) -> str:
    """Slot ``written`` with what opens and closes ``slot`` in line ``model``: the punctuation
    and a label before it, the brackets after it that close one it opened (", " where nothing
    of that is there)."""
    before = model.rfind("]]", 0, slot.start())
    said = model[before + 2 : slot.start()] if before >= 0 else ""
    opening = _OPENING.search(said)[0]  # type: ignore[index]
    if not opening.strip():
        opening = ", "
    after = re.match(r"\)*", model[slot.end() :])[0]  # type: ignore[index]
    closing = ")" * min(len(after), opening.count("(") - opening.count(")"))
    return f"{opening}[[{written}]]{closing}"
