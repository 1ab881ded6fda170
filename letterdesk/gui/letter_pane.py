"""The letter side of the window: generate, correct, compare, sign off and rate one letter.

The pane turns the physician's actions into operations — the generation job on the model
host, autosaves, sign-off and ratings on the store worker — and shows their results. It
never touches the store or the model itself. Signing off a letter the fact check flags asks
for a confirmation that lists the flags, and the sign-off records the check and the
confirmation in the audit log.
"""

from __future__ import annotations

import time

from letterdesk.core.desk.worklist import CaseAtDesk, LetterAtDesk, open_case, sign_latest
from letterdesk.core.generation.draft import GenerationResult
from letterdesk.core.store.database import Store
from letterdesk.core.store.journal import (
    Saved,
    nothing_waiting_for,
    save_correction,
)
from letterdesk.core.store.letters import Letter, Revision
from letterdesk.core.store.letters import revision as stored_revision
from letterdesk.core.store.ratings import rate
from letterdesk.gui.conflict_view import ConflictView
from letterdesk.gui.fact_words import sign_off_question
from letterdesk.gui.generation_op import GenerationOp, ModelHost
from letterdesk.gui.letter_editor import LetterEditor
from letterdesk.gui.letter_status import LetterStatus
from letterdesk.gui.messages import show_error
from letterdesk.gui.operations import StoreOp, StoreWorker
from letterdesk.gui.qt import (
    QAction,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QMessageBox,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from letterdesk.gui.rating_dimensions import Dimension
from letterdesk.gui.rating_panel import RatingPanel
from letterdesk.gui.waiting_saves import WaitingSaves


class LetterPane(QWidget):
    """The letter of the selected case, its toolbar and its rating."""

    letters_changed = Signal(str)
    """A case's letter status may have changed (case ID): the case list refreshes."""
    next_requested = Signal()
    """The rating is stored: go on to the next letter."""
    source_requested = Signal(str)
    """The physician chose a fact flag: show this case field (JSON path) in the case panel."""

    def __init__(
        self,
        worker: StoreWorker,
        host: ModelHost,
        dimensions: tuple[Dimension, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker, self.host = worker, host
        self.author = self.rater = ""
        self.desk: CaseAtDesk | None = None
        self.op: GenerationOp | None = None
        self._streamed: list[str] = []
        self._tokens = 0
        self._build_actions()
        self.status = LetterStatus(self)
        self.editor = LetterEditor(self)
        self.rating = RatingPanel(dimensions, self)
        self._build_layout()
        self._tick = QTimer(self, interval=250)
        self._tick.timeout.connect(self._show_progress)
        self.waiting = WaitingSaves(worker, self)
        self.waiting.message.connect(self.status.say)
        self.waiting.written.connect(self._written_later)
        self.editor.correction_ready.connect(self._save_correction)
        self.conflict = ConflictView(self)
        self.conflict.take_theirs.connect(self.editor.replace_text)
        self.editor.facts.source_requested.connect(self.source_requested)
        self.rating.rate_requested.connect(self._save_rating)
        self.retranslate()
        self.show_case(None)

    # --- building ------------------------------------------------------------------------

    def _action(self, shortcut: str | QKeySequence.StandardKey, slot: object) -> QAction:
        action = QAction(self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.generate_action = self._action("Ctrl+G", self.generate)
        self.stop_action = self._action("Esc", self.stop)
        self.changes_action = self._action("Ctrl+D", self._toggle_changes)
        self.changes_action.setCheckable(True)
        self.sign_action = self._action("Ctrl+Shift+S", self.sign_off)
        self.rate_action = self._action("Ctrl+Return", self.rating_submit)
        self.focus_rating_action = self._action("Ctrl+R", self._focus_rating)

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        self.buttons = []
        for action in (
            self.generate_action,
            self.stop_action,
            self.changes_action,
            self.sign_action,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.buttons.append(button)
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.rating)

    def retranslate(self) -> None:
        texts = {
            self.generate_action: (
                self.tr("&Generate"),
                self.tr("Have the model write a draft (Ctrl+G)"),
            ),
            self.stop_action: (
                self.tr("S&top"),
                self.tr("Stop writing; the text so far is kept (Esc)"),
            ),
            self.changes_action: (
                self.tr("Show &changes"),
                self.tr("Show corrections against the model's draft (Ctrl+D)"),
            ),
            self.sign_action: (
                self.tr("Sign &off…"),
                self.tr("Sign the letter off as final (Ctrl+Shift+S)"),
            ),
            self.rate_action: (self.tr("Save rating && &next letter"), self.tr("Ctrl+Return")),
            self.focus_rating_action: (
                self.tr("&Rate the draft"),
                self.tr("Move to the rating panel (Ctrl+R)"),
            ),
        }
        for action, (text, tip) in texts.items():
            action.setText(text)
            action.setToolTip(tip)
            action.setStatusTip(tip)
        for button in self.buttons:
            button.setAccessibleName(button.defaultAction().text().replace("&", "").rstrip("…"))
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- the case shown ------------------------------------------------------------------

    def set_people(self, author: str, rater: str) -> None:
        """Who writes and signs letters here, and who rates them."""
        self.author, self.rater = author, rater
        self._update_actions()

    def show_case(self, desk: CaseAtDesk | None) -> None:
        """Show a case's letter and rating form (None: no case selected)."""
        self.flush()  # a waiting correction belongs to the letter shown until now
        self.desk = desk
        letter = desk.letter if desk else None
        self.editor.set_case(desk.case if desk else None)
        if self.op is not None and desk is not None and desk.case.case_id == self.op.case_id:
            self.editor.letter = letter
            self.editor.begin_stream()
            self.editor.append_stream("".join(self._streamed))
        else:
            self.editor.show_letter(letter)
        if desk is None or desk.letter is None:
            self.rating.set_revision(None)
        else:
            self.rating.set_revision(desk.letter.draft.number, desk.scores, desk.comment)
        self._show_state()
        self._update_actions()

    def flush(self) -> None:
        """Save a waiting correction now."""
        self.editor.autosave.flush()

    def reload(self) -> None:
        """Read the shown case again from the store."""
        if self.desk is None:
            return
        case_id, rater = self.desk.case.case_id, self.rater
        StoreOp(self.worker, lambda store: open_case(store, case_id, rater)).success(
            self._reloaded
        ).run()

    def _reloaded(self, desk: CaseAtDesk) -> None:
        if self.desk is not None and desk.case.case_id == self.desk.case.case_id:
            self.show_case(desk)

    # --- generating ------------------------------------------------------------------------

    def generate(self) -> None:
        """Have the model write a draft: a new draft revision, or a new letter if signed."""
        if self.desk is None or self.op is not None:
            return
        self.flush()
        letter = self.desk.letter
        letter_id = letter.letter.id if letter and not letter.letter.is_signed else None
        self.op = op = GenerationOp(self.desk.case.case_id, letter_id, self.author, self)
        self._streamed, self._tokens = [], 0
        op.text_arrived.connect(self._text_arrived)
        op.tokens_counted.connect(self._tokens_counted)
        op.step.connect(lambda step: self.status.say(step.message))
        op.finished.connect(self._generated)
        op.failed.connect(self._generation_failed)
        op.cancelled.connect(self._generation_cancelled)
        self.host.generate(op)
        self.editor.begin_stream()
        self._show_state()
        self._tick.start()
        self._show_progress()
        self._update_actions()

    def stop(self) -> None:
        """Stop the letter being written; the text so far is kept as a draft."""
        if self.op is not None:
            self.op.stop()
            self.status.say(self.tr("Stopping …"))

    def _showing_op(self) -> bool:
        return (
            self.op is not None
            and self.desk is not None
            and self.desk.case.case_id == self.op.case_id
        )

    def _text_arrived(self, text: str) -> None:
        self._streamed.append(text)
        if self._showing_op():
            self.editor.append_stream(text)

    def _tokens_counted(self, tokens: int) -> None:
        self._tokens = tokens
        self._show_progress()

    def _show_progress(self) -> None:
        if self.op is not None:
            self.status.writing(time.monotonic() - self.op.started, self._tokens)

    def _end_op(self) -> GenerationOp:
        op, self.op = self.op, None
        assert op is not None
        op.deleteLater()  # its last signal has arrived
        self._tick.stop()
        self._update_actions()
        return op

    def _generated(self, result: GenerationResult) -> None:
        op = self._end_op()
        self.status.written(result.finish_reason, result.timing)
        self.letters_changed.emit(op.case_id)
        if self.desk is None or self.desk.case.case_id != op.case_id:
            return
        revision = result.revision
        at_desk = LetterAtDesk(result.letter, revision, revision, revision.number)
        self.desk = CaseAtDesk(self.desk.case, at_desk)
        self.editor.end_stream(at_desk)
        self.rating.set_revision(revision.number)
        self._show_state()
        self._update_actions()

    def _generation_failed(self, error: BaseException) -> None:
        op = self._end_op()
        self.status.say(self.tr("No draft written."))
        self.editor.end_stream(None)
        show_error(self, error)
        self.letters_changed.emit(op.case_id)  # a partial draft may have been kept
        self.reload()

    def _generation_cancelled(self) -> None:
        self._end_op()
        self.status.say(self.tr("Stopped before any text was written."))
        self.editor.end_stream(None)
        self._show_state()

    # --- corrections, sign-off, rating -----------------------------------------------------

    def _save_correction(self, letter_id: int, text: str, seconds: float) -> None:
        author, worker = self.author, self.worker
        at_desk = self.desk.letter if self.desk else None
        based_on = (
            at_desk.latest.id if at_desk and at_desk.letter.id == letter_id else None
        )  # what this editor started from: someone else's newer save is a conflict

        def save(store: Store) -> tuple[Saved, Revision | None]:
            saved = save_correction(
                store, worker.journal_for(store), letter_id, text, author=author,
                editing_seconds=seconds, based_on=based_on,
            )  # fmt: skip
            other = saved.revision.conflict_with if saved.revision else None
            return saved, None if other is None else stored_revision(store, other)

        StoreOp(self.worker, save).success(
            lambda result: self._correction_saved(letter_id, text, *result)
        ).failure(lambda error: self._correction_failed(letter_id, error)).run()

    def _correction_saved(
        self, letter_id: int, text: str, saved: Saved, theirs: Revision | None = None
    ) -> None:
        self.editor.letter_saved(letter_id, text)  # in the store, or kept on this computer
        self.waiting.show(saved.waiting)
        revision = saved.revision
        letter = None if revision is None else self._take_latest(revision)
        if revision is None or letter is None or self.desk is None:
            return
        self._show_state()
        if theirs is not None:
            self.status.say(
                self.tr(
                    "Someone else saved this letter while you were editing it. Both texts are "
                    "kept: yours is now revision %1; the letter's history has theirs."
                ).replace("%1", str(revision.number))
            )
            self.conflict.show_conflict(
                letter_id, theirs.author, theirs.number, theirs.text, revision.text
            )
        if letter.latest.kind == "draft":  # the first correction: the case is now "corrected"
            self.letters_changed.emit(self.desk.case.case_id)

    def _take_latest(self, revision: Revision) -> LetterAtDesk | None:
        """The open letter's newest revision is now ``revision`` (what the next correction is
        based on); returns the letter as it was, None when another letter is open."""
        desk = self.desk
        if desk is None or desk.letter is None or desk.letter.letter.id != revision.letter_id:
            return None
        letter = desk.letter
        updated = LetterAtDesk(letter.letter, revision, letter.draft, revision.number)
        self.desk = CaseAtDesk(desk.case, updated, desk.scores, desk.comment)
        self.editor.letter = updated
        return letter

    def _written_later(self, written: list[Revision]) -> None:
        """Saves kept offline reached the store: the open letter's newest revision is the
        last of them (what the next correction is based on, not a conflict)."""
        for revision in written:  # in the order written: the last one is the newest
            self._take_latest(revision)

    def _correction_failed(self, letter_id: int, error: BaseException) -> None:
        self.editor.save_failed(letter_id)
        show_error(self, error)

    def can_sign(self) -> bool:
        """True when the shown letter is unsigned and this user wrote it."""
        letter = self.desk.letter if self.desk else None
        return (
            letter is not None
            and not letter.letter.is_signed
            and self.op is None
            and letter.letter.created_by == self.author
        )

    def confirm_sign_off(self) -> bool:
        """Ask before signing: a signed letter cannot be changed. For a letter the fact check
        flags, the question lists the flags and defaults to No."""
        findings = self.editor.facts.findings
        default = QMessageBox.StandardButton.NoButton
        if findings is not None and findings.flagged:
            title, question = self.tr("Sign off despite fact flags"), sign_off_question(findings)
            default = QMessageBox.StandardButton.No
        else:
            title = self.tr("Sign off the letter")
            question = self.tr(
                "Sign off this letter as final? It cannot be changed afterwards; "
                "changes then need a new letter."
            )
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, title, question, buttons, default)
        return answer == QMessageBox.StandardButton.Yes

    def sign_off(self) -> None:
        """Sign the letter off as final, after the last correction is saved.

        The text is checked once more as it stands; the sign-off records that check, and
        whether the physician confirmed signing despite its flags, in the audit log.
        """
        if not self.can_sign():
            return
        findings = self.editor.facts.recheck()  # the text to be signed, as it stands
        if not self.confirm_sign_off():
            return
        desk = self.desk
        assert desk is not None and desk.letter is not None  # can_sign() says so
        self.flush()  # queued before the sign-off, so it is part of the signed revision
        letter_id, author, case_id = desk.letter.letter.id, self.author, desk.case.case_id
        confirmed = findings is not None and findings.flagged

        worker = self.worker

        def sign(store: Store) -> Letter:
            journal = worker.journal_for(store)
            if journal is not None:
                nothing_waiting_for(store, journal, letter_id)
            return sign_latest(store, letter_id, author, findings, confirmed=confirmed)

        StoreOp(self.worker, sign).success(lambda _letter: self._signed(case_id)).failure(
            lambda error: show_error(self, error)
        ).run()

    def _signed(self, case_id: str) -> None:
        self.letters_changed.emit(case_id)
        self.reload()

    def rating_submit(self) -> None:
        """Ctrl+Return: store the rating and go on to the next letter."""
        if self.rating.isEnabled():
            self.rating.submit()

    def _focus_rating(self) -> None:
        if self.rating.isEnabled():
            self.rating.focus_first()

    def _save_rating(self, scores: dict[str, int], comment: str) -> None:
        if self.desk is None or self.desk.letter is None:
            return
        revision_id, rater = self.desk.letter.draft.id, self.rater
        StoreOp(
            self.worker, lambda store: rate(store, revision_id, rater, scores, comment)
        ).success(lambda _ratings: self._rating_saved(scores, comment)).failure(
            lambda error: show_error(self, error)
        ).run()

    def _rating_saved(self, scores: dict[str, int], comment: str) -> None:
        self.rating.saved()
        if self.desk is not None:
            self.desk = CaseAtDesk(self.desk.case, self.desk.letter, dict(scores), comment)
        self.next_requested.emit()

    # --- showing the state -----------------------------------------------------------------

    def _toggle_changes(self, checked: bool) -> None:
        self.editor.set_changes_visible(checked)

    def _update_actions(self) -> None:
        running = self.op is not None
        self.generate_action.setEnabled(self.desk is not None and not running)
        self.stop_action.setEnabled(running)
        self.sign_action.setEnabled(self.can_sign())
        letter = self.desk.letter if self.desk else None
        if (
            letter is not None
            and not letter.letter.is_signed
            and letter.letter.created_by != self.author
        ):
            self.sign_action.setToolTip(
                self.tr("Only the letter's author ({name}) can sign it off.").format(
                    name=letter.letter.created_by
                )
            )
        has_letter = letter is not None
        self.changes_action.setEnabled(has_letter)
        self.rate_action.setEnabled(has_letter and not running)
        self.focus_rating_action.setEnabled(has_letter)

    def _show_state(self) -> None:
        letter = self.desk.letter if self.desk else None
        changes = self.desk.changed_since if self.desk else ()
        self.status.show_letter(self.desk is not None, letter, self._showing_op(), changes)
