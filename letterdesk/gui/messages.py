"""Telling the physician what went wrong, in their words, with the hint for IT one click away."""

from __future__ import annotations

import traceback

from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.gui.qt import QCoreApplication, QMessageBox, Qt, QWidget


def show_error(
    parent: QWidget | None, error: BaseException, title: str = "", *, wait: bool = False
) -> QMessageBox:
    """Show an error: the message up front, the hint or details folded away.

    It does not block unless ``wait`` (before the window exists, e.g. a locked store).
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or QCoreApplication.translate("messages", "LetterDesk"))
    box.setAccessibleName(QCoreApplication.translate("messages", "Error message"))
    if isinstance(error, LetterDeskError):
        box.setText(error.message)
        if error.hint:
            box.setInformativeText(
                QCoreApplication.translate("messages", "Hint for IT: {hint}").format(
                    hint=error.hint
                )
            )
    else:  # a bug: say so plainly and keep the details for the report
        box.setText(
            QCoreApplication.translate(
                "messages",
                "Something went wrong in LetterDesk. Your saved work is safe; please report this.",
            )
        )
        box.setDetailedText("".join(traceback.format_exception(error)))
    if wait:
        box.exec()
        return box
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_list(parent: QWidget | None, title: str, text: str, details: str) -> QMessageBox:
    """Show a message with a longer list (e.g. rejected files and their problems) folded away."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(title)
    box.setAccessibleName(title)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
