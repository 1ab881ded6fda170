"""The rating panel: the model's draft scored 1-4 on each dimension, plus a free comment.

Keyboard first: keys 1-4 score the focused dimension, Up/Down move between dimensions,
Left/Right lower or raise the score. What each point means is shown beside the scale for
the dimension in focus. The panel holds the form; the window stores it
(``rate_requested``) for the current revision and rater.
"""

from __future__ import annotations

from letterdesk.gui import i18n
from letterdesk.gui.qt import (
    QButtonGroup,
    QEvent,
    QFocusEvent,
    QFrame,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from letterdesk.gui.rating_dimensions import SCORES, Dimension

_KEYS = {Qt.Key.Key_1: 1, Qt.Key.Key_2: 2, Qt.Key.Key_3: 3, Qt.Key.Key_4: 4}
_ROW_STYLE = """
DimensionRow { border: 1px solid palette(mid); border-radius: 4px; }
DimensionRow[current="true"] { border: 2px solid palette(highlight);
                               background: palette(alternate-base); }
DimensionRow QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);
                                    font-weight: bold; border-radius: 3px; }
"""


class DimensionRow(QFrame):
    """One dimension: its name, four score buttons and the meaning of the chosen score."""

    scored = Signal(str, int)
    step_requested = Signal(int)
    """-1: focus the dimension above, +1: the one below."""

    def __init__(self, dimension: Dimension, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dimension = dimension
        self.score: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.label = QLabel(self)
        self.label.setMinimumWidth(150)
        self.anchor = QLabel(self)
        self.anchor.setWordWrap(True)
        self.anchor.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        row = QHBoxLayout()
        row.addWidget(self.label, 1)
        for score in SCORES:
            button = QToolButton(self)
            button.setText(str(score))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the row takes the keys 1-4
            button.setMinimumSize(34, 28)
            self.buttons.addButton(button, score)
            row.addWidget(button)
        self.buttons.idClicked.connect(self.set_score)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.anchor)
        self.retranslate()

    def retranslate(self) -> None:
        language = i18n.current_language()
        name = self.dimension.text("label", language)
        self.label.setText(f"<b>{name}</b>")
        self.label.setToolTip(self.dimension.text("question", language))
        self.setAccessibleName(name)
        self.setAccessibleDescription(
            self.dimension.text("question", language)
            + " "
            + self.tr("Press 1 to 4 to rate, Up and Down to move between dimensions.")
        )
        for score in SCORES:
            button = self.buttons.button(score)
            meaning = self.dimension.anchor(score, language)
            button.setToolTip(f"{score}: {meaning}")
            button.setAccessibleName(self.tr("{name}: {score} of 4").format(name=name, score=score))
            button.setAccessibleDescription(meaning)
        self._show_anchor()

    def set_score(self, score: int | None) -> None:
        """Choose a score (None clears it)."""
        self.score = score
        if score is None:
            checked = self.buttons.checkedButton()
            if checked is not None:
                self.buttons.setExclusive(False)
                checked.setChecked(False)
                self.buttons.setExclusive(True)
        else:
            self.buttons.button(score).setChecked(True)
            self.scored.emit(self.dimension.key, score)
        self._show_anchor()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = Qt.Key(event.key())
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and key in _KEYS:
            self.set_score(_KEYS[key])
        elif plain and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.step_requested.emit(-1 if key == Qt.Key.Key_Up else 1)
        elif plain and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            self.set_score(min(4, max(1, (self.score or (5 if step < 0 else 0)) + step)))
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        self._mark_current(True)
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt's name
        self._mark_current(False)
        super().focusOutEvent(event)

    def _mark_current(self, current: bool) -> None:
        # a property, not :focus, so the row stays marked while the window is inactive
        self.setProperty("current", current)
        self.style().unpolish(self)
        self.style().polish(self)

    def _show_anchor(self) -> None:
        language = i18n.current_language()
        if self.score is None:
            self.anchor.setText(self.tr("Not rated yet."))
        else:
            self.anchor.setText(f"{self.score} – {self.dimension.anchor(self.score, language)}")


class RatingPanel(QWidget):
    """The form for one revision's rating; Ctrl+Return (the window's action) stores it."""

    rate_requested = Signal(dict, str)
    """scores by dimension, comment."""

    def __init__(self, dimensions: tuple[Dimension, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(_ROW_STYLE)
        self.title = QLabel(self)
        self.rows = [DimensionRow(d, self) for d in dimensions]
        self.comment = QPlainTextEdit(self)
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(54)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.submit)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        for row in self.rows:
            row.step_requested.connect(lambda step, row=row: self._move(row, step))
            row.scored.connect(lambda *_: self.message.clear())
            layout.addWidget(row)
        layout.addWidget(self.comment)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        for before, after in zip(self.rows, self.rows[1:], strict=False):
            QWidget.setTabOrder(before, after)
        if self.rows:
            QWidget.setTabOrder(self.rows[-1], self.comment)
        QWidget.setTabOrder(self.comment, self.save_button)
        self.revision_number: int | None = None
        self.retranslate()
        self.set_revision(None)

    def retranslate(self) -> None:
        self.setAccessibleName(self.tr("Rating of the model's draft"))
        self.comment.setAccessibleName(self.tr("Rating comment"))
        self.comment.setPlaceholderText(self.tr("Comment (optional)"))
        self.save_button.setText(self.tr("Save rating && next letter"))
        self.save_button.setAccessibleName(self.tr("Save rating and go to the next letter"))
        self.save_button.setToolTip(self.tr("Ctrl+Return"))
        for row in self.rows:
            row.retranslate()
        self._show_title()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    @property
    def scores(self) -> dict[str, int]:
        """The scores given so far, by dimension key."""
        return {row.dimension.key: row.score for row in self.rows if row.score is not None}

    def set_revision(
        self, revision_number: int | None, scores: dict[str, int] | None = None, comment: str = ""
    ) -> None:
        """Show the rating form for a draft revision (None: nothing to rate)."""
        self.revision_number = revision_number
        for row in self.rows:
            row.set_score((scores or {}).get(row.dimension.key))
        self.comment.setPlainText(comment)
        self.message.clear()
        self.setEnabled(revision_number is not None)
        self._show_title()

    def focus_first(self) -> None:
        """Put the focus on the first unrated dimension (or the first one)."""
        unrated = [row for row in self.rows if row.score is None]
        (unrated or self.rows)[0].setFocus(Qt.FocusReason.ShortcutFocusReason)

    def submit(self) -> bool:
        """Ask the window to store the rating; False (and a hint) while a dimension is open."""
        if self.revision_number is None:
            return False
        unrated = [row for row in self.rows if row.score is None]
        if unrated:
            names = ", ".join(
                row.dimension.text("label", i18n.current_language()) for row in unrated
            )
            self.message.setText(
                self.tr("Please rate every dimension first: {names}.").format(names=names)
            )
            unrated[0].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        self.rate_requested.emit(self.scores, self.comment.toPlainText().strip())
        return True

    def saved(self) -> None:
        """The rating was stored."""
        self.message.setText(self.tr("Rating saved."))

    def _move(self, row: DimensionRow, step: int) -> None:
        index = self.rows.index(row) + step
        if 0 <= index < len(self.rows):
            self.rows[index].setFocus(Qt.FocusReason.OtherFocusReason)
        elif index == len(self.rows):
            self.comment.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_title(self) -> None:
        if self.revision_number is None:
            self.title.setText(self.tr("<b>Rating</b> – generate a letter to rate it."))
        else:
            self.title.setText(
                self.tr("<b>Rating</b> of the model's draft (revision {n}) – keys 1–4, ↑/↓").format(
                    n=self.revision_number
                )
            )
