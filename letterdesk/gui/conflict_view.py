"""Two physicians saved the same letter: the other text against this one, word by word.

The save that found the conflict is stored (both texts are revisions of the letter); this view
shows what the other physician's revision says differently and lets the physician keep their
own text or take the other one, which is then saved like any correction.
"""

from __future__ import annotations

from letterdesk.core.foundation.diffing import diff_words
from letterdesk.gui.changes_view import diff_html
from letterdesk.gui.qt import (
    QDialog,
    QDialogButtonBox,
    QEvent,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    Signal,
)


class ConflictView(QDialog):
    """Non-modal: the physician may read on in the letter while it is open."""

    take_theirs = Signal(int, str)
    """(letter id, the other revision's text): put it in the editor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.buttons = QDialogButtonBox(self)
        self.keep = QPushButton(self)
        self.take = QPushButton(self)
        self.buttons.addButton(self.keep, QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.addButton(self.take, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self._take)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.browser)
        layout.addWidget(self.buttons)
        self.letter_id, self.theirs = 0, ""
        self.resize(720, 480)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Someone else changed this letter"))
        self.keep.setText(self.tr("Keep my text"))
        self.take.setText(self.tr("Use their text"))
        self.browser.setAccessibleName(
            self.tr("Your text against theirs: your additions underlined, theirs struck through")
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_conflict(
        self, letter_id: int, author: str, number: int, theirs: str, mine: str
    ) -> None:
        """Show the other revision (``number`` by ``author``) against this editor's text."""
        self.letter_id, self.theirs = letter_id, theirs
        self.summary.setText(
            self.tr(
                "%1 saved revision %2 of this letter while you were editing it. Both texts are "
                "kept. Below, your text against theirs: what only you wrote is underlined, what "
                "only they wrote is struck through."
            )
            .replace("%1", author)
            .replace("%2", str(number))
        )
        self.browser.setHtml(diff_html(diff_words(theirs, mine)))
        self.show()
        self.raise_()

    def _take(self) -> None:
        self.take_theirs.emit(self.letter_id, self.theirs)
        self.accept()
