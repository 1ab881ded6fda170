"""Asking for the store's passphrase where no system keyring holds its key.

The app registers :func:`ask_passphrase` with :mod:`letterdesk.core.security.passphrase` before it
opens the store (on the GUI thread, before the event loop runs); the key is then kept for
the process, so the store worker and the generation thread never need to ask. A worker
thread cannot show a dialog: asked there, the provider answers "no passphrase".
"""

from __future__ import annotations

from letterdesk.core.security.passphrase import MIN_PASSPHRASE, PassphraseRequest
from letterdesk.gui.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QThread,
    QVBoxLayout,
    QWidget,
)


class PassphraseDialog(QDialog):
    """One passphrase (unlock, restore) or a new one typed twice (create, backup)."""

    def __init__(self, request: PassphraseRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request = request
        self.setWindowTitle(self.tr("LetterDesk – passphrase"))
        self.setAccessibleName(self.windowTitle())
        explain = {
            "unlock": self.tr("Enter the passphrase of the letter store {name}."),
            "create": self.tr(
                "No system keyring is available, so the letter store {name} is protected by "
                "a passphrase. Choose one of at least {n} characters and keep it safe: "
                "without it the letters cannot be read."
            ),
            "backup": self.tr("Choose a passphrase for the backup {name}."),
            "restore": self.tr("Enter the passphrase of the backup {name}."),
        }.get(request.purpose, self.tr("Enter the passphrase for {name}."))
        text = explain.format(name=request.subject.name, n=MIN_PASSPHRASE)
        if request.retry:
            text = self.tr("That passphrase was not correct.") + " " + text
        self.explanation = QLabel(text, self)
        self.explanation.setWordWrap(True)
        self.passphrase = self._field(self.tr("Passphrase"))
        self.repeat = self._field(self.tr("Repeat passphrase"))
        self.repeat.setVisible(request.confirm)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #a40e26;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("&Passphrase:"), self.passphrase)
        if request.confirm:
            form.addRow(self.tr("&Repeat:"), self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit(self)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    def accept(self) -> None:
        text = self.passphrase.text()
        if self.request.confirm and len(text) < MIN_PASSPHRASE:
            self.problem.setText(self.tr("Use at least {n} characters.").format(n=MIN_PASSPHRASE))
        elif self.request.confirm and text != self.repeat.text():
            self.problem.setText(self.tr("The two passphrases differ."))
        elif not text:
            self.problem.setText(self.tr("Enter the passphrase, or Cancel."))
        else:
            super().accept()


def ask_passphrase(request: PassphraseRequest) -> str | None:
    """The passphrase the user types; None when cancelled or when asked off the GUI thread."""
    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        return None
    dialog = PassphraseDialog(request)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.passphrase.text()
