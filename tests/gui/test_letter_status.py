"""The status lines above the letter: progress while writing, then where the letter stands."""

from __future__ import annotations

from dataclasses import replace

from letterdesk.core.desk.worklist import LetterAtDesk
from letterdesk.core.engine.types import Timing
from letterdesk.core.store.letters import Letter, Revision
from letterdesk.gui.letter_status import LetterStatus, duration

DRAFT = Revision(1, 1, 1, "draft", "Text", "Dr. A", "2025-03-01T10:00:00", 1, "p", 0.0)
LETTER = Letter(1, "C-1", "final_report", "de", "2025-03-01T10:00:00", "Dr. A", None, None, None)


def test_progress_while_writing_and_the_summary_after(qtbot):
    status = LetterStatus()
    qtbot.addWidget(status)
    status.writing(2.0, 50)
    assert status.progress.text() == "Writing … 2.0 s · 50 tokens · 25.0 tokens/s"
    status.written("length", Timing(completion_tokens=480, total_s=65.0))
    assert status.progress.text() == (
        "Draft cut at the maximum length: 1:05 min · 480 tokens · 7.4 tokens/s"
    )
    assert duration(0.42) == "0.4 s"


def test_the_state_line_names_revision_correction_and_sign_off(qtbot):
    status = LetterStatus()
    qtbot.addWidget(status)
    status.show_letter(True, None, writing=False)
    assert status.state.text() == "No letter yet."
    status.show_letter(True, None, writing=True)
    assert "writing a draft" in status.state.text()
    corrected = replace(DRAFT, id=2, number=2, kind="correction")
    status.show_letter(True, LetterAtDesk(LETTER, corrected, DRAFT, 2), writing=False)
    assert status.state.text().startswith("Revision 2 (corrected)")
    signed = replace(LETTER, signed_by="Dr. A", signed_at="2025-03-02T08:00:00")
    status.show_letter(True, LetterAtDesk(signed, corrected, DRAFT, 2), writing=False)
    assert status.state.text().startswith("Signed off by Dr. A on 2025-03-02")
    status.show_letter(False, None, writing=False)
    assert status.state.text() == ""
