"""The engine's vocabulary: settings made from the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from letterdesk.core.engine.types import engine_settings
from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.settings import Settings


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


def test_engine_settings_are_checked_where_the_caller_asks():
    wrong = engine_settings(Settings(context_cap=16))
    with pytest.raises(ConfigurationError, match="settings are invalid"):
        wrong.checked()
