"""File → Train new model…: progress, loss plot, stop and resume, the evaluation table and the
promotion, driven by a fake trainer that speaks the real protocol (tests/fake_trainer.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from letterdesk.core.foundation.paths import resource
from letterdesk.core.store.database import Store
from letterdesk.core.store.model_versions import default_version
from letterdesk.gui.qt import (
    QAbstractButton,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    Qt,
    QTableView,
    QWidget,
)
from tests.fake_trainer import fake_python


@pytest.fixture
def trainer(tmp_path) -> dict[str, Path]:
    """The fake trainer's executable, its start log and the model file its candidate names."""
    model = tmp_path / "models" / "ft-fake.gguf"
    model.parent.mkdir()
    shutil.copy(resource("models", "letterdesk-demo.gguf"), model)
    return {"python": fake_python(tmp_path), "log": tmp_path / "starts.jsonl", "model": model}


def open_dialog(window, trainer, tmp_path, **env: str):
    """The window's dialog, pointed at the fake trainer, with a base and a work folder."""
    dialog = window.open_training()
    dialog.python = str(trainer["python"])
    dialog.env = {
        "FAKE_TRAINER_LOG": str(trainer["log"]),
        "FAKE_TRAINER_MODEL": str(trainer["model"]),
        **env,
    }
    dialog.base_edit.setText(str(tmp_path / "base-checkpoint"))
    dialog.folder_edit.setText(str(tmp_path / "run"))
    return dialog


def starts(trainer) -> list[dict]:
    return [json.loads(line) for line in trainer["log"].read_text(encoding="utf-8").splitlines()]


def test_training_shows_progress_stops_resumes_and_promotes(
    qtbot, make_window, trainer, tmp_path, store_path, letterdesk_home
):
    window = make_window()
    dialog = window.open_training()
    assert dialog.isVisible() and window.open_training() is dialog  # one dialog per window
    assert Path(dialog.folder_edit.text()).parent == letterdesk_home / "training"
    assert not dialog.start_button.isEnabled()  # no base model named yet
    dialog = open_dialog(window, trainer, tmp_path, FAKE_TRAINER_PAUSE_AT="3")

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.value() == 3, timeout=10000)
    assert (dialog.progress.maximum(), dialog.progress.text()) == (6, "Step 3 of 6")
    assert dialog.eta_label.text() == "about 5 min left"
    assert dialog.plot.training == [(1, 3.0), (2, 1.5), (3, 1.0)]
    assert dialog.plot.heldout == [(0, 2.5)]
    assert dialog.stage_label.text() == "Training on the signed letters …"
    assert dialog.stop_button.isEnabled() and not dialog.start_button.isEnabled()

    with qtbot.waitSignal(dialog.run_ended, timeout=10000) as ended:
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    assert ended.args[0].status == "cancelled"
    with pytest.raises(ProcessLookupError):  # the trainer has ended, not merely been left
        os.kill(starts(trainer)[-1]["pid"], 0)
    assert dialog.stage_label.text().startswith("Stopped. The training kept a checkpoint")
    assert dialog.resume_button.isEnabled() and not dialog.stop_button.isEnabled()
    assert dialog.progress.value() == 3

    with qtbot.waitSignal(dialog.filed, timeout=20000):
        qtbot.mouseClick(dialog.resume_button, Qt.MouseButton.LeftButton)
    finetunes = [s["argv"] for s in starts(trainer) if s["argv"][0] == "finetune"]
    assert "--resume" not in finetunes[0] and "--resume" in finetunes[1]
    assert [step for step, _ in dialog.plot.training] == [1, 2, 3, 4, 5, 6]
    assert (dialog.progress.value(), dialog.progress.maximum()) == (6, 6)
    table = dialog.comparison.table
    cells = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert cells == [
        ["0.520", "0.610", "+0.090"],
        ["0.310", "0.420", "+0.110"],
        ["0.440", "0.550", "+0.110"],
        ["95.0%", "97.0%", "+2.0 pp"],
    ]
    assert table.verticalHeaderItem(3).text() == "Key-fact recall"
    assert (
        "ft-fake is not measurably worse than the current model" in dialog.comparison.verdict.text()
    )
    assert dialog.comparison.promote_button.isEnabled()

    with qtbot.waitSignal(dialog.promoted, timeout=10000) as promoted:
        qtbot.mouseClick(dialog.comparison.promote_button, Qt.MouseButton.LeftButton)
    assert dialog.comparison.verdict.text() == "Version ft-fake is now the default model."
    assert not dialog.comparison.promote_button.isEnabled()
    assert Path(promoted.args[0].path) == trainer["model"].resolve()
    with Store(store_path) as store:
        assert Path(default_version(store).path) == trainer["model"].resolve()
    assert window.settings.model_path == str(trainer["model"].resolve())
    assert window.statusBar().currentMessage().startswith("Letters are now drafted with")


def test_a_version_the_trainer_found_worse_cannot_be_made_the_default(
    qtbot, make_window, trainer, tmp_path, store_path
):
    dialog = open_dialog(make_window(), trainer, tmp_path, FAKE_TRAINER_PROMOTE="0")
    with qtbot.waitSignal(dialog.filed, timeout=20000) as filed:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert not filed.args[0].promotable
    assert not dialog.comparison.promote_button.isEnabled()
    assert dialog.comparison.verdict.text() == (
        "Version ft-fake was kept but cannot become the default: "
        "Kept, not made the default: ROUGE-L fell from 0.550 to 0.440."
    )
    with Store(store_path) as store:
        assert default_version(store) is None


def test_a_failing_trainer_is_explained_and_can_be_resumed(qtbot, make_window, trainer, tmp_path):
    dialog = open_dialog(make_window(), trainer, tmp_path, FAKE_TRAINER_FAIL="finetune")
    with qtbot.waitSignal(dialog.run_ended, timeout=10000) as ended:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert ended.args[0].status == "failed"
    boxes = [b for b in dialog.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == ["The fake finetune failed."]
    assert "It was told to." in boxes[0].informativeText()
    assert dialog.stage_label.text() == "The training did not finish."
    assert dialog.resume_button.isEnabled() and dialog.start_button.isEnabled()


def test_every_control_of_the_dialog_has_an_accessible_name(make_window):
    dialog = make_window().open_training()
    controls = (QAbstractButton, QLineEdit, QPlainTextEdit, QTableView)
    unnamed = [
        w
        for w in dialog.findChildren(QWidget)
        if isinstance(w, controls) and w.isVisible() and not w.accessibleName()
    ]
    assert unnamed == []
    assert dialog.plot.accessibleDescription() == "No training steps yet"
