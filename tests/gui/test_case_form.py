"""The case form under a real window: a case typed in field by field, the importer's messages
at the field as you type, lists that grow and shrink, an edit saved as a new version."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from letterdesk.core.store import case_versions
from letterdesk.core.store.database import Store
from letterdesk.gui.qt import Qt

ROOT = Path(__file__).resolve().parents[2]


def field(form, path: str):
    return next(f for f in form.fields if f.path == path)


def type_into(qtbot, form, path: str, text: str) -> None:
    editor = field(form, path).editor
    editor.setFocus()
    editor.clear()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:  # QTest types ASCII only; insert() is what an input method does
        editor.insert(text)


def settled(qtbot, form) -> None:
    """Wait for the check that follows the last keystroke."""
    qtbot.waitUntil(lambda: not form.timer.isActive(), timeout=2000)


def test_a_new_case_is_typed_in_checked_as_typed_and_stored(qtbot, make_window, store_path):
    window = make_window()
    window.new_case_action.trigger()
    form = window.case_form
    assert form.windowTitle() == "New case" and not form.save_button.isEnabled()

    for path, text in (
        ("case_id", "SYN-FORM-001"),
        ("patient.patient_id", "SYN-P-FORM"),
        ("patient.given_name", "Jürgen"),
        ("patient.family_name", "Łukasiewicz"),
        ("patient.birth_date", "31.02.1950"),  # no such day
    ):
        type_into(qtbot, form, path, text)
    field(form, "patient.sex").editor.setCurrentText("male")
    settled(qtbot, form)
    birth = field(form, "patient.birth_date").message
    assert birth.isVisible() and "is not a real calendar date" in birth.text()
    assert not form.save_button.isEnabled()
    type_into(qtbot, form, "patient.birth_date", "28.02.1950")

    form.add_item("diagnoses")
    type_into(qtbot, form, "diagnoses[0].text", "Prostatakarzinom")
    type_into(qtbot, form, "diagnoses[0].icd10", "C61x")
    settled(qtbot, form)
    assert "C61x" in field(form, "diagnoses[0].icd10").message.text()
    type_into(qtbot, form, "diagnoses[0].icd10", "C61")
    form.add_item("radiotherapy")
    for key, text in (("target", "Prostata"), ("technique", "VMAT"),
                      ("dose_per_fraction_gy", "2,5"), ("fractions", "28"),
                      ("total_dose_gy", "70"), ("start_date", "02.09.2024"),
                      ("end_date", "10.10.2024")):  # fmt: skip
        type_into(qtbot, form, f"radiotherapy[0].{key}", text)
    form.add_item("toxicities")
    form.add_item("toxicities")
    type_into(qtbot, form, "toxicities[1].term", "Zystitis")
    type_into(qtbot, form, "toxicities[1].ctcae_grade", "1")
    form.remove_item("toxicities", form.items["toxicities"][0][0])  # the empty one
    assert [f.path for f in form.items["toxicities"][0][1]] == [
        "toxicities[0].term", "toxicities[0].ctcae_grade"]  # fmt: skip
    settled(qtbot, form)
    assert form.save_button.isEnabled(), form.summary.text()

    with qtbot.waitSignal(window.case_list.model.modelReset, timeout=5000):
        qtbot.keyClick(form, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    with Store(store_path) as store:
        stored = store.case("SYN-FORM-001").data
    assert stored["patient"] == {
        "patient_id": "SYN-P-FORM", "given_name": "Jürgen", "family_name": "Łukasiewicz",
        "sex": "male", "birth_date": "1950-02-28"}  # fmt: skip
    assert stored["radiotherapy"][0]["dose_per_fraction_gy"] == 2.5
    assert stored["radiotherapy"][0]["fractions"] == 28
    assert stored["toxicities"] == [{"term": "Zystitis", "ctcae_grade": 1}]
    qtbot.waitUntil(lambda: window.case_list.selected_case == "SYN-FORM-001", timeout=5000)


def test_editing_a_case_saves_a_new_version_and_keeps_unknown_fields(
    qtbot, make_window, store_path, add_letter
):
    add_letter("SYN-DEMO-001")
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk is not None)
    assert window.letter_pane.desk.case.case_id == "SYN-DEMO-001"
    window.edit_case_action.trigger()
    form = window.case_form
    qtbot.waitUntil(form.isEnabled, timeout=5000)
    assert field(form, "case_id").editor.isReadOnly()
    assert field(form, "patient.birth_date").editor.text() == "17.06.1972"  # German letters
    assert field(form, "radiotherapy[0].total_dose_gy").editor.text() == "50,4"
    type_into(qtbot, form, "radiotherapy[0].total_dose_gy", "50")
    settled(qtbot, form)
    assert form.save_button.isEnabled(), form.summary.text()
    form.save_button.click()
    qtbot.waitUntil(lambda: "new version" in window.statusBar().currentMessage(), timeout=5000)

    with Store(store_path) as store:
        first, second = case_versions.versions(store, "SYN-DEMO-001")
    assert (first.case.data["radiotherapy"][0]["total_dose_gy"], second.source) == (50.4, "edit")
    assert second.case.data["radiotherapy"][0]["total_dose_gy"] == 50
    assert second.case.data["synthetic"] is True  # a field the form does not show, kept
    # the letter drafted before says what changed since
    qtbot.waitUntil(lambda: window.letter_pane.status.changed.isVisible(), timeout=5000)
    assert "total dose 50.4 → 50 Gy" in window.letter_pane.status.changed.text()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb (xvfb-run) is not installed")
def test_a_case_is_typed_in_and_edited_with_the_keyboard_on_a_real_x_server(letterdesk_home):
    from tests.gui.case_form_driver import CASE_ID

    env = {**os.environ, "LETTERDESK_HOME": str(letterdesk_home), "QT_QPA_PLATFORM": "xcb"}
    run = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, "-m",
         "tests.gui.case_form_driver"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == "focus-order ok", run.stdout
    with Store(letterdesk_home / "letterdesk.sqlite3") as store:
        typed, edited = case_versions.versions(store, CASE_ID)
    assert typed.case.data["patient"]["birth_date"] == "1961-04-03"
    assert typed.case.data["diagnoses"] == [{"text": "Mammakarzinom", "icd10": "C50.9"}]
    assert (edited.source, edited.case.data["patient"]["birth_date"]) == ("edit", "1961-03-04")


def test_a_refused_save_keeps_the_form_open_and_an_unchanged_edit_adds_no_version(
    qtbot, make_window, store_path, monkeypatch
):
    from letterdesk.gui import case_editing

    said = []
    monkeypatch.setattr(case_editing, "show_error", lambda parent, error, *a: said.append(error))
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk is not None)
    window.new_case_action.trigger()
    form = window.case_form
    for path, text in (("case_id", "SYN-DEMO-001"), ("patient.patient_id", "P"),
                       ("patient.given_name", "A"), ("patient.family_name", "B"),
                       ("patient.birth_date", "1960-01-01")):  # fmt: skip
        type_into(qtbot, form, path, text)
    form.add_item("diagnoses")
    type_into(qtbot, form, "diagnoses[0].text", "Rektumkarzinom")
    type_into(qtbot, form, "diagnoses[0].icd10", "C20")
    settled(qtbot, form)
    form.save_button.click()
    qtbot.waitUntil(lambda: bool(said) and form.isEnabled(), timeout=5000)
    assert "There is already a case SYN-DEMO-001" in str(said[0])
    assert form.isVisible() and field(form, "diagnoses[0].text").editor.text() == "Rektumkarzinom"
    form.reject()

    window.edit_case_action.trigger()  # the demo case shown; saved as it is
    edit = window.case_form
    qtbot.waitUntil(edit.isEnabled, timeout=5000)
    edit.save_button.click()
    qtbot.waitUntil(lambda: "unchanged" in window.statusBar().currentMessage(), timeout=5000)
    with Store(store_path) as store:
        assert len(case_versions.versions(store, "SYN-DEMO-001")) == 1
