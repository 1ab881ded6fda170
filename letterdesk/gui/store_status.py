"""The store in the status bar: on the department store, that it is shared and who is
signed in (the database login, which sign-offs and ratings carry); nothing for the file."""

from __future__ import annotations

from letterdesk.gui.qt import QEvent, QLabel, QWidget


class StoreStatus(QLabel):
    """A status-bar label; hidden while the store is this computer's file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.login: str | None = None
        self.hide()

    def show_login(self, login: str | None) -> None:
        """The department store is open as ``login`` (None: the store file)."""
        self.login = login
        self.retranslate()

    def retranslate(self) -> None:
        if self.login is None:
            self.hide()
            return
        self.setText(self.tr("Department store · signed in as %1").replace("%1", self.login))
        self.show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
