"""Where each case field's value stands in the case panel's rich text.

The panel writes every value through :meth:`FieldMarks.mark` with the JSON paths it shows
(``$.radiotherapy[0].total_dose_gy``); once Qt has laid out the document,
:meth:`FieldMarks.locate` finds the values, and :meth:`FieldMarks.span` answers where a path's
value is — or, for a field not shown on its own, the nearest enclosing one's.
"""

from __future__ import annotations

import html
import re

from letterdesk.gui.qt import QTextDocument

_LAST_STEP = re.compile(r"(?:\.\w+|\[\d+\])$")


class Html(str):
    """Text already written as HTML (a marked value), not to be escaped again."""


def parent(path: str) -> str:
    """``$.radiotherapy[0].fractions`` → ``$.radiotherapy[0]`` → ``$.radiotherapy`` → ``$``."""
    return _LAST_STEP.sub("", path) if path != "$" else ""


def qt_length(text: str) -> int:
    """The length of text as Qt counts document positions: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class FieldMarks:
    """The marked values of one document: mark while writing, locate after ``setHtml``."""

    def __init__(self) -> None:
        self._anchors: dict[str, str] = {}  # JSON path -> the anchor of the value shown for it
        self._lengths: dict[str, int] = {}  # anchor -> the length of its value as laid out
        self._spans: dict[str, tuple[int, int]] = {}

    def mark(self, value: object, *paths: str) -> Html:
        """The value as HTML, marked as the one shown for these paths (the first mark wins)."""
        text = "" if value is None or value is False else str(value)
        if not text:
            return Html("")
        anchor = f"field-{len(self._lengths)}"
        for path in paths:
            self._anchors.setdefault(path, anchor)
        self._lengths[anchor] = qt_length(" ".join(text.split()))  # HTML folds spaces
        return Html(f'<a name="{anchor}">{html.escape(text)}</a>')

    def locate(self, document: QTextDocument) -> None:
        """Find the marked values in the laid-out document (Qt marks an anchor's first
        character only, so a value's end comes from its length when it was marked)."""
        starts: dict[str, int] = {}
        block = document.begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                for anchor in fragment.charFormat().anchorNames():
                    starts.setdefault(anchor, fragment.position())
                fragments += 1
            block = block.next()
        self._spans = {
            path: (starts[anchor], starts[anchor] + self._lengths[anchor])
            for path, anchor in self._anchors.items()
            if anchor in starts
        }

    def span(self, path: str) -> tuple[int, int] | None:
        """Start and end of the value shown for a path or its nearest enclosing field."""
        while path and path not in self._spans:
            path = parent(path)
        return self._spans.get(path)
