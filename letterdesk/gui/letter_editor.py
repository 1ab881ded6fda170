"""The letter editor: the model's text streams in, the physician corrects it in place.

Every change is saved as a correction revision without anyone pressing Save: after 300 ms
without typing, and at the latest one second after the first unsaved change, the editor
asks for a save (``correction_ready``). Saving never touches the text or its undo history,
so undo and redo work across autosaves (an undo is itself saved as the next revision).
A signed letter is read-only. The changes view below the text shows the corrections
against the newest model draft while the physician types, and the fact flags
(:mod:`letterdesk.gui.fact_flags`) what the letter says that its case does not and what it
leaves out.
"""

from __future__ import annotations

import time

from letterdesk.core.cases.case import Case
from letterdesk.core.desk.worklist import LetterAtDesk
from letterdesk.core.facts.slots import value_spans
from letterdesk.gui.changes_view import ChangesView
from letterdesk.gui.fact_flags import FactFlags
from letterdesk.gui.qt import (
    QEvent,
    QFontDatabase,
    QObject,
    QPlainTextEdit,
    QSplitter,
    Qt,
    QTextCursor,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

IDLE_MS = 300
"""Save after this long without typing ..."""
MAX_WAIT_MS = 1000
"""... and never later than this after the first unsaved change."""
ACTIVE_GAP_S = 30.0
"""Pauses longer than this between two changes do not count as editing time."""
CHANGES_REFRESH_MS = 250


class Autosave(QObject):
    """Decides when to save: when typing pauses, or after MAX_WAIT_MS of continuous typing."""

    due = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._idle = QTimer(self, singleShot=True, interval=IDLE_MS)
        self._deadline = QTimer(self, singleShot=True, interval=MAX_WAIT_MS)
        self._idle.timeout.connect(self._fire)
        self._deadline.timeout.connect(self._fire)

    @property
    def pending(self) -> bool:
        """True while a change waits to be saved."""
        return self._deadline.isActive()

    def changed(self) -> None:
        """A change was made: (re)start the idle wait; the deadline runs from the first one."""
        self._idle.start()
        if not self._deadline.isActive():
            self._deadline.start()

    def flush(self) -> None:
        """Save a waiting change now (before signing off, switching case or quitting)."""
        if self.pending:
            self._fire()

    def discard(self) -> None:
        """Forget a waiting change (the letter was replaced)."""
        self._idle.stop()
        self._deadline.stop()

    def _fire(self) -> None:
        self.discard()
        self.due.emit()


class LetterEditor(QWidget):
    """The letter's text, editable until it is signed off, with an optional changes view."""

    correction_ready = Signal(int, str, float)
    """letter id, the corrected text, seconds spent editing since the last save."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("letterText")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.text_edit.setFont(font)
        self.text_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.changes = ChangesView(self)
        self.changes.hide()
        self.facts = FactFlags(self.text_edit, self)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.text_edit)
        self.splitter.addWidget(self.facts.view)
        self.splitter.addWidget(self.changes)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.autosave = Autosave(self)
        self.autosave.due.connect(self._save_now)
        self._refresh_changes = QTimer(self, singleShot=True, interval=CHANGES_REFRESH_MS)
        self._refresh_changes.timeout.connect(self._update_changes)
        self.text_edit.textChanged.connect(self._text_changed)

        self.letter: LetterAtDesk | None = None
        self.draft_text = ""
        self.saved_text: str | None = ""
        self.streaming = False
        self._quiet = False  # text set by the program, not typed
        self._editing_s = 0.0
        self._last_change: float | None = None
        self.retranslate()
        self.show_letter(None)

    def retranslate(self) -> None:
        self.text_edit.setAccessibleName(self.tr("Letter text"))
        self.text_edit.setAccessibleDescription(
            self.tr("The model's draft; correct it directly, every change is saved automatically.")
        )
        self._update_placeholder()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- what the editor shows -----------------------------------------------------------

    @property
    def text(self) -> str:
        """The text as it stands in the editor."""
        return self.text_edit.toPlainText()

    @property
    def editable(self) -> bool:
        """True when the physician can type: a letter is open, unsigned, not streaming."""
        return self.letter is not None and not self.letter.letter.is_signed and not self.streaming

    def set_case(self, case: Case | None) -> None:
        """The case the letters shown next are checked against."""
        self.facts.set_case(case)

    def show_letter(self, letter: LetterAtDesk | None) -> None:
        """Open a letter (its newest revision) or nothing; any waiting change is saved first."""
        self.autosave.flush()
        self.letter = letter
        self.streaming = False
        self.draft_text = letter.draft.text if letter else ""
        self.saved_text = letter.latest.text if letter else ""
        self._set_text(self.saved_text)
        draft = letter.draft if letter else None
        values = value_spans(draft.slotted, draft.text) if draft and draft.slotted else ()
        self.facts.set_values(self.draft_text, values)
        if letter is None:
            self.facts.stop()
        else:
            self.facts.start()
        self.text_edit.setReadOnly(not self.editable)
        self._update_placeholder()
        self._update_changes()

    def replace_text(self, letter_id: int, text: str) -> None:
        """Put ``text`` in place of the open letter's, as one edit the physician can undo; it
        is saved like typing. Nothing when another letter is open or it cannot be edited."""
        if self.letter is None or self.letter.letter.id != letter_id or not self.editable:
            return
        cursor = self.text_edit.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)

    def letter_saved(self, letter_id: int, text: str) -> None:
        """A correction was stored; nothing in the editor changes."""
        if self.letter is not None and self.letter.letter.id == letter_id:
            self.saved_text = text

    def save_failed(self, letter_id: int) -> None:
        """A correction could not be stored: the next change tries again with the whole text."""
        if self.letter is not None and self.letter.letter.id == letter_id:
            self.saved_text = None

    def update_letter(self, letter: LetterAtDesk) -> None:
        """The stored letter changed (signed, new revision) without changing the text shown."""
        self.letter = letter
        self.draft_text = letter.draft.text
        self.text_edit.setReadOnly(not self.editable)
        self._update_placeholder()
        self._update_changes()

    # --- streaming -------------------------------------------------------------------------

    def begin_stream(self) -> None:
        """Empty the editor for a letter being written; it is read-only until it ends."""
        self.autosave.flush()
        self.streaming = True
        self.text_edit.setReadOnly(True)
        self.text_edit.document().setUndoRedoEnabled(False)  # streamed text is not undoable
        self.facts.stop()  # a letter half written is not checked
        self._set_text("")
        self._update_placeholder()

    def append_stream(self, text: str) -> None:
        """Add streamed text at the end, following it unless the reader scrolled up."""
        bar = self.text_edit.verticalScrollBar()
        following = bar.value() >= bar.maximum() - 4
        self._quiet = True
        try:
            cursor = QTextCursor(self.text_edit.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text)
        finally:
            self._quiet = False
        if following:
            bar.setValue(bar.maximum())

    def end_stream(self, letter: LetterAtDesk | None) -> None:
        """The letter is stored (or the stream failed: ``None`` reopens nothing)."""
        self.text_edit.document().setUndoRedoEnabled(True)
        if letter is None:
            self.streaming = False
            self.show_letter(self.letter)
            return
        self.show_letter(letter)
        self.text_edit.moveCursor(QTextCursor.MoveOperation.Start)

    # --- changes view ------------------------------------------------------------------------

    def set_changes_visible(self, visible: bool) -> None:
        """Show or hide the corrections against the draft (updated as the physician types)."""
        self.changes.setVisible(visible)
        if visible:
            self.splitter.setSizes([3, 1, 2])
            self._update_changes()

    @property
    def changes_visible(self) -> bool:
        """True while the changes view is shown."""
        return not self.changes.isHidden()

    # --- internals -------------------------------------------------------------------------

    def _set_text(self, text: str) -> None:
        self._quiet = True
        try:
            self.text_edit.setPlainText(text)
        finally:
            self._quiet = False
        self._last_change = None
        self._editing_s = 0.0

    def _text_changed(self) -> None:
        if self._quiet or not self.editable:
            return
        now = time.monotonic()
        if self._last_change is not None and now - self._last_change < ACTIVE_GAP_S:
            self._editing_s += now - self._last_change
        self._last_change = now
        self.autosave.changed()
        if self.changes_visible:
            self._refresh_changes.start()

    def _save_now(self) -> None:
        if self.letter is None or self.letter.letter.is_signed:
            return
        text = self.text
        if text == self.saved_text:
            return
        seconds, self._editing_s = self._editing_s, 0.0
        self.saved_text = text
        self.correction_ready.emit(self.letter.letter.id, text, round(seconds, 3))

    def _update_changes(self) -> None:
        if self.changes_visible and not self.streaming:
            self.changes.show_diff(self.draft_text, self.text)

    def _update_placeholder(self) -> None:
        if self.streaming:
            hint = self.tr("The model is writing the letter …")
        elif self.letter is None:
            hint = self.tr("No letter yet. Press Generate (Ctrl+G) to have the model draft one.")
        else:
            hint = self.tr("This letter is empty.")
        self.text_edit.setPlaceholderText(hint)
