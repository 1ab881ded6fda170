"""What a physician changed in the model's draft, word by word.

The draft and the corrected text are split into words, each keeping the whitespace that
follows it, and aligned with :mod:`difflib`. The result is a sequence of runs — ``equal``,
``delete`` (in the draft only) and ``insert`` (in the correction only). Read in order,
equal + insert runs give back the correction exactly, equal + delete runs the draft's words.
Whitespace alone never counts as a change: equal runs carry the correction's layout.

Two numbers summarise a correction: the share of the draft's words kept unchanged, and the
word edit distance (words inserted, deleted or substituted in difflib's alignment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

RunKind = Literal["equal", "delete", "insert"]

_WORD = re.compile(r"\s+|\S+\s*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Run:
    """A stretch of text that is the same in both, only in the draft, or only in the correction."""

    kind: RunKind
    text: str


@dataclass(frozen=True)
class WordDiff:
    """The runs of a draft → correction comparison and its summary numbers."""

    runs: tuple[Run, ...]
    draft_words: int
    """Words in the draft."""
    kept_words: int
    """Draft words that are unchanged in the correction."""
    edit_distance: int
    """Words inserted, deleted or substituted (a substitution counts once)."""

    @property
    def kept_share(self) -> float:
        """Share of the draft's words kept unchanged, 0..1; an empty draft counts as kept."""
        return self.kept_words / self.draft_words if self.draft_words else 1.0

    @property
    def changed(self) -> bool:
        """True when any word was inserted or deleted."""
        return any(run.kind != "equal" for run in self.runs)

    def text(self, side: Literal["draft", "correction"]) -> str:
        """The correction (exactly) or the draft (its words, in the correction's layout)."""
        left_out = "insert" if side == "draft" else "delete"
        return "".join(run.text for run in self.runs if run.kind != left_out)


def split_words(text: str) -> list[str]:
    """Words with their trailing whitespace; leading whitespace is a piece of its own."""
    return _WORD.findall(text)


def _key(piece: str) -> str:
    return piece.strip()


def diff_words(draft: str, correction: str) -> WordDiff:
    """Compare a draft with its correction word by word."""
    old, new = split_words(draft), split_words(correction)
    old_keys, new_keys = [_key(p) for p in old], [_key(p) for p in new]
    # autojunk would treat frequent words ("der", "the") as noise and misalign long letters
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    runs: list[Run] = []
    kept = distance = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            kept += sum(1 for k in old_keys[i1:i2] if k)
            _append(runs, "equal", "".join(new[j1:j2]))
            continue
        deleted = sum(1 for k in old_keys[i1:i2] if k)
        inserted = sum(1 for k in new_keys[j1:j2] if k)
        distance += max(deleted, inserted)
        _append(runs, "delete", "".join(old[i1:i2]))
        _append(runs, "insert", "".join(new[j1:j2]))
    draft_words = sum(1 for k in old_keys if k)
    return WordDiff(tuple(runs), draft_words, kept, distance)


def _append(runs: list[Run], kind: RunKind, text: str) -> None:
    if not text:
        return
    if not text.strip() and kind != "equal":
        # a change of whitespace alone is layout, not a correction: keep the new layout
        if kind == "delete":
            return
        kind = "equal"
    if kind == "delete":
        # the correction's layout rules: deleted words never add line breaks of their own
        text = _SPACES.sub(" ", text)
        if runs and runs[-1].kind == "equal" and not runs[-1].text[-1].isspace():
            text = " " + text  # the equal run ends as the correction does; keep words apart
    if runs and runs[-1].kind == kind:
        runs[-1] = Run(kind, runs[-1].text + text)
    else:
        runs.append(Run(kind, text))
