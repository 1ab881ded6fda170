"""What a fact check finds: letter facts the case does not support, case facts the letter omits.

:func:`letterdesk.core.facts.grounding.check` returns :class:`Findings`; the editor marks them
(``letterdesk.gui.fact_flags``), ``letterdesk check`` prints them and a sign-off records them
(:mod:`letterdesk.core.facts.sign_off`).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from letterdesk.core.facts.extract import Fact


@dataclass(frozen=True)
class Unsupported:
    """A fact of the letter without support in the case."""

    fact: Fact
    instead: str | None = None
    """What the case says instead, in the letter's notation, if it has a near candidate."""
    case_path: str | None = None
    """JSON path of the case field that holds ``instead``."""

    @property
    def kind(self) -> str:
        """The fact's kind (``dose``, ``date``, ``laterality`` …)."""
        return self.fact.kind

    @property
    def text(self) -> str:
        """The fact as the letter writes it."""
        return self.fact.text

    @property
    def start(self) -> int:
        """Offset of the fact's first character in the letter."""
        return self.fact.start

    @property
    def end(self) -> int:
        """Offset just past the fact's last character."""
        return self.fact.end

    def message(self) -> str:
        """One sentence for the physician."""
        if self.kind == "gap":
            return "The case holds no value for this place in the letter: fill it in or remove it"
        said = f"; the case says {self.instead}" if self.instead else ""
        return f"{_KIND_WORDS[self.kind]} “{self.text}” is not in the case{said}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return {
            "kind": self.kind,
            "text": self.text,
            "value": self.fact.value,
            "start": self.start,
            "end": self.end,
            "instead": self.instead,
            "case_path": self.case_path,
        }


@dataclass(frozen=True)
class Omitted:
    """A case fact the letter does not state."""

    kind: str
    name: str
    expected: str
    """The fact in the letter's notation (``24.01.2025``)."""
    path: str
    """JSON path of the case field, e.g. ``$.radiotherapy[0].end_date``."""
    key: bool

    def message(self) -> str:
        """One sentence for the physician."""
        return f"{_KIND_WORDS[self.kind]} {self.expected} from the case is not in the letter"

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Findings:
    """The outcome of one check: unsupported letter facts, omitted case facts, all facts."""

    unsupported: tuple[Unsupported, ...]
    omitted: tuple[Omitted, ...]
    letter_facts: tuple[Fact, ...] = field(repr=False)
    text_sha256: str = ""
    """SHA-256 of the checked text, so a sign-off can tell the findings are current."""

    @property
    def flagged(self) -> bool:
        """True when there is anything to resolve or confirm."""
        return bool(self.unsupported or self.omitted)

    def to_dict(self) -> dict[str, Any]:
        """The findings as JSON-ready data (what ``letterdesk check --json`` writes)."""
        return {
            "unsupported": [u.to_dict() for u in self.unsupported],
            "omitted": [o.to_dict() for o in self.omitted],
            "facts": len(self.letter_facts),
            "text_sha256": self.text_sha256,
        }


_KIND_WORDS = {
    "dose": "Dose",
    "fractions": "Number of fractions",
    "date": "Date",
    "icd10": "ICD-10 code",
    "tnm": "TNM",
    "uicc_stage": "UICC stage",
    "laterality": "Side",
    "drug": "Drug",
    "ctcae_grade": "CTCAE grade",
    "name": "Name",
    "gap": "Missing value",
}


def sha256(text: str) -> str:
    """The SHA-256 of a letter's text, as :attr:`Findings.text_sha256` records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
