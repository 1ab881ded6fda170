"""File → Export from the window: Word files on disk, read back as a reader would, and the
status bar saying where they went."""

from __future__ import annotations

from pathlib import Path

import docx

from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import sign_off
from letterdesk.gui.qt import QFileDialog, QMessageBox
from tests.gui.conftest import AUTHOR


def text_of(path: Path) -> tuple[str, str]:
    """(body, headers) of a Word file."""
    document = docx.Document(str(path))
    body = "\n".join(p.text for p in document.paragraphs)
    headers = "\n".join(
        p.text
        for section in document.sections
        for header in (section.first_page_header, section.header)
        for p in header.paragraphs
    )
    return body, headers


def patient(window, case_id: str) -> str:
    """The patient's name as a letter writes it: "Anna Kühn" (the list shows "Kühn, Anna")."""
    row = window.case_list.model.row_of(case_id)
    family, given = window.case_list.model.rows[row].summary.patient_name.split(", ", 1)
    return f"{given} {family}"


def signed(add_letter, store_path: Path, case_id: str) -> int:
    letter, revision = add_letter(case_id)
    with Store(store_path) as store:
        sign_off(store, letter.id, revision.id, user=AUTHOR)
    return letter.id


def test_the_current_letter_is_exported_as_a_marked_draft(
    qtbot, make_window, add_letter, tmp_path, monkeypatch
):
    letter, _ = add_letter("SYN-DEMO-001")
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk.letter is not None)
    assert window.export_action.isEnabled()
    asked = {}

    def save_as(parent, title, suggested, filters):
        asked.update(title=title, suggested=suggested, filters=filters)
        return str(tmp_path / "Brief an Hausärztin"), filters  # the ending left out

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    with qtbot.waitSignal(window.exporter.exported, timeout=10000):
        window.export_action.trigger()

    assert asked["suggested"] == f"SYN-DEMO-001-letter-{letter.id}.docx"
    assert "*.docx" in asked["filters"]
    written = tmp_path / "Brief an Hausärztin.docx"
    body, headers = text_of(written)
    assert patient(window, "SYN-DEMO-001") in body
    assert "Zervixkarzinom, cT2b cN0 cM0." in body
    assert "ENTWURF – nicht freigegeben" in headers
    message = window.statusBar().currentMessage()
    assert message.startswith("Draft exported to") and str(written) in message


def test_the_signed_letters_of_the_listed_cases_go_into_a_folder(
    qtbot, make_window, add_letter, store_path, tmp_path, monkeypatch
):
    add_letter("SYN-DEMO-001")  # a draft: never part of a batch
    second = signed(add_letter, store_path, "SYN-DEMO-002")
    third = signed(add_letter, store_path, "SYN-DEMO-003")
    window = make_window()
    folder = tmp_path / "Ausgang"
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *args: str(folder))
    )

    window.case_list.search.setText("SYN-DEMO-002")  # only this case is listed
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 1)
    with qtbot.waitSignal(window.exporter.exported, timeout=10000):
        window.export_signed_action.trigger()
    assert [p.name for p in folder.iterdir()] == [f"SYN-DEMO-002-letter-{second}.docx"]
    assert window.statusBar().currentMessage() == f"1 signed letter(s) exported to {folder}"

    window.case_list.search.clear()
    qtbot.waitUntil(lambda: window.case_list.model.rowCount() == 24)
    with qtbot.waitSignal(window.exporter.exported, timeout=10000):
        window.export_signed_action.trigger()
    assert sorted(p.name for p in folder.iterdir()) == [
        f"SYN-DEMO-002-letter-{second}.docx",
        f"SYN-DEMO-003-letter-{third}.docx",
    ]
    body, headers = text_of(folder / f"SYN-DEMO-003-letter-{third}.docx")
    assert patient(window, "SYN-DEMO-003") in body and "ENTWURF" not in headers
    assert window.statusBar().currentMessage() == f"2 signed letter(s) exported to {folder}"


def test_a_folder_that_cannot_be_written_is_named_to_the_physician(
    qtbot, make_window, add_letter, tmp_path, monkeypatch
):
    add_letter("SYN-DEMO-001")
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk.letter is not None)
    missing = tmp_path / "no such folder" / "brief.docx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(missing), ""))
    )
    window.export_action.trigger()

    def error_shown() -> list[QMessageBox]:
        return [b for b in window.findChildren(QMessageBox) if b.isVisible()]

    qtbot.waitUntil(lambda: len(error_shown()) == 1, timeout=10000)
    box = error_shown()[0]
    assert f"could not be written to {missing.parent}" in box.text()
    assert "Choose a folder you may write to" in box.informativeText()
    assert window.statusBar().currentMessage() == "The export failed."
    assert not missing.parent.exists()


def test_a_signed_letter_is_exported_as_a_fhir_document(
    qtbot, make_window, add_letter, store_path, tmp_path, monkeypatch
):
    import json

    from fhir.resources.R4B.bundle import Bundle

    add_letter("SYN-DEMO-002")  # unsigned: no FHIR document from it
    letter_id = signed(add_letter, store_path, "SYN-DEMO-001")
    window = make_window()
    qtbot.waitUntil(lambda: window.letter_pane.desk.letter is not None)
    assert window.letter_pane.desk.letter.letter.id == letter_id
    assert window.export_fhir_action.isEnabled()
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a: (str(tmp_path / "brief.fhir.json"), "")),
    )
    with qtbot.waitSignal(window.exporter.exported, timeout=60000):
        window.export_fhir_action.trigger()

    bundle = json.loads((tmp_path / "brief.fhir.json").read_text(encoding="utf-8"))
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["resource"]["resourceType"] == "Composition"
    assert window.statusBar().currentMessage().startswith("FHIR document exported to")
    window.case_list.select_case("SYN-DEMO-002")
    qtbot.waitUntil(lambda: window.letter_pane.desk.case.case_id == "SYN-DEMO-002")
    assert not window.export_fhir_action.isEnabled()
