"""The case form: a new case typed in (File → New case, Ctrl+N) or the shown case corrected
(File → Edit case, F2), every field of the case format.

Each field shows the importer's own message for it as the physician types (checked a moment
after the last keystroke, :func:`letterdesk.core.cases.form.field_problems`); the lists
(diagnoses, history, courses, toxicities, follow-up) grow with "Add" and shrink with "Remove";
dates are typed as the letter language writes them (``17.06.1972``) or as ISO, doses with a
decimal comma or point. Saving is possible once nothing is wrong (warnings allowed); an edit
becomes a new version of the case, nothing is overwritten. Keyboard-complete: Tab through the
fields, Alt+letter on the buttons, Ctrl+S saves, Esc cancels. The window stores the case on
its store worker (``case_ready``); the dialog does no I/O.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from letterdesk.core.cases.case import LETTER_TYPES, SCHEMA_VERSION, Case
from letterdesk.core.cases.form import (
    field_problems,
    read_date,
    read_number,
    show_date,
    show_number,
)
from letterdesk.gui.case_form_fields import (
    AUTHOR,
    BLOCKS,
    CHOICES,
    FORM_KEYS,
    LETTER,
    LISTS,
    PATIENT,
    PERFORMANCE,
    RECIPIENT,
    Spec,
)
from letterdesk.gui.qt import (
    QT_TRANSLATE_NOOP,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

CHECK_DELAY_MS = 150
"""How long after the last keystroke the form checks the case."""


@dataclass
class Field:
    """One field: its path in the case, its editor, and the line that shows its problems."""

    path: str
    kind: Any
    editor: QLineEdit | QComboBox | QPlainTextEdit
    message: QLabel

    def text(self) -> str:
        if isinstance(self.editor, QComboBox):  # the case format's value, not the words shown
            return str(self.editor.currentData() or "")
        if isinstance(self.editor, QPlainTextEdit):
            return self.editor.toPlainText()
        return self.editor.text()

    def value(self) -> Any:
        """The typed value as the case format holds it ("" for nothing typed)."""
        text = self.text().strip() if self.kind != "long" else self.text().strip("\n")
        if not text:
            return ""
        if self.kind == "date":
            return read_date(text)
        if self.kind in ("number", "whole"):
            return read_number(text, whole=self.kind == "whole")
        return text

    def show(self, value: Any, language: str) -> None:
        if value is None:
            value = ""
        if self.kind == "date":
            value = show_date(str(value), language) if value else ""
        elif self.kind in ("number", "whole"):
            value = show_number(value, language)
        if isinstance(self.editor, QComboBox):
            self.editor.setCurrentIndex(max(0, self.editor.findData(str(value))))
        elif isinstance(self.editor, QPlainTextEdit):
            self.editor.setPlainText(str(value))
        else:
            self.editor.setText(str(value))

    def say(self, messages: list[str]) -> None:
        self.message.setText("\n".join(messages))
        self.message.setVisible(bool(messages))


class CaseForm(QDialog):
    """A new case, or a correction of the case shown; hands the checked case to the window."""

    case_ready = Signal(object, bool)
    """The checked :class:`Case`, and True for a new case (False: a new version)."""

    def __init__(
        self,
        document: dict[str, Any] | None,
        language: str,
        parent: QWidget | None = None,
        *,
        new: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.new = document is None if new is None else new
        self.language = language
        self.original: dict[str, Any] = {}
        self.fields: list[Field] = []
        self.items: dict[str, list[tuple[QFrame, list[Field]]]] = {name: [] for name in LISTS}
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(CHECK_DELAY_MS)
        self.timer.timeout.connect(self.check)
        title = self.tr("New case") if self.new else self.tr("Edit case")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(720, 820)
        self._build()
        self.load(document or _empty_case(language))

    def load(self, document: dict[str, Any]) -> None:
        """Show a case in the form (an edited case's ID stays as it is)."""
        self.original = copy.deepcopy(document) if not self.new else {}
        for name in LISTS:
            for frame, _ in list(self.items[name]):
                self.remove_item(name, frame)
        self._fill(document)
        self._field("case_id").editor.setReadOnly(not self.new)
        self.check()

    # --- building ------------------------------------------------------------------------

    def _build(self) -> None:
        body = QWidget(self)
        self.body = QVBoxLayout(body)
        self._group(self.tr("Letter"), "", LETTER)
        self._group(self.tr("Patient"), "patient.", PATIENT)
        self._group(self.tr("Recipient"), "recipient.", RECIPIENT)
        self._group(self.tr("Author"), "author.", AUTHOR)
        self.list_boxes: dict[str, QVBoxLayout] = {}
        for name, (label, item, _) in LISTS.items():
            box = QGroupBox(self.tr(label), body)
            layout = QVBoxLayout(box)
            items = QVBoxLayout()
            layout.addLayout(items)
            add = QPushButton(self.tr("&Add {item}").format(item=self.tr(item)), box)
            add.setAccessibleName(self.tr("Add {item}").format(item=self.tr(item)))
            add.clicked.connect(lambda _=False, n=name: self.add_item(n))
            layout.addWidget(add)
            self.list_boxes[name] = items
            self.body.addWidget(box)
        self._group(self.tr("Performance status"), "performance_status.", PERFORMANCE)
        texts = QGroupBox(self.tr("Findings, recommendations, notes"), body)
        form = QFormLayout(texts)
        for key, label in (
            ("findings", QT_TRANSLATE_NOOP("CaseForm", "Findings")),
            ("notes", QT_TRANSLATE_NOOP("CaseForm", "Notes")),
            ("recommendations", QT_TRANSLATE_NOOP("CaseForm", "Recommendations (one per line)")),
        ):
            form.addRow(self.tr(label), self._editor(key, "long", texts, self.tr(label)))
        self.body.addWidget(texts)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Problems with the case"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setAccessibleName(self.tr("Save case"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    def _group(self, title: str, prefix: str, specs: tuple[Spec, ...]) -> None:
        box = QGroupBox(title, self)
        form = QFormLayout(box)
        for key, label, kind in specs:
            form.addRow(self.tr(label), self._editor(prefix + key, kind, box, self.tr(label)))
        self.body.addWidget(box)

    def _editor(self, path: str, kind: Any, parent: QWidget, label: str) -> QWidget:
        """The editor of one field with its message line under it; the field is remembered."""
        holder = QWidget(parent)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        editor: QLineEdit | QComboBox | QPlainTextEdit
        if isinstance(kind, tuple):
            editor = QComboBox(holder)
            for value in kind:
                editor.addItem(self.tr(CHOICES.get(value, value)) if value else "", value)
            editor.currentIndexChanged.connect(self.timer.start)
        elif kind == "long":
            editor = QPlainTextEdit(holder)
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(64)
            editor.textChanged.connect(self.timer.start)
        else:
            editor = QLineEdit(holder)
            editor.textChanged.connect(self.timer.start)
            if kind == "date":
                editor.setPlaceholderText("TT.MM.JJJJ" if self.language == "de" else "YYYY-MM-DD")
        editor.setAccessibleName(label)
        message = QLabel(holder)
        message.setWordWrap(True)
        message.setStyleSheet("color: #a40e26;")
        message.setAccessibleName(self.tr("Problem with {field}").format(field=label))
        message.hide()
        layout.addWidget(editor)
        layout.addWidget(message)
        self.fields.append(Field(path, kind, editor, message))
        return holder

    def add_item(self, name: str, values: dict[str, Any] | None = None) -> None:
        """Add an item to one of the lists (empty, for the user to fill in)."""
        label, item, specs = LISTS[name]
        frame = QFrame(self)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QHBoxLayout(frame)
        form = QFormLayout()
        start = len(self.fields)
        index = len(self.items[name])
        for key, field_label, kind in specs:
            text = self.tr(field_label)
            form.addRow(text, self._editor(f"{name}[{index}].{key}", kind, frame, text))
        remove = QPushButton(self.tr("&Remove"), frame)
        remove.setAccessibleName(self.tr("Remove this {item}").format(item=self.tr(item)))
        outer.addLayout(form, 1)
        outer.addWidget(remove)
        fields = self.fields[start:]
        remove.clicked.connect(lambda _=False, f=frame: self.remove_item(name, f))
        self.items[name].append((frame, fields))
        self.list_boxes[name].addWidget(frame)
        for one in fields:
            one.show((values or {}).get(one.path.rsplit(".", 1)[-1], ""), self.language)
        fields[0].editor.setFocus()
        self.timer.start()

    def remove_item(self, name: str, frame: QFrame) -> None:
        kept = []
        for item_frame, fields in self.items[name]:
            if item_frame is frame:
                for one in fields:
                    self.fields.remove(one)
                frame.deleteLater()
            else:
                kept.append((item_frame, fields))
        for index, (_, fields) in enumerate(kept):  # the paths follow the new positions
            for one in fields:
                one.path = f"{name}[{index}]." + one.path.rsplit(".", 1)[-1]
        self.items[name] = kept
        self.timer.start()

    def _field(self, path: str) -> Field:
        return next(f for f in self.fields if f.path == path)

    def _fill(self, document: dict[str, Any]) -> None:
        for one in self.fields:
            value: Any = document
            for part in one.path.split("."):
                value = value.get(part, "") if isinstance(value, dict) else ""
            if one.path == "recommendations" and isinstance(value, list):
                value = "\n".join(value)
            one.show(value, self.language)
        for name in LISTS:
            for values in document.get(name, []):
                self.add_item(name, values)

    # --- the case the form holds -----------------------------------------------------------

    def document(self) -> dict[str, Any]:
        """The case as typed; unknown fields of an edited case are kept."""
        found = {k: v for k, v in self.original.items() if k not in FORM_KEYS}
        found = {"schema_version": SCHEMA_VERSION, **found}
        for block, specs in BLOCKS.items():  # a site's extra fields inside a block stay
            known = {key for key, _, _ in specs}
            extra = {k: v for k, v in (self.original.get(block) or {}).items() if k not in known}
            if extra:
                found[block] = copy.deepcopy(extra)
        for one in self.fields:
            value = one.value()
            if value == "" or one.path.split("[")[0] in LISTS:
                continue
            if one.path == "recommendations":
                value = [line.strip() for line in str(value).splitlines() if line.strip()]
            _put(found, one.path.split("."), value)
        for name in LISTS:
            items = []
            for _, fields in self.items[name]:
                item = {f.path.rsplit(".", 1)[-1]: f.value() for f in fields}
                items.append({k: v for k, v in item.items() if v != ""})
            if items:
                found[name] = items
        return found

    def check(self) -> bool:
        """Show the importer's messages at their fields; True when the case can be saved."""
        problems = field_problems(self.document())
        for one in self.fields:
            one.say(problems.pop(one.path, []))
        rest = [f"{path or self.tr('case')}: {m}" for path, ms in problems.items() for m in ms]
        errors = [
            m
            for one in self.fields
            for m in one.message.text().splitlines()
            if m and not m.startswith("warning: ")
        ] + [m for m in rest if "warning: " not in m]
        self.summary.setText("\n".join(rest))
        self.summary.setVisible(bool(rest))
        self.save_button.setEnabled(not errors)
        return not errors

    def save(self) -> None:
        """Hand the checked case to the window; the form stays open (and waits) until the
        window says it was stored (:meth:`saved`) or why not (:meth:`not_saved`)."""
        self.timer.stop()
        if not self.check():
            return
        self.setEnabled(False)
        self.case_ready.emit(Case(self.document()), self.new)

    def saved(self) -> None:
        """The case is stored: the form closes."""
        self.accept()

    def not_saved(self) -> None:
        """The case could not be stored (the window says why): what was typed stays."""
        self.setEnabled(True)


def _put(document: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        document = document.setdefault(part, {})
    document[parts[-1]] = value


def _empty_case(language: str) -> dict[str, Any]:
    return {"letter_type": LETTER_TYPES[0], "language": language, "patient": {"sex": "unknown"}}
