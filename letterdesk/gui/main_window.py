"""The main window: the case list, the selected case's data and its letter, side by side.

The window wires views to operations: queries and writes run on the :class:`StoreWorker`,
letters are written by the :class:`ModelHost`; results come back by signal. Case files are
imported from File → Import… or by dropping them on the window (``case_import``), cases are
typed in or corrected in the case form (``case_editing``); letters leave as Word documents
from File → Export (``letter_export``); File → Train new model… opens the learning loop.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from letterdesk.core.desk.worklist import CaseAtDesk, case_rows, open_case
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, engine_settings
from letterdesk.core.foundation.settings import Settings, save_settings
from letterdesk.core.store.audit import current_user
from letterdesk.core.store.model_versions import ModelVersion
from letterdesk.gui import i18n
from letterdesk.gui.case_editing import CaseEditing
from letterdesk.gui.case_form import CaseForm
from letterdesk.gui.case_import import CaseImport
from letterdesk.gui.case_list import CaseList
from letterdesk.gui.case_panel import CasePanel
from letterdesk.gui.generation_op import ModelHost
from letterdesk.gui.letter_export import LetterExport
from letterdesk.gui.letter_pane import LetterPane
from letterdesk.gui.messages import show_error
from letterdesk.gui.model_status import ModelStatusBar
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.predrafting import Predrafter
from letterdesk.gui.qt import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QEvent,
    QKeySequence,
    QMainWindow,
    QSplitter,
    Qt,
    QTimer,
)
from letterdesk.gui.rating_dimensions import load_dimensions
from letterdesk.gui.settings_dialog import SettingsDialog
from letterdesk.gui.store_status import StoreStatus
from letterdesk.gui.train_dialog import TrainDialog

SWITCH_INTERVAL_S = 0.001
"""How soon a worker thread running Python hands the interpreter back to the GUI thread."""
LIST_REFRESH_MS = 30_000
"""On the department store, how often the case list is read again: what other desks and the
server's write-ahead service did (new cases, drafts ready, letters signed) shows without a
click."""

if TYPE_CHECKING:  # imported when first opened: they load scipy and matplotlib (slow start)
    from letterdesk.gui.evaluation_view import EvaluationView
    from letterdesk.gui.study_view import StudyView


class MainWindow(QMainWindow):
    """The window physicians work in."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        store_path: Path | None = None,
        engine: EngineSettings | None = None,
        options: DecodingOptions | None = None,
        load_model: bool = True,
    ) -> None:
        super().__init__()
        # Python's default 5 ms lets a busy worker (case checks, prompt rendering) hold the GUI
        # thread up to 5 ms at every return from Qt; a window must answer within milliseconds
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self.settings = settings or Settings()
        if store_path is None and self.settings.store_path:
            store_path = Path(self.settings.store_path)
        self.worker = StoreWorker(store_path, self)
        self.worker.failed.connect(lambda error: show_error(self, error))
        self._engine_override = engine
        self.host = ModelHost(
            engine or engine_settings(self.settings), store_path, options, parent=self
        )
        self.case_list = CaseList(self)
        self.case_panel = CasePanel(self)
        self.letter_pane = LetterPane(self.worker, self.host, load_dimensions(), self)
        self.model_status = ModelStatusBar(self)
        self.store_status = StoreStatus(self)
        self.exporter = LetterExport(self.worker, self)
        self.predrafter = Predrafter(self.host, self.settings.predraft_ahead, self)
        self.importer = CaseImport(self.worker, self, lambda: self.settings)
        self.case_editing = CaseEditing(self.worker, self, lambda: self.settings)
        self.train_dialog: TrainDialog | None = None
        self._wanted_case: str | None = None
        self._select_after_refresh: str | None = None
        self._first_list = True
        self._list_timer = QTimer(self, interval=LIST_REFRESH_MS)
        self._list_timer.timeout.connect(self.refresh_cases)  # the query runs on the worker
        self._build_layout()
        self._build_menus()
        self._connect()
        self._apply_people()
        self.setAcceptDrops(True)
        self.resize(1440, 900)
        self.retranslate()
        self.refresh_cases()
        if load_model:
            self.host.load()

    # --- building ------------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for pane in (self.case_list, self.case_panel, self.letter_pane):
            self.splitter.addWidget(pane)
        self.splitter.setSizes([420, 420, 600])
        self.splitter.setChildrenCollapsible(False)
        for index, stretch in enumerate((0, 1, 2)):
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setContentsMargins(8, 8, 8, 0)
        self.setCentralWidget(self.splitter)
        self.statusBar().addPermanentWidget(self.store_status)
        self.statusBar().addPermanentWidget(self.model_status)

    def _action(self, shortcut: str, slot: Callable[[], object]) -> QAction:
        action = QAction(self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        pane = self.letter_pane
        self.import_action = self._action("Ctrl+O", self.importer.choose)
        self.new_case_action = self._action("Ctrl+N", self.new_case)
        self.edit_case_action = self._action("F2", self.edit_case)
        self.edit_case_action.setEnabled(False)
        self.export_action = self._action("Ctrl+E", self._export)
        self.export_action.setEnabled(False)
        self.export_signed_action = self._action("Ctrl+Shift+E", self._export_signed)
        self.export_fhir_action = self._action(
            "Ctrl+Alt+E", lambda: self.exporter.choose_fhir_file(self.letter_pane.desk)
        )
        self.export_fhir_action.setEnabled(False)
        self.train_action = self._action("Ctrl+Shift+T", self.open_training)
        self.evaluation_action = self._action("Ctrl+Shift+V", self.open_evaluation)
        self.study_action = self._action("Ctrl+Shift+B", self.open_study)
        self.settings_action = self._action("Ctrl+,", self.open_settings)
        self.quit_action = self._action("Ctrl+Q", self.close)
        self.find_action = self._action("Ctrl+F", self._focus_search)
        self.cases_action = self._action("Alt+1", lambda: self.case_list.table.setFocus())
        self.data_action = self._action("Alt+2", lambda: self.case_panel.browser.setFocus())
        self.text_action = self._action("Alt+3", lambda: pane.editor.text_edit.setFocus())
        self.next_action = self._action("Ctrl+PgDown", self.case_list.select_next)
        self.file_menu = self.menuBar().addMenu("")
        self.file_menu.addActions([self.new_case_action, self.edit_case_action])
        self.file_menu.addActions([self.import_action, self.export_action])
        self.file_menu.addActions([self.export_fhir_action, self.export_signed_action])
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.evaluation_action, self.study_action])
        self.file_menu.addAction(self.train_action)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.settings_action, self.quit_action])
        self.letter_menu = self.menuBar().addMenu("")
        self.letter_menu.addActions(
            [pane.generate_action, pane.stop_action, pane.changes_action, pane.sign_action]
        )
        self.letter_menu.addSeparator()
        self.letter_menu.addActions([pane.focus_rating_action, pane.rate_action])
        self.go_menu = self.menuBar().addMenu("")
        self.go_menu.addActions(
            [
                self.find_action,
                self.cases_action,
                self.data_action,
                self.text_action,
                self.next_action,
            ]
        )

    def _connect(self) -> None:
        self.case_list.query_changed.connect(lambda *_: self.refresh_cases())
        self.case_list.case_selected.connect(self.open_case)
        self.letter_pane.letters_changed.connect(lambda _case: self.refresh_cases())
        self.letter_pane.next_requested.connect(self._next_letter)
        self.letter_pane.source_requested.connect(self.case_panel.reveal)
        self.host.loading.connect(self.model_status.loading)
        self.host.loaded.connect(self.model_status.loaded)
        self.host.load_failed.connect(self.model_status.failed)
        self.host.loaded.connect(lambda _status: self._predraft())
        self.importer.imported.connect(self._imported)
        self.case_editing.saved.connect(self._case_saved)
        self.predrafter.drafted.connect(self._drafted_ahead)
        self.predrafter.failed.connect(lambda _case: self.refresh_cases())
        self.predrafter.trouble.connect(
            lambda error: self.statusBar().showMessage(
                self.tr("No drafts are written ahead now: %1").replace("%1", str(error)), 15000
            )
        )

    def retranslate(self) -> None:
        self.setWindowTitle("LetterDesk")
        self.setAccessibleName(self.tr("LetterDesk main window"))
        self.file_menu.setTitle(self.tr("&File"))
        self.letter_menu.setTitle(self.tr("&Letter"))
        self.go_menu.setTitle(self.tr("&Go"))
        texts = {
            self.import_action: (
                self.tr("&Import cases…"),
                self.tr("Import case files (JSON); you can also drop them on the window"),
            ),
            self.new_case_action: (
                self.tr("&New case…"),
                self.tr("Type in a patient's case: every field, checked as you type"),
            ),
            self.edit_case_action: (
                self.tr("E&dit case…"),
                self.tr(
                    "Correct this case's data; the letters keep the data they were written with"
                ),
            ),
            self.export_action: (
                self.tr("&Export letter as Word document…"),
                self.tr("Save this case's letter on the letterhead; unsigned letters are drafts"),
            ),
            self.export_fhir_action: (
                self.tr("Export signed letter as &FHIR document…"),
                self.tr("The signed letter for the hospital's systems (FHIR R4 document)"),
            ),
            self.export_signed_action: (
                self.tr("Export &signed letters…"),
                self.tr("Every signed letter of the cases listed (search and filter apply)"),
            ),
            self.evaluation_action: (
                self.tr("E&valuation…"),
                self.tr("How each model version's drafts fared; save the report"),
            ),
            self.study_action: (
                self.tr("&Blinded study…"),
                self.tr("Compare model versions: raters score letters without knowing the model"),
            ),
            self.train_action: (
                self.tr("&Train new model…"),
                self.tr("Learn from the signed letters; the new model is compared before use"),
            ),
            self.settings_action: (
                self.tr("&Settings…"),
                self.tr("Model, letters, signature, language"),
            ),
            self.quit_action: (self.tr("&Quit"), self.tr("Close LetterDesk; your work is saved")),
            self.find_action: (self.tr("&Find case"), self.tr("Search by name, ID or birth date")),
            self.cases_action: (self.tr("&Case list"), self.tr("Move to the case list (Alt+1)")),
            self.data_action: (self.tr("Case &data"), self.tr("Move to the case data (Alt+2)")),
            self.text_action: (self.tr("Letter &text"), self.tr("Move to the letter text (Alt+3)")),
            self.next_action: (self.tr("&Next case"), self.tr("Go to the next case in the list")),
        }
        for action, (text, tip) in texts.items():
            action.setText(text)
            action.setToolTip(tip)
            action.setStatusTip(tip)
        for menu in (self.file_menu, self.letter_menu, self.go_menu):
            menu.setAccessibleName(menu.title().replace("&", ""))
        self.splitter.setAccessibleName(self.tr("Cases, case data and letter"))
        self.statusBar().setAccessibleName(self.tr("Status"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- cases -----------------------------------------------------------------------------

    def refresh_cases(self) -> None:
        """Run the case list's query again (after an import, a new letter, a sign-off)."""
        search, status = self.case_list.query
        StoreOp(self.worker, lambda store: case_rows(store, search, status)).success(
            self._show_rows
        ).run()

    def _show_rows(self, rows: list) -> None:
        self.case_list.set_rows(rows)
        if self._first_list and rows:  # a new user sees a case at once
            self._first_list = False
            self.case_list.select_case(rows[0].summary.case_id)
        if self._select_after_refresh is not None:  # a case just saved from the form
            self.case_list.select_case(self._select_after_refresh)
            self._select_after_refresh = None
        self._update_export()  # a letter written or signed meanwhile can now be exported
        self.predrafter.cases_changed()

    def open_case(self, case_id: str) -> None:
        """Show a case's data and letter (read on the store worker)."""
        self.letter_pane.flush()
        self._wanted_case = case_id
        rater = self.letter_pane.rater
        StoreOp(self.worker, lambda store: open_case(store, case_id, rater)).success(
            self._show_case
        ).run()

    def _show_case(self, desk: CaseAtDesk) -> None:
        if desk.case.case_id != self._wanted_case:
            return  # the physician has moved on to another case meanwhile
        self.case_panel.show_case(desk.case)
        self.letter_pane.show_case(desk)
        self._update_export()
        if self.case_list.is_ready(desk.case.case_id):
            self.refresh_cases()  # opened: its draft written ahead no longer waits

    def _next_letter(self) -> None:
        if not self.case_list.select_next():
            self.statusBar().showMessage(self.tr("That was the last case in the list."), 5000)

    def _focus_search(self) -> None:
        self.case_list.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.case_list.search.selectAll()

    # --- import ----------------------------------------------------------------------------

    def import_paths(self, paths: list[Path]) -> None:
        """Import case files (or folders of them) in the background, with progress."""
        self.importer.import_paths(paths)

    def _imported(self, _report: object) -> None:
        self.refresh_cases()
        self.letter_pane.reload()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths)

    # --- settings and export ---------------------------------------------------------------

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (window-modal, not blocking)."""
        dialog = SettingsDialog(self.settings, self)
        dialog.settings_accepted.connect(self.apply_settings)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        """Store the settings (on the worker) and use them at once."""
        StoreOp(self.worker, lambda _store: save_settings(settings)).failure(
            lambda error: show_error(self, error)
        ).run()
        self.settings = settings
        self._apply_people()
        self.letter_pane.reload()  # another rater sees their own scores
        i18n.apply_language(settings.ui_language)
        self.predrafter.ahead = settings.predraft_ahead
        engine_before = self.host.settings
        if self._engine_override is None:
            self.host.reconfigure(engine_settings(settings))
        if self.host.settings != engine_before or self.model_status.state != "ready":
            self.predrafter.stop()  # no model ready yet: `loaded` decides again
        else:
            self._predraft()  # on or off, more ahead, another author: at once

    def _drafted_ahead(self, case_id: str) -> None:
        self.refresh_cases()
        if case_id == self._wanted_case and self.letter_pane.op is None:
            self.open_case(case_id)  # the case on screen had no draft: now it has

    def _predraft(self) -> None:
        """The model is ready: write drafts ahead while the window idles (local model only;
        a department's server writes them where the model runs)."""
        if self.settings.predraft and self.host.settings.backend == "local":
            self.predrafter.start(self.letter_pane.author)
        else:
            self.predrafter.stop()

    def _apply_people(self) -> None:
        user, settings = current_user(), self.settings
        self.letter_pane.set_people(settings.author_name or user, settings.rater_name or user)
        StoreOp(self.worker, lambda store: (store.signed_in_as(), store.acting_user(user))).success(
            self._signed_in
        ).run()

    def _signed_in(self, people: tuple[str | None, str]) -> None:
        """On the department store the database login writes, signs and rates."""
        login, acting = people
        self.store_status.show_login(login)
        if login is not None:  # others write to this store too: read the list again now and then
            self._list_timer.start()
        if login is not None and acting == login:  # a LetterDesk role: the login is who acts
            self.letter_pane.set_people(login, login)

    # --- the case form ----------------------------------------------------------------------

    def new_case(self) -> CaseForm:
        """File → New case: an empty case form."""
        return self.case_editing.open(None)

    def edit_case(self) -> CaseForm | None:
        """File → Edit case: the shown case in the form (its newest version)."""
        desk = self.letter_pane.desk
        if desk is None:
            return None
        return self.case_editing.open(desk.case.case_id)

    @property
    def case_form(self) -> CaseForm | None:
        """The case form last opened (new case or edit)."""
        return self.case_editing.form

    def _case_saved(self, case_id: str) -> None:
        self._select_after_refresh = case_id
        self.refresh_cases()
        self.letter_pane.reload()

    # --- export and training ---------------------------------------------------------------

    def _update_export(self) -> None:
        desk = self.letter_pane.desk
        self.edit_case_action.setEnabled(desk is not None)
        self.export_action.setEnabled(desk is not None and desk.letter is not None)
        signed = desk is not None and desk.letter is not None and desk.letter.letter.is_signed
        self.export_fhir_action.setEnabled(signed)

    def _export(self) -> None:
        self.letter_pane.flush()  # queued before the export: the file has the last correction
        self.exporter.choose_file(self.letter_pane.desk)

    def _export_signed(self) -> None:
        self.letter_pane.flush()
        self.exporter.choose_folder([row.summary.case_id for row in self.case_list.model.rows])

    def open_training(self) -> TrainDialog:
        """File → Train new model…: one dialog per window; it keeps a running training."""
        if self.train_dialog is None:
            python = self.settings.trainer_python or None
            self.train_dialog = TrainDialog(self.worker, self, python=python)
            self.train_dialog.promoted.connect(self._use_model)
        self.train_dialog.show()
        self.train_dialog.raise_()
        self.train_dialog.activateWindow()
        return self.train_dialog

    def _use_model(self, version: ModelVersion) -> None:
        """A promoted version becomes the model letters are drafted with (unless IT fixed it)."""
        if {"model_path", "adapter_path"} & set(self.settings.locked):
            self.statusBar().showMessage(
                self.tr("The new model is the default; IT set the model letters are written with."),
                15000,
            )
            return
        self.apply_settings(
            dataclasses.replace(
                self.settings, model_path=version.path, adapter_path=version.adapter_path or ""
            )
        )
        self.statusBar().showMessage(
            self.tr("Letters are now drafted with {model}.").format(
                model=f"{version.name} {version.version}".strip()
            ),
            15000,
        )

    # --- evaluation ------------------------------------------------------------------------

    def open_evaluation(self) -> EvaluationView:
        """File → Evaluation…: how each model version's drafts fared (not modal)."""
        from letterdesk.gui.evaluation_view import open_evaluation_view

        return open_evaluation_view(self.worker, self)

    def open_study(self) -> StudyView:
        """File → Blinded study…: set up, rate and evaluate a blinded comparison (not modal)."""
        from letterdesk.gui.study_view import open_study_view

        pane = self.letter_pane
        dimensions = tuple(row.dimension for row in pane.rating.rows)
        return open_study_view(
            self.worker, self.host.settings, pane.rater, dimensions, self.host.options, self
        )

    # --- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.letter_pane.flush()
        if self.train_dialog is not None:
            self.train_dialog.shutdown()  # the trainer stops with a checkpoint (resumable)
        self.predrafter.stop()
        self.worker.close()  # waits for the queued saves
        self.host.close()
        super().closeEvent(event)
