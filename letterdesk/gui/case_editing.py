"""Cases typed in or corrected at the desk: File → New case and File → Edit case.

The case form (:class:`letterdesk.gui.case_form.CaseForm`) opens empty, or with the shown
case's newest version, read on the store worker; what it checked is saved there too
(``Store.save_case``: a new case, or a new version of the case whose letters keep theirs).
The form stays open with what was typed when saving fails; afterwards the status bar says
what was saved and ``saved`` names the case, so the window can list and show it.
"""

from __future__ import annotations

from collections.abc import Callable

from letterdesk.core.cases.case import Case
from letterdesk.core.foundation.settings import Settings
from letterdesk.core.store.audit import current_user
from letterdesk.gui.case_form import CaseForm
from letterdesk.gui.messages import show_error
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import QMainWindow, QObject, Signal


class CaseEditing(QObject):
    """Opens the case form and saves what it checked on the store worker."""

    saved = Signal(str)
    """A case was saved (added, or a new version): its ID."""

    def __init__(
        self, worker: StoreWorker, window: QMainWindow, settings: Callable[[], Settings]
    ) -> None:
        super().__init__(window)
        self.worker = worker
        self.window = window
        self.settings = settings
        self.form: CaseForm | None = None
        """The case form last opened (new case or edit)."""

    def open(self, case_id: str | None) -> CaseForm:
        """The form for a new case (None), or for this case's newest version."""
        form = CaseForm(None, self.settings().letter_language, self.window, new=case_id is None)
        form.case_ready.connect(self._save)
        if case_id is not None:  # the newest version, read on the store worker
            form.setEnabled(False)
            StoreOp(self.worker, lambda store: store.case(case_id).data).success(
                lambda data: (form.load(data), form.setEnabled(True))
            ).failure(lambda error: (form.reject(), show_error(self.window, error))).run()
        form.open()
        self.form = form
        return form

    def _save(self, case: Case, new: bool) -> None:
        user = current_user()
        form = self.sender()

        def failed(error: BaseException) -> None:
            if isinstance(form, CaseForm):
                form.not_saved()  # the form stays open with what was typed
            show_error(self.window, error, self.tr("Case"))

        def stored(action: str) -> None:
            if isinstance(form, CaseForm):
                form.saved()
            self._say(case.case_id, action)
            self.saved.emit(case.case_id)

        StoreOp(self.worker, lambda store: store.save_case(case, user, new=new)).success(
            lambda outcome: stored(outcome.action)
        ).failure(failed).run()

    def _say(self, case_id: str, action: str) -> None:
        words = {
            "added": self.tr("Case {case} added."),
            "updated": self.tr("Case {case} saved as a new version; its letters keep theirs."),
        }.get(action, self.tr("Case {case} unchanged."))
        self.window.statusBar().showMessage(words.format(case=case_id), 8000)
