"""The settings dialog: model, letters, signature, rater and interface language.

It edits a copy of the settings and hands the result back (``settings_accepted``); the
window stores it on the worker. Keys IT locked in the site configuration are shown but
disabled, marked "set by IT". Every invalid value is reported at once, in the dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.settings import LETTER_TYPES, Settings, with_changes
from letterdesk.gui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)


@dataclass(frozen=True)
class _Field:
    key: str
    widget: QWidget
    editor: QLineEdit | QComboBox


class SettingsDialog(QDialog):
    """Edits the user's settings; locked keys are read-only."""

    settings_accepted = Signal(object)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("LetterDesk settings"))
        self.setAccessibleName(self.tr("LetterDesk settings"))
        self.setMinimumWidth(560)
        self.form = QFormLayout()
        self.fields: dict[str, _Field] = {}
        self._build()
        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #a40e26;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setAccessibleName(
            self.tr("Save settings")
        )
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)

    def _build(self) -> None:
        s = self.settings
        self._path(
            "model_path",
            self.tr("&Model file:"),
            s.model_path,
            self.tr("empty: the bundled demo model"),
            self.tr("GGUF models (*.gguf)"),
        )
        self._path(
            "adapter_path",
            self.tr("&Adapter:"),
            s.adapter_path,
            self.tr("optional LoRA adapter (GGUF)"),
            self.tr("GGUF adapters (*.gguf)"),
        )
        self._line(
            "n_gpu_layers",
            self.tr("&GPU layers:"),
            s.n_gpu_layers,
            self.tr("auto, or a number (0 = CPU only, -1 = all)"),
        )
        self._combo(
            "letter_language",
            self.tr("Letter &language:"),
            s.letter_language,
            [("de", self.tr("German")), ("en", self.tr("English"))],
        )
        types = {
            "final_report": self.tr("Final report"),
            "initial_consultation": self.tr("Initial consultation"),
            "follow_up": self.tr("Follow-up"),
        }
        self._combo(
            "default_letter_type",
            self.tr("Default letter &type:"),
            s.default_letter_type,
            [(t, types[t]) for t in LETTER_TYPES],
        )
        self._path(
            "letterhead_template",
            self.tr("Letter&head template:"),
            s.letterhead_template,
            self.tr("empty: the bundled letterhead"),
            self.tr("Word documents (*.docx)"),
        )
        self._line(
            "author_name",
            self.tr("Author &name:"),
            s.author_name,
            self.tr("as signed under letters"),
        )
        self._line(
            "author_role", self.tr("Author r&ole:"), s.author_role, self.tr("e.g. Oberärztin")
        )
        self._line(
            "rater_name",
            self.tr("&Rater name:"),
            s.rater_name,
            self.tr("empty: your computer login"),
        )
        self._combo(
            "predraft",
            self.tr("&Draft ahead while idle:"),
            s.predraft,
            [
                (True, self.tr("Yes: the next cases' drafts are ready when opened")),
                (False, self.tr("No")),
            ],
        )
        self._combo(
            "predraft_ahead",
            self.tr("Drafts &waiting at most:"),
            s.predraft_ahead,
            [(n, str(n)) for n in sorted({1, 2, 3, 5, 10, 20, s.predraft_ahead})],
        )
        self._combo(
            "ui_language",
            self.tr("&Interface language:"),
            s.ui_language,
            [("", self.tr("System")), ("en", "English"), ("de", "Deutsch")],
        )

    def _add(
        self, key: str, label_text: str, widget: QWidget, editor: QLineEdit | QComboBox
    ) -> None:
        label = QLabel(label_text, self)
        label.setBuddy(editor)
        editor.setAccessibleName(label_text.replace("&", "").rstrip(":"))
        if key in self.settings.locked:
            widget.setEnabled(False)
            set_by_it = self.tr("set by IT")
            label.setText(f"{label_text} ({set_by_it})")
            editor.setToolTip(
                self.tr("This setting is set by your IT department and cannot be changed here.")
            )
            editor.setAccessibleDescription(set_by_it)
        self.form.addRow(label, widget)
        self.fields[key] = _Field(key, widget, editor)

    def _line(self, key: str, label: str, value: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(value, self)
        edit.setPlaceholderText(placeholder)
        self._add(key, label, edit, edit)
        return edit

    def _combo(
        self, key: str, label: str, value: object, items: Sequence[tuple[object, str]]
    ) -> None:
        combo = QComboBox(self)
        for data, text in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        self._add(key, label, combo, combo)

    def _path(self, key: str, label: str, value: str, placeholder: str, pattern: str) -> None:
        row = QWidget(self)
        edit = QLineEdit(value, row)
        edit.setPlaceholderText(placeholder)
        browse = QPushButton(self.tr("Browse…"), row)
        name = label.replace("&", "").rstrip(":")
        browse.setAccessibleName(self.tr("Choose {what}").format(what=name))
        browse.clicked.connect(lambda: self._browse(edit, pattern))
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        layout.addWidget(browse)
        self._add(key, label, row, edit)

    def _browse(self, edit: QLineEdit, pattern: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a file"), edit.text(), pattern)
        if path:
            edit.setText(path)

    def values(self) -> dict[str, object]:
        """What the dialog shows for each unlocked key."""
        found = {}
        for key, field in self.fields.items():
            if key in self.settings.locked:
                continue
            editor = field.editor
            found[key] = (
                editor.text().strip() if isinstance(editor, QLineEdit) else editor.currentData()
            )
        return found

    def result_settings(self) -> Settings:
        """The edited settings; ConfigurationError naming every invalid value."""
        changes = {k: v for k, v in self.values().items() if v != getattr(self.settings, k)}
        if "n_gpu_layers" in changes and not changes["n_gpu_layers"]:
            changes["n_gpu_layers"] = "auto"
        edited = with_changes(self.settings, **changes)
        if problems := edited.problems():
            raise ConfigurationError(self.tr("Please correct: ") + "; ".join(problems))
        return edited

    def accept(self) -> None:
        try:
            edited = self.result_settings()
        except ConfigurationError as exc:
            self.problems.setText(exc.message)
            return
        self.settings_accepted.emit(edited)
        super().accept()
