"""Translations: every interface text has a German translation, compiled, and switching works."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from letterdesk.core.foundation.paths import resource
from letterdesk.gui import i18n
from letterdesk.gui.qt import QCoreApplication

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent
needs_tools = pytest.mark.skipif(
    not (TOOLS / "pyside6-lupdate").exists(), reason="pyside6-lupdate is not installed"
)


@needs_tools
def test_every_interface_text_is_in_the_german_source_and_translated(tmp_path):
    source = tmp_path / "letterdesk_de.ts"
    shutil.copy(resource("i18n", "letterdesk_de.ts"), source)
    gui = sorted(str(p) for p in (ROOT / "letterdesk" / "gui").glob("*.py"))
    run = subprocess.run(
        [TOOLS / "pyside6-lupdate", *gui, "-ts", source, "-locations", "none", "-no-obsolete"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(0 new and" in run.stdout, f"texts missing from the .ts file:\n{run.stdout}"
    unfinished = [
        m.findtext("source")
        for m in ET.parse(source).iter("message")
        if m.find("translation").get("type") == "unfinished" or not m.findtext("translation")
    ]
    assert unfinished == []


@needs_tools
def test_the_compiled_translation_matches_its_source(tmp_path):
    compiled = tmp_path / "letterdesk_de.qm"
    subprocess.run(
        [TOOLS / "pyside6-lrelease", resource("i18n", "letterdesk_de.ts"), "-qm", compiled],
        capture_output=True,
        check=True,
    )
    assert compiled.read_bytes() == resource("i18n", "letterdesk_de.qm").read_bytes(), (
        "run pyside6-lrelease resources/i18n/letterdesk_de.ts"
    )


def test_the_language_follows_the_setting_or_the_system(qapp, monkeypatch):
    try:
        assert i18n.apply_language("de") == "de"
        assert QCoreApplication.translate("MainWindow", "&File") == "&Datei"
        assert QCoreApplication.translate("status", "signed") == "freigegeben"
        assert (i18n.number(2048), i18n.number(1.75, 1), i18n.percent(0.967)) == (
            "2.048",
            "1,8",
            "97 %",
        )
        assert i18n.apply_language("en") == "en"
        assert QCoreApplication.translate("MainWindow", "&File") == "&File"
        assert (i18n.number(2048), i18n.number(1.75, 1), i18n.percent(0.967)) == (
            "2,048",
            "1.8",
            "97%",
        )
        monkeypatch.setattr(i18n, "system_language", lambda: "de")
        assert i18n.apply_language("") == "de" and i18n.current_language() == "de"
    finally:
        i18n.apply_language("en")
