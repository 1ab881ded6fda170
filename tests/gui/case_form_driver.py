"""Test support: a case typed into the case form with the keyboard only, on a real X server.

Run as ``python -m tests.gui.case_form_driver`` with LETTERDESK_HOME set, under Xvfb. It opens
the window as ``letterdesk`` does, presses Ctrl+N, types the letter and patient fields moving
on with Tab, adds a diagnosis by tabbing to its button and pressing Space, fills it in and saves
with Ctrl+S; then presses F2 on the saved case, corrects the birth date and saves again. Prints
``focus-order ok`` when every step went as a user would see it, then exits 0 (the test reads
the store: the case and its two versions).
"""

from __future__ import annotations

import sys

CASE_ID = "SYN-XCB-001"
EDITED_BIRTH_DATE = "04.03.1961"
TYPED = (
    ("case_id", CASE_ID),
    ("letter_type", None),  # a list: kept as it is
    ("language", None),
    ("patient.patient_id", "SYN-P-XCB"),
    ("patient.given_name", "Ida"),
    ("patient.family_name", "Berg"),
    ("patient.sex", None),
    ("patient.birth_date", "03.04.1961"),
)


def main() -> int:
    from PySide6.QtTest import QTest

    from letterdesk.gui.app import build_window
    from letterdesk.gui.qt import QApplication, QPushButton, Qt, QTimer

    window = build_window([])
    window.show()
    window.activateWindow()
    app = QApplication.instance()
    problems: list[str] = []

    def start() -> None:
        QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        QTimer.singleShot(300, type_patient)

    def type_patient() -> None:
        form = window.case_form
        form.activateWindow()
        editors = {f.path: f.editor for f in form.fields}
        editors["case_id"].setFocus()
        app.processEvents()
        for index, (path, text) in enumerate(TYPED):
            if app.focusWidget() is not editors[path]:
                problems.append(f"Tab did not reach {path}")
            if text is not None:
                QTest.keyClicks(editors[path], text)
            if index + 1 < len(TYPED):
                QTest.keyClick(app.focusWidget(), Qt.Key.Key_Tab)
        # on through the other fields to the first Add button, pressed with Space
        for _ in range(40):
            QTest.keyClick(app.focusWidget(), Qt.Key.Key_Tab)
            widget = app.focusWidget()
            if isinstance(widget, QPushButton) and "diagnosis" in widget.accessibleName():
                QTest.keyClick(widget, Qt.Key.Key_Space)
                break
        else:
            problems.append("no Add diagnosis button on the Tab path")
        QTimer.singleShot(200, type_diagnosis)

    def type_diagnosis() -> None:
        form = window.case_form
        editors = {f.path: f.editor for f in form.fields}
        if app.focusWidget() is not editors.get("diagnoses[0].text"):
            problems.append("the new diagnosis did not take the focus")
        QTest.keyClicks(app.focusWidget(), "Mammakarzinom")
        QTest.keyClick(app.focusWidget(), Qt.Key.Key_Tab)
        QTest.keyClicks(app.focusWidget(), "C50.9")
        QTimer.singleShot(400, save)

    def save() -> None:
        form = window.case_form
        if not form.save_button.isEnabled():
            problems.append(f"Save is disabled: {form.summary.text()}")
        QTest.keyClick(app.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        QTimer.singleShot(1500, edit)

    def edit() -> None:
        """F2 on the new case, which the window has selected: correct the birth date."""
        if window.letter_pane.desk is None or window.letter_pane.desk.case.case_id != CASE_ID:
            problems.append("the saved case was not selected")
        window.activateWindow()  # no window manager under Xvfb: give the window the focus back
        window.case_list.table.setFocus()
        QTimer.singleShot(300, lambda: QTest.keyClick(app.focusWidget() or window, Qt.Key.Key_F2))
        QTimer.singleShot(1200, correct)

    def correct() -> None:
        form = window.case_form
        if form.new or not form.isEnabled():
            problems.append("F2 did not open the case for editing")
        form.activateWindow()
        birth = next(f.editor for f in form.fields if f.path == "patient.birth_date")
        birth.setFocus()
        birth.selectAll()
        QTest.keyClicks(birth, EDITED_BIRTH_DATE)
        QTimer.singleShot(400, lambda: QTest.keyClick(
            app.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier))  # fmt: skip
        QTimer.singleShot(2000, finish)

    def finish() -> None:
        print("focus-order ok" if not problems else "\n".join(problems), flush=True)
        window.close()

    QTimer.singleShot(500, start)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
