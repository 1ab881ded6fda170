"""Settings: defaults, the site file IT presets and locks, the user's file."""

from __future__ import annotations

import pytest

from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.settings import Settings, load_settings, save_settings, with_changes


@pytest.fixture
def site(tmp_path, monkeypatch):
    path = tmp_path / "site.toml"
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(path))
    return path


def test_defaults_without_any_file(site):
    assert load_settings() == Settings()


def test_user_settings_round_trip_with_unicode(site):
    save_settings(
        with_changes(
            Settings(), author_name="Dr. Øberg-Müller", context_cap=2048, letter_language="en"
        )
    )
    loaded = load_settings()
    assert loaded.author_name == "Dr. Øberg-Müller"
    assert loaded.context_cap == 2048 and loaded.letter_language == "en"


def test_locked_site_keys_win_and_cannot_be_changed(site):
    site.write_text(
        'model_path = "/opt/models/site.gguf"\nn_gpu_layers = "0"\nlocked = ["model_path"]\n',
        encoding="utf-8",
    )
    save_settings(Settings(model_path="/home/me/other.gguf", n_gpu_layers="10"))
    loaded = load_settings()
    assert loaded.model_path == "/opt/models/site.gguf"
    assert loaded.n_gpu_layers == "10"  # not locked: the user's choice wins
    with pytest.raises(ConfigurationError, match="fixed by your IT department: model_path"):
        with_changes(loaded, model_path="/tmp/x.gguf")


def test_only_the_site_file_chooses_the_department_store(site, letterdesk_home):
    (letterdesk_home / "settings.toml").write_text(
        'store_url = "postgresql://elsewhere.example/db"\nallow_plain_store_connection = true\n',
        encoding="utf-8",
    )
    assert load_settings().store_url == "" and not load_settings().allow_plain_store_connection
    site.write_text('store_url = "postgresql://db.klinik.example/letterdesk"\n', encoding="utf-8")
    assert load_settings().store_url == "postgresql://db.klinik.example/letterdesk"
    with pytest.raises(ConfigurationError, match="fixed by your IT department: store_url"):
        with_changes(load_settings(), store_url="postgresql://mine.example/db")


def test_every_problem_in_a_file_is_reported(site):
    site.write_text(
        'letter_language = "fr"\ncontext_cap = "big"\ncolour = "blue"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigurationError) as caught:
        load_settings()
    message = caught.value.message
    assert "context_cap must be int" in message and "unknown setting 'colour'" in message


def test_a_broken_file_names_itself(site):
    site.write_text("model_path = ", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="site.toml"):
        load_settings()
