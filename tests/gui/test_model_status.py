"""The status bar shows the model's name, version, CPU or GPU, context and load progress."""

from __future__ import annotations

from letterdesk.core.engine.types import Progress
from letterdesk.core.foundation.errors import ModelError
from letterdesk.gui.generation_op import ModelStatus
from letterdesk.gui.model_status import ModelStatusBar


def test_loading_then_ready_then_failed(qtbot):
    bar = ModelStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.loading(Progress("loading", "Loading demo onto the CPU …"))
    assert bar.bar.isVisible()
    assert "Loading demo onto the CPU" in bar.label.text()
    bar.loaded(ModelStatus("LetterDesk demo", "1.0", "CPU", 4096, "local"))
    assert not bar.bar.isVisible()
    assert bar.label.text() == "Model: LetterDesk demo 1.0 · CPU · context 4,096 tokens"
    assert bar.accessibleName() == bar.label.text()
    bar.failed(ModelError("The model file x.gguf does not exist.", "Install it."))
    assert bar.label.text() == "Model not available: The model file x.gguf does not exist."
