"""Fact flags in the letter editor: what the letter says that the case does not, and what of
the case it leaves out (:mod:`letterdesk.core.facts.grounding`).

The letter is checked again 300 ms after the physician stops typing. A check takes about
1 ms for a one-page letter and 4 ms for four pages and touches no file or store, so it runs
on the GUI thread. A fact without support in the case gets a wavy red underline whose
tooltip says why; the list under the text names every flag, and choosing one selects it in
the letter and asks the case panel to show its source field (``source_requested``).
"""

from __future__ import annotations

import time

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.findings import Findings, Unsupported
from letterdesk.core.facts.grounding import Grounding
from letterdesk.core.facts.slots import FilledSlot, carry_spans, json_path
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.gui.fact_words import omitted_item, sentence, unsupported_item
from letterdesk.gui.field_marks import qt_length
from letterdesk.gui.qt import (
    QColor,
    QEvent,
    QFont,
    QHelpEvent,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPlainTextEdit,
    Qt,
    QTextCharFormat,
    QTextCursor,
    QTextEdit,
    QTimer,
    QToolTip,
    QVBoxLayout,
    QWidget,
    Signal,
)

CHECK_DELAY_MS = 300
"""Check the letter again this long after the last keystroke."""

_FLAG_ROLE = Qt.ItemDataRole.UserRole


def _underline() -> QTextCharFormat:
    flagged = QTextCharFormat()
    flagged.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
    flagged.setUnderlineColor(QColor("#c00000"))
    flagged.setBackground(QColor("#fde7e7"))  # a tint too: the flag shows at a glance
    return flagged


def _from_case() -> QTextCharFormat:
    value = QTextCharFormat()  # discreet: a dotted line, no tint, so flags stay what stands out
    value.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    value.setUnderlineColor(QColor("#5b7fa6"))
    return value


class FlagList(QWidget):
    """A summary line and the list of flags: letter facts first, then omitted case facts."""

    letter_flag_chosen = Signal(int)
    """Index of the chosen fact in the findings' ``unsupported``."""
    source_requested = Signal(str)
    """JSON path of the case field a chosen flag comes from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("factFlags")
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(self._chosen)
        self.list.itemActivated.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.findings: Findings | None = None
        self.problem = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.list.setAccessibleName(self.tr("Fact check"))
        self.list.setAccessibleDescription(
            self.tr("Choose a flag to see it in the letter and its source in the case data.")
        )
        self.show_findings(self.findings, self.problem)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_findings(self, findings: Findings | None, problem: str = "") -> None:
        """List a check's flags (None: nothing checked, e.g. no letter)."""
        self.findings, self.problem = findings, problem
        self.list.clear()
        if problem:
            self.summary.setText(
                self.tr("The fact check cannot run: {problem}").format(problem=problem)
            )
        elif findings is None:
            self.summary.clear()
        elif not findings.flagged:
            self.summary.setText(
                self.tr(
                    "Fact check: every fact in the letter is in the case data; "
                    "no case fact is left out."
                )
            )
        else:
            self.summary.setText(
                self.tr("Fact check: {n} not in the case data, {m} not in the letter.").format(
                    n=len(findings.unsupported), m=len(findings.omitted)
                )
            )
            self._fill(findings)
        self.list.setVisible(self.list.count() > 0)

    def _fill(self, findings: Findings) -> None:
        if findings.unsupported:
            self._heading(self.tr("In the letter, not in the case data:"))
        for index, flag in enumerate(findings.unsupported):
            item = QListWidgetItem(unsupported_item(flag), self.list)
            item.setData(_FLAG_ROLE, ("letter", index, flag.case_path or ""))
            item.setToolTip(sentence(flag))
        if findings.omitted:
            self._heading(self.tr("In the case data, not in the letter:"))
        for flag in findings.omitted:
            item = QListWidgetItem(omitted_item(flag), self.list)
            item.setData(_FLAG_ROLE, ("case", -1, flag.path))
            item.setToolTip(self.tr("Click to show it in the case data."))

    def _heading(self, text: str) -> None:
        item = QListWidgetItem(text, self.list)
        font = QFont(item.font())
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: read, not chosen

    def _chosen(self, item: QListWidgetItem) -> None:
        data = item.data(_FLAG_ROLE)
        if not data:
            return
        where, index, path = data
        if where == "letter":
            self.letter_flag_chosen.emit(index)
        if path:
            self.source_requested.emit(path)


