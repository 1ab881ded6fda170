"""Exporting letters from the window to Word on the institution's letterhead.

File → Export offers the current letter (to a file the physician names), the signed letter
as a FHIR document for the hospital's systems, and every signed letter of the cases listed
(into a folder). The window only asks where; the files are written
on the store worker by :func:`letterdesk.core.documents.docx.export_letter` and
:func:`~letterdesk.core.documents.docx.export_signed`, the same jobs ``letterdesk export`` runs,
audited the same way. Letters not signed off are marked as drafts by the core. Success shows
in the status bar with the path; a failure or a letterhead that could not be used is said in
plain words.
"""

from __future__ import annotations

from pathlib import Path

from letterdesk.core.desk.worklist import CaseAtDesk
from letterdesk.core.documents.docx import (
    ExportResult,
    export_file_name,
    export_letter,
    export_signed,
)
from letterdesk.core.documents.fhir_document import FhirExport, export_fhir_document
from letterdesk.core.store.audit import current_user
from letterdesk.gui.messages import show_error, show_list
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import QFileDialog, QMainWindow, QObject, QProgressDialog, Signal

STATUS_MS = 15000
"""How long the status bar shows where the letters went."""


def docx_path(chosen: str) -> Path:
    """The file a name from the save dialog means: ``.docx`` added where the user left it out."""
    path = Path(chosen)
    return path if path.suffix.lower() == ".docx" else path.with_name(f"{path.name}.docx")


class LetterExport(QObject):
    """File → Export: asks where, writes on the store worker, says what was written."""

    exported = Signal(object)
    """The files written (list[ExportResult], or [FhirExport]), after the status bar says so."""

    def __init__(self, worker: StoreWorker, window: QMainWindow) -> None:
        super().__init__(window)
        self.worker = worker
        self.window = window
        self.folder = ""
        """Where the last export went: the next dialog opens there."""

    # --- the current letter ----------------------------------------------------------------

    def choose_file(self, desk: CaseAtDesk | None) -> None:
        """Ask for the file to write the case's letter to, then export it (no case shown, or
        no letter yet: nothing to export)."""
        if desk is None or desk.letter is None:
            return
        name = export_file_name(desk.letter.letter)
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export letter as Word document"),
            str(Path(self.folder) / name) if self.folder else name,
            self.tr("Word document (*.docx)"),
        )
        if path:
            self.export_letter(desk.letter.letter.id, docx_path(path))

    def export_letter(self, letter_id: int, path: Path) -> None:
        """Write one letter (its signed revision, else the newest) to ``path`` in the background."""
        self.folder = str(path.parent)
        user = current_user()
        StoreOp(
            self.worker, lambda store: [export_letter(store, letter_id, None, path, user=user)]
        ).success(self._exported).failure(self._failed).run()

    # --- the signed letter as a FHIR document -----------------------------------------------

    def choose_fhir_file(self, desk: CaseAtDesk | None) -> None:
        """Ask for the file to write the case's signed letter to as a FHIR document."""
        if desk is None:
            return
        if desk.letter is None or not desk.letter.letter.is_signed:
            self._say(self.tr("Only a signed letter can be exported as a FHIR document."))
            return
        name = Path(export_file_name(desk.letter.letter)).with_suffix(".fhir.json").name
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export signed letter as FHIR document"),
            str(Path(self.folder) / name) if self.folder else name,
            self.tr("FHIR document (*.json)"),
        )
        if path:
            self.export_fhir(desk.letter.letter.id, Path(path))

    def export_fhir(self, letter_id: int, path: Path) -> None:
        """Write the signed letter as a FHIR document to ``path`` in the background."""
        self.folder = str(path.parent)
        user = current_user()

        def done(result: FhirExport) -> None:
            self._say(self.tr("FHIR document exported to {path}").format(path=result.path))
            if result.warnings:
                show_list(
                    self.window, self.tr("Export"), "\n".join(f"– {w}" for w in result.warnings)
                )
            self.exported.emit([result])

        StoreOp(
            self.worker, lambda store: export_fhir_document(store, letter_id, path, user=user)
        ).success(done).failure(self._failed).run()

    # --- every signed letter of the listed cases -------------------------------------------

    def choose_folder(self, case_ids: list[str]) -> None:
        """Ask for a folder, then export every signed letter of these cases into it."""
        if not case_ids:
            self._say(self.tr("No cases are listed; change the search or filter first."))
            return
        folder = QFileDialog.getExistingDirectory(
            self.window, self.tr("Export signed letters into folder"), self.folder
        )
        if folder:
            self.export_signed(case_ids, Path(folder))

    def export_signed(self, case_ids: list[str], folder: Path) -> None:
        """Export the signed letters of these cases into ``folder``, with progress and Cancel."""
        self.folder = str(folder)
        user = current_user()
        dialog = QProgressDialog(
            self.tr("Exporting signed letters …"), self.tr("Cancel"), 0, 0, self.window
        )
        dialog.setWindowTitle(self.tr("Export"))
        dialog.setAccessibleName(self.tr("Export progress"))
        dialog.setMinimumDuration(500)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        op: StoreOp[list[ExportResult]] = StoreOp(
            self.worker,
            lambda store: export_signed(
                store,
                case_ids,
                folder,
                user=user,
                progress=op.job.report,
                cancel=op.job.is_cancelled,
            ),
        )
        dialog.canceled.connect(op.job.cancel)
        dialog.canceled.connect(
            lambda: self._say(
                self.tr("Export cancelled; the letters already written stay in {folder}").format(
                    folder=folder
                )
            )
        )

        def progressed(done: int, total: int) -> None:
            dialog.setMaximum(total)
            dialog.setValue(done)

        def succeeded(results: list[ExportResult]) -> None:
            dialog.reset()
            dialog.deleteLater()
            self._exported(results, folder)

        def failed(error: BaseException) -> None:
            dialog.reset()
            dialog.deleteLater()
            self._failed(error)

        op.progress(progressed).success(succeeded).failure(failed).run()

    # --- telling the physician -------------------------------------------------------------

    def _exported(self, results: list[ExportResult], folder: Path | None = None) -> None:
        if folder is not None and not results:
            text = self.tr("None of the listed cases has a signed letter; nothing was exported.")
        elif folder is not None:
            text = self.tr("{n} signed letter(s) exported to {folder}").format(
                n=len(results), folder=folder
            )
        elif results[0].final:
            text = self.tr("Letter exported to {path}").format(path=results[0].path)
        else:
            text = self.tr(
                "Draft exported to {path} – marked as a draft: it is not signed off yet"
            ).format(path=results[0].path)
        self._say(text)
        warnings = list(dict.fromkeys(w for result in results for w in result.warnings))
        if warnings:
            show_list(
                self.window,
                self.tr("Export"),
                self.tr("{text}\n\nPlease note:\n{warnings}").format(
                    text=text, warnings="\n".join(f"– {w}" for w in warnings[:5])
                ),
                "\n".join(warnings),
            )
        self.exported.emit(results)

    def _failed(self, error: BaseException) -> None:
        self._say(self.tr("The export failed."))
        show_error(self.window, error, self.tr("Export"))

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)
