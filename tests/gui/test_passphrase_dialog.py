"""The passphrase dialog: a new passphrase is long enough and typed twice; workers never ask."""

from __future__ import annotations

import threading
from pathlib import Path

from letterdesk.core.security.passphrase import PassphraseRequest
from letterdesk.gui.passphrase_dialog import PassphraseDialog, ask_passphrase

STORE = Path("/data/letterdesk.sqlite3")


def test_a_new_passphrase_must_be_long_enough_and_typed_twice(qtbot):
    dialog = PassphraseDialog(PassphraseRequest("create", STORE))
    qtbot.addWidget(dialog)
    dialog.show()
    assert "letterdesk.sqlite3" in dialog.explanation.text() and dialog.repeat.isVisible()
    dialog.passphrase.setText("kurz")
    dialog.accept()
    assert "at least 8" in dialog.problem.text() and dialog.isVisible()
    dialog.passphrase.setText("Strahlen-Therapie-2025")
    dialog.repeat.setText("Strahlen-Therapie-2024")
    dialog.accept()
    assert "differ" in dialog.problem.text() and dialog.isVisible()
    dialog.repeat.setText("Strahlen-Therapie-2025")
    dialog.accept()
    assert dialog.result() == PassphraseDialog.DialogCode.Accepted


def test_unlocking_asks_once_and_says_when_the_last_one_was_wrong(qtbot):
    dialog = PassphraseDialog(PassphraseRequest("unlock", STORE, retry=True))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.repeat.isVisible()
    assert dialog.explanation.text().startswith("That passphrase was not correct.")
    assert dialog.passphrase.echoMode() == dialog.passphrase.EchoMode.Password
    assert dialog.passphrase.accessibleName()


def test_a_worker_thread_is_never_shown_a_dialog(qapp):
    answers = []
    worker = threading.Thread(
        target=lambda: answers.append(ask_passphrase(PassphraseRequest("unlock", STORE)))
    )
    worker.start()
    worker.join(5)
    assert answers == [None]
