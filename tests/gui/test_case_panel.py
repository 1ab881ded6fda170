"""The case panel shows a case's data in the letter's notation, selectable and copyable."""

from __future__ import annotations

import copy

from letterdesk.core.cases.case import Case
from letterdesk.core.store.database import Store
from letterdesk.gui.case_panel import CasePanel
from letterdesk.gui.qt import QApplication, QKeySequence


def demo_case(store_path, case_id="SYN-DEMO-001") -> Case:
    with Store(store_path) as store:
        return store.case(case_id)


def test_every_part_of_the_case_is_shown_in_the_letters_notation(qtbot, store_path):
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_case(demo_case(store_path))
    text = panel.browser.toPlainText()
    for expected in (
        "Frau Anna Kühn",
        "17.06.1972",
        "SYN-DEMO-001",
        "Zervixkarzinom",
        "C53.9",
        "cT2b cN0 cM0",
        "Kolposkopie mit Biopsie",
        "Becken mit pelvinen Lymphknoten",
        "50,4 Gy",
        "28 x 1,8 Gy",
        "04.05.2020 – 11.06.2020",
        "Proktitis",
        "CTCAE Grad 2",
        "ECOG 1",
        "Erste Nachsorge mit klinischer Untersuchung",
        "Vaginaldilatatoren",
        "Therapy history",
        "Follow-up plan",
    ):
        assert expected in text, expected
    assert panel.banner.isVisible()
    assert "Synthetic demo data" in panel.banner.text()


def test_an_english_real_case_has_no_banner_and_english_notation(qtbot, store_path):
    case = demo_case(store_path)
    data = copy.deepcopy(case.data)
    data.pop("synthetic")
    data["language"] = "en"
    data["notes"] = "Patient prefers morning appointments."
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_case(Case(data))
    text = panel.browser.toPlainText()
    assert "Ms Anna Kühn" in text and "17 June 1972" in text and "50.4 Gy" in text
    assert "Patient prefers morning appointments." in text
    assert not panel.banner.isVisible()


def test_values_can_be_selected_and_copied(qtbot, store_path):
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_case(demo_case(store_path))
    panel.browser.setFocus()
    found = panel.browser.find("28 x 1,8 Gy")
    assert found
    qtbot.keySequence(panel.browser, QKeySequence.StandardKey.Copy)
    assert QApplication.clipboard().text() == "28 x 1,8 Gy"
    assert panel.browser.accessibleName() == "Case data"


def test_without_a_case_it_says_what_to_do(qtbot):
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.show_case(None)
    assert "Select a case" in panel.browser.toPlainText()
    assert panel.banner.isHidden()


def test_reveal_scrolls_to_a_fields_value_and_highlights_it(qtbot, store_path):
    panel = CasePanel()
    qtbot.addWidget(panel)
    panel.resize(400, 200)  # small, so revealing the follow-up plan has to scroll
    panel.show()
    panel.show_case(demo_case(store_path))
    bar = panel.browser.verticalScrollBar()
    assert bar.value() == 0
    for path, shown in (
        ("$.radiotherapy[0].total_dose_gy", "50,4 Gy"),
        ("$.radiotherapy[0].fractions", "28 x 1,8 Gy"),
        ("$.radiotherapy[0].end_date", "11.06.2020"),
        ("$.diagnoses[0].icd10", "C53.9"),
        ("$.patient.birth_date", "17.06.1972"),
        ("$.toxicities[0].ctcae_grade", "CTCAE Grad 2"),
        ("$.radiotherapy", "Radiotherapy"),  # a cumulative dose: the section it belongs to
        ("$.history[1].description", "MRT Becken"),
        ("$.follow_up[2].date", "03.02.2021"),
    ):
        assert panel.reveal(path), path
        assert panel.revealed_text() == shown
    assert bar.value() > 0
    assert not panel.reveal("$.nowhere")
    assert panel.revealed_text() == ""
