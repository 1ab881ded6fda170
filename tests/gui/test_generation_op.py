"""The model host: engine settings from the user's, and letters that use the room there is."""

from __future__ import annotations

from pathlib import Path

from letterdesk.core.engine.types import DecodingOptions
from letterdesk.core.foundation.settings import Settings
from letterdesk.gui.generation_op import GenerationOp, ModelHost, engine_settings


def test_engine_settings_follow_the_users_settings():
    local = engine_settings(
        Settings(model_path="/m.gguf", adapter_path="/a.gguf", n_gpu_layers="0", context_cap=2048)
    )
    assert (local.backend, local.model_path, local.lora_path) == (
        "local",
        Path("/m.gguf"),
        Path("/a.gguf"),
    )
    assert (local.n_gpu_layers, local.max_context) == (0, 2048)
    assert engine_settings(Settings()).model_path is None  # the bundled demo model
    assert engine_settings(Settings()).n_gpu_layers == "auto"
    remote = engine_settings(Settings(server_url="https://llm.klinik.example"))
    assert (remote.backend, remote.server_url) == ("server", "https://llm.klinik.example")


def test_a_letter_longer_than_the_context_gets_the_room_there_is(qtbot, tiny_engine, store_path):
    host = ModelHost(tiny_engine, store_path, DecodingOptions(max_tokens=1024, ignore_eos=True))
    try:
        with qtbot.waitSignal(host.loaded, timeout=30000) as loaded:
            host.load()
        assert loaded.args[0].n_ctx == 512 and loaded.args[0].device == "CPU"
        op = GenerationOp("SYN-DEMO-004", None, "Dr. A")
        with qtbot.waitSignal(op.finished, timeout=30000) as finished:
            host.generate(op)
        result = finished.args[0]
        assert result.finish_reason == "length"
        assert result.timing.prompt_tokens + result.timing.completion_tokens == 512
        assert result.revision.kind == "draft" and result.letter.case_id == "SYN-DEMO-004"
    finally:
        host.close()
