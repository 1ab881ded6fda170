"""Importing case files from the window: File → Import… or files dropped on it.

The window only says which files; they are read, checked and stored on the store worker by
:func:`letterdesk.core.desk.importing.import_files` (the job ``letterdesk import`` runs), with a
progress dialog that can cancel it. FHIR files get what a case needs and FHIR does not carry
from the site's settings (letter type, language). Afterwards the status bar says how many
cases came in, and a list names every file that was rejected or imported with warnings, and
what of a FHIR file was not used.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from letterdesk.core.desk.importing import ImportReport, import_files
from letterdesk.core.fhir.mapping import FhirOptions
from letterdesk.core.foundation.settings import Settings
from letterdesk.core.store.audit import current_user
from letterdesk.gui.messages import show_error, show_list
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import QFileDialog, QMainWindow, QObject, QProgressDialog, Signal

SHOWN_LINES = 12
"""Lines of the import's list shown in the message (all of them under Details)."""


class CaseImport(QObject):
    """File → Import… and dropped files: imports on the store worker, says what came in."""

    imported = Signal(object)
    """The ImportReport, after the status bar has said what came in."""

    def __init__(
        self, worker: StoreWorker, window: QMainWindow, settings: Callable[[], Settings]
    ) -> None:
        super().__init__(window)
        self.worker = worker
        self.window = window
        self.settings = settings
        """The window's settings as they are now (the site's letter type and language)."""

    def choose(self) -> None:
        """File → Import…: pick case files and import them."""
        paths, _ = QFileDialog.getOpenFileNames(
            self.window,
            self.tr("Import cases"),
            "",
            self.tr("Case or FHIR files (*.json);;All files (*)"),
        )
        if paths:
            self.import_paths([Path(p) for p in paths])

    def import_paths(self, paths: list[Path]) -> None:
        """Import case files (or folders of them) in the background, with progress."""
        user = current_user()
        dialog = QProgressDialog(self.tr("Importing cases …"), self.tr("Cancel"), 0, 0, self.window)
        dialog.setWindowTitle(self.tr("Import"))
        dialog.setAccessibleName(self.tr("Import progress"))
        dialog.setMinimumDuration(500)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        # what a case needs and a FHIR file does not carry: the site's defaults
        settings = self.settings()
        fhir = FhirOptions(settings.default_letter_type, settings.letter_language)
        op = StoreOp(
            self.worker,
            lambda store: import_files(
                store,
                paths,
                progress=op.job.report,
                cancel=op.job.is_cancelled,
                user=user,
                fhir=fhir,
            ),  # fmt: skip
        )
        dialog.canceled.connect(op.job.cancel)

        def progressed(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)

        def ended(report: ImportReport | None = None, error: BaseException | None = None) -> None:
            dialog.reset()
            dialog.deleteLater()
            if error is not None:
                show_error(self.window, error)
            elif report is not None:
                self._say(report)
                self.imported.emit(report)

        op.progress(progressed).success(lambda report: ended(report)).failure(
            lambda error: ended(error=error)
        ).run()

    def _say(self, report: ImportReport) -> None:
        summary = self.tr("{n} case(s) imported, {m} file(s) rejected.").format(
            n=len(report.imported), m=len(report.rejected)
        )
        self.window.statusBar().showMessage(summary, 8000)
        if not report.rejected and not report.warnings and not report.not_mapped:
            return
        lines = []
        for rejected in report.rejected:
            lines.append(self.tr("Not imported: {path}").format(path=rejected.path))
            lines += [f"  – {problem}" for problem in rejected.problems]
        for path, warnings in report.warnings.items():
            lines.append(self.tr("Imported with warnings: {path}").format(path=path))
            lines += [f"  – {warning}" for warning in warnings]
        for path, not_mapped in report.not_mapped.items():
            lines.append(self.tr("Not used from {path}:").format(path=path))
            lines += [f"  – {problem}" for problem in not_mapped]
        shown = "\n".join(lines[:SHOWN_LINES]) + ("\n…" if len(lines) > SHOWN_LINES else "")
        show_list(self.window, self.tr("Import"), f"{summary}\n\n{shown}", "\n".join(lines))
