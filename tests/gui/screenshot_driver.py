"""Test support: the real app walks through a letter and photographs each step.

Run as ``python -m tests.gui.screenshot_driver OUT_DIR MODEL.gguf [CHAT_TEMPLATE]`` with
LETTERDESK_HOME set, on a real X server (Xvfb). It builds the window as ``letterdesk`` does,
then: case selected → letter streaming → corrections with the changes view → rating panel,
then the case form (File → Edit case), saving ``01-case-selected.png`` … ``05-case-form.png`` in
OUT_DIR.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

SHOTS = ("01-case-selected", "02-letter-streaming", "03-changes-view", "04-rating-panel",
         "05-case-form")  # fmt: skip
CASE_ID = "SYN-DEMO-001"
HEADING = "Abschlussbericht über die Strahlentherapie von Frau Anna Kühn, geb. 17.06.1972"
DATE_FIXES = (("bis 10.01.2020", "bis 11.06.2020"), ("vom 10.01.2020", "vom 04.05.2020"))


def main(out_dir: Path, model: Path, chat_template: str | None) -> int:
    from letterdesk.core.engine.types import DecodingOptions, EngineSettings
    from letterdesk.gui.app import build_window
    from letterdesk.gui.qt import QApplication, Qt, QTextCursor, QTimer

    engine = EngineSettings(model_path=model, chat_template=chat_template, max_context=4096)
    options = DecodingOptions(max_tokens=480, ignore_eos=chat_template is not None)
    window = build_window([], engine=engine, options=options)
    window.show()
    window.activateWindow()  # no window manager under Xvfb: make the focus visible
    pane = window.letter_pane
    app = QApplication.instance()
    out_dir.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        app.processEvents()
        window.grab().save(str(out_dir / f"{name}.png"))
        print(f"saved {name}", flush=True)

    def when(ready: Callable[[], bool], then: Callable[[], None]) -> None:
        if ready():
            then()
        else:
            QTimer.singleShot(50, lambda: when(ready, then))

    def case_selected() -> None:
        window.case_list.select_case(CASE_ID)
        when(
            lambda: (
                pane.desk is not None
                and pane.desk.case.case_id == CASE_ID
                and window.model_status.state in ("ready", "failed")
            ),
            photograph_case,
        )

    def photograph_case() -> None:
        QTimer.singleShot(300, lambda: (shot(SHOTS[0]), generate()))

    def generate() -> None:
        pane.generate_action.trigger()
        arrived = []

        def text_arrived(_text: str) -> None:
            arrived.append(_text)
            if len(arrived) == 4:
                shot(SHOTS[1])

        pane.op.text_arrived.connect(text_arrived)
        when(lambda: pane.op is None, lambda: correct(len(arrived) >= 4))

    def correct(streamed_shot_taken: bool) -> None:
        if not streamed_shot_taken:
            shot(SHOTS[1])
        # what a physician fixes first: the patient in the heading, then the treatment dates
        document = pane.editor.text_edit.document()
        heading = QTextCursor(document.firstBlock())
        heading.select(QTextCursor.SelectionType.BlockUnderCursor)
        heading.insertText(HEADING)
        for wrong, right in DATE_FIXES:
            found = document.find(wrong)
            if not found.isNull():
                found.insertText(right)
        end = QTextCursor(document)
        end.movePosition(QTextCursor.MoveOperation.End)
        end.insertText("\nTel. 0221 478-5000")
        pane.changes_action.trigger()
        when(
            lambda: (
                pane.editor.changes.diff is not None
                and pane.editor.changes.diff.changed
                and window.case_list.model.rows[0].summary.status == "corrected"
            ),
            lambda: QTimer.singleShot(300, rate),
        )

    def rate() -> None:
        shot(SHOTS[2])
        pane.changes_action.trigger()
        pane.focus_rating_action.trigger()
        rows = pane.rating.rows
        for row, score in zip(rows[:3], (2, 3, 3), strict=True):
            row.set_score(score)
        rows[3].setFocus(Qt.FocusReason.ShortcutFocusReason)
        pane.rating.comment.setPlainText("Patientin, Geburtsdatum und Zeitraum korrigiert.")
        QTimer.singleShot(300, finish)

    def finish() -> None:
        shot(SHOTS[3])
        window.edit_case_action.trigger()
        when(lambda: window.case_form is not None and window.case_form.isEnabled(), case_form)

    def case_form() -> None:
        form = window.case_form
        form.resize(760, 900)
        app.processEvents()
        form.grab().save(str(out_dir / f"{SHOTS[4]}.png"))
        print(f"saved {SHOTS[4]}", flush=True)
        form.reject()
        window.close()

    QTimer.singleShot(0, lambda: when(lambda: window.case_list.model.rowCount() > 0, case_selected))
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