class FactFlags(QObject):
    """Checks the text of one editor against its case as the physician types, and shows
    the flags: underlines in the text, the list in :attr:`view`."""

    source_requested = Signal(str)
    """JSON path of the case field a flag the physician chose comes from."""

    def __init__(self, text_edit: QPlainTextEdit, parent: QWidget) -> None:
        super().__init__(parent)
        self.text_edit = text_edit
        self.view = FlagList(parent)
        self.view.hide()
        self.findings: Findings | None = None
        """The last check, or None while nothing is checked."""
        self.check_ms = 0.0
        """How long the last check took, in milliseconds."""
        self._grounding: Grounding | None = None
        self._problem = ""
        self._active = False
        self._marks: list[tuple[QTextCursor, Unsupported]] = []
        self._draft = ""
        self._values: tuple[FilledSlot, ...] = ()
        self._value_marks: list[tuple[QTextCursor, FilledSlot]] = []
        self._timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.recheck)
        # a letter just opened is checked on the event loop's next turn: its text is drawn
        # first, and the window does not stall for both at once (a long letter, ~10 ms each)
        self._soon = QTimer(self, singleShot=True, interval=0)
        self._soon.timeout.connect(self.recheck)
        text_edit.textChanged.connect(self._text_changed)
        text_edit.viewport().installEventFilter(self)
        self.view.letter_flag_chosen.connect(self._select)
        self.view.source_requested.connect(self.source_requested)

    def set_case(self, case: Case | None) -> None:
        """The case letters are checked against from the next check on (None: no checks)."""
        self._grounding, self._problem = None, ""
        if case is not None:
            try:
                self._grounding = Grounding(case)  # prepared once, for every check of the case
            except LetterDeskError as error:  # shown, not raised: writing goes on without it
                self._problem = error.message

    def set_values(self, draft: str, values: tuple[FilledSlot, ...]) -> None:
        """The values the model's draft took from the case (fact slots): marked in the text
        while they stand unchanged; an edited value becomes ordinary text."""
        self._draft, self._values = draft, values

    def value_at(self, position: int) -> FilledSlot | None:
        """The value from the case at a document position, if one stands there."""
        for cursor, value in self._value_marks:
            if cursor.selectionStart() <= position <= cursor.selectionEnd():
                return value
        return None

    def start(self) -> None:
        """Check the text on the event loop's next turn, and again whenever it changes; until
        then no flags are shown (those of the letter before go at once, while the list keeps
        its place on screen)."""
        self._active = True
        self.findings, self._marks, self._value_marks = None, [], []
        self.text_edit.setExtraSelections([])
        self.view.show_findings(None, self._problem)
        self._soon.start()

    def stop(self) -> None:
        """Stop checking and clear the flags (no letter, or one being written)."""
        self._active = False
        self._timer.stop()
        self._soon.stop()
        self._show(None, "")

    def recheck(self) -> Findings | None:
        """Check the text as it stands now; the findings, or None when none can be made."""
        self._timer.stop()
        self._soon.stop()
        if not self._active or self._grounding is None:
            self._show(None, "")
            return None
        text = self.text_edit.toPlainText()
        started = time.perf_counter()
        findings = self._grounding.check(text)
        self.check_ms = (time.perf_counter() - started) * 1000
        self._show(findings, text)
        return findings

    def tooltip_at(self, position: int) -> str:
        """Why the text at a document position is flagged, or where its value comes from."""
        for cursor, flag in self._marks:
            if (
                cursor.hasSelection()
                and cursor.selectionStart() <= position <= cursor.selectionEnd()
            ):
                return sentence(flag)
        value = self.value_at(position)
        if value is not None:
            return self.tr("From the case data: {field}. Click to show it there.").format(
                field=json_path(value.path)
            )
        return ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # the type first: while the editor is torn down, its viewport must not be asked for
        if event.type() == QEvent.Type.ToolTip and watched is self.text_edit.viewport():
            assert isinstance(event, QHelpEvent)
            position = self.text_edit.cursorForPosition(event.pos()).position()
            tip = self.tooltip_at(position)
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.text_edit.viewport())
                return True
            QToolTip.hideText()
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and watched is self.text_edit.viewport()
            and self._value_marks
        ):  # a click on a value shows its field; the cursor still goes where it was clicked
            position = self.text_edit.cursorForPosition(event.position().toPoint()).position()
            value = self.value_at(position)
            if value is not None:
                self.source_requested.emit(json_path(value.path))
        return super().eventFilter(watched, event)

    def _text_changed(self) -> None:
        if self._active:
            self._timer.start()

    def _show(self, findings: Findings | None, text: str) -> None:
        """Underline the unsupported facts of the checked text and list every flag."""
        self.findings = findings
        document, flagged = self.text_edit.document(), _underline()
        self._marks, selections = [], []
        for flag in findings.unsupported if findings else ():
            cursor = QTextCursor(document)
            cursor.setPosition(qt_length(text[: flag.start]))
            cursor.setPosition(qt_length(text[: flag.end]), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor, selection.format = cursor, flagged
            selections.append(selection)
            self._marks.append((cursor, flag))
        self._value_marks = []
        values = carry_spans(self._values, self._draft, text) if findings and text else ()
        for value in values:
            if value.missing:
                continue  # a gap is a flag, not a value
            cursor = QTextCursor(document)
            cursor.setPosition(qt_length(text[: value.start]))
            cursor.setPosition(qt_length(text[: value.end]), QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor, selection.format = cursor, _from_case()
            selections.insert(0, selection)  # under the flags: a flag's underline wins
            self._value_marks.append((cursor, value))
        self.text_edit.setExtraSelections(selections)
        self.view.show_findings(findings, self._problem if self._active else "")
        self.view.setVisible(self._active and (findings is not None or bool(self._problem)))

    def _select(self, index: int) -> None:
        """Select a flagged fact in the letter, ready to be corrected."""
        if 0 <= index < len(self._marks):
            self.text_edit.setTextCursor(self._marks[index][0])
            self.text_edit.ensureCursorVisible()
            self.text_edit.setFocus()
