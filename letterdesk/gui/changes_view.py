"""The changes view: the physician's corrections against the model's draft, word by word.

Insertions are green and underlined, deletions red and struck through, so the marks read
without colour too. A line above sums the correction up (share of the draft kept, words
changed).
"""

from __future__ import annotations

import html

from letterdesk.core.foundation.diffing import WordDiff, diff_words
from letterdesk.gui import i18n
from letterdesk.gui.qt import QEvent, QLabel, QTextBrowser, QVBoxLayout, QWidget

_STYLE = {
    "equal": "",
    "insert": "color:#116329; background-color:#dafbe1; text-decoration:underline;",
    "delete": "color:#a40e26; background-color:#ffebe9; text-decoration:line-through;",
}


def diff_html(diff: WordDiff) -> str:
    """The runs as rich text Qt renders: line breaks kept, changes marked."""
    spans = []
    for run in diff.runs:
        text = html.escape(run.text)
        style = _STYLE[run.kind]
        spans.append(f'<span style="{style}">{text}</span>' if style else text)
    return f'<p style="white-space:pre-wrap;">{"".join(spans)}</p>'


class ChangesView(QWidget):
    """Shows a draft and its correction side by side in one text, changes marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.browser)
        self.diff: WordDiff | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Changes against the model's draft"))
        self.browser.setAccessibleName(
            self.tr("Corrections: insertions underlined, deletions struck through")
        )
        self.summary.setAccessibleName(self.tr("Summary of the corrections"))
        self._show_summary()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_diff(self, draft: str, correction: str) -> WordDiff:
        """Compare ``correction`` with ``draft`` and show the result."""
        self.diff = diff_words(draft, correction)
        bar = self.browser.verticalScrollBar()
        position = bar.value()
        self.browser.setHtml(diff_html(self.diff))
        bar.setValue(position)
        self._show_summary()
        return self.diff

    def _show_summary(self) -> None:
        if self.diff is None:
            self.summary.setText("")
        elif not self.diff.changed:
            self.summary.setText(self.tr("No corrections yet: the letter is the model's draft."))
        else:
            self.summary.setText(
                self.tr("{kept} of the draft's words kept · word edit distance {edits}").format(
                    kept=i18n.percent(self.diff.kept_share), edits=self.diff.edit_distance
                )
            )
