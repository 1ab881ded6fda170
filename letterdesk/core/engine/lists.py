"""Lists set out in full: while the model writes a list line by line, it names every item of the
case, each with its key facts, and a course before the appointments after it.

:class:`ListConstraint` is a logits processor for llama-cpp-python that runs after
:class:`letterdesk.core.engine.constrained.SlotConstraint` in the engine's worker process
(numpy comes with llama-cpp-python there). What it changed is measured in
``docs/fact-slots.md`` ("Lists set out in full", "An item's key facts").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from letterdesk.core.cases.case import required_item_fields
from letterdesk.core.engine.constrained import Vocabulary, as_vocabulary

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
    the model's tokenizer does, so the model reads it as it would have written it;
    ``vocabulary`` is the model's :class:`~letterdesk.core.engine.constrained.Vocabulary` (or
    its token texts, indexed here). Runs after
    :class:`SlotConstraint`: what it forces is a prefix of a slot that constraint allows. One
    constraint serves one letter; see ``docs/fact-slots.md`` for what it changed.
    """

    def __init__(
        self,
        vocabulary: Sequence[str] | Vocabulary,
        names: Iterable[str],
        tokenize: Callable[[str], Sequence[int]],
        key: Iterable[str] = (),
    ) -> None:
        import numpy as np

        self._np = np
        index = as_vocabulary(vocabulary)
        self.texts = index.texts
        self.tokenize = tokenize
        self.names = frozenset(names)
        self.key = frozenset(key)
        self.lengths: dict[str, int] = {}
        for name in self.names:
            if m := _LIST_PATH.match(name):
                self.lengths[m[1]] = max(self.lengths.get(m[1], 0), int(m[2]) + 1)
        self._blank = index.blank_line
        self._newline = index.line_start
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
            _as_in(model, slot, written) for _, slot, written in sorted(unnamed, key=itemgetter(0))
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
