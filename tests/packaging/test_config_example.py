"""The example site configuration IT starts from, and the MSI's default site file, load as
documented: every setting is explained, nothing in them is rejected."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from letterdesk.core.foundation.settings import Settings, load_settings

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
EXAMPLE = PACKAGING / "config.example.toml"


def test_the_example_loads_as_a_site_file(monkeypatch):
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(EXAMPLE))

    settings = load_settings()

    written = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert {key: getattr(settings, key) for key in written if key != "locked"} == {
        key: value for key, value in written.items() if key != "locked"
    }  # every value as the file writes it
    assert set(settings.locked) == {
        "model_path", "adapter_path", "n_gpu_layers", "server_url", "letterhead_template",
        "demo_cases",
    }  # fmt: skip
    assert settings.demo_cases is False  # production: no invented patients in the store


def test_the_example_explains_every_setting():
    text = EXAMPLE.read_text(encoding="utf-8")
    written = set(re.findall(r"^#? ?([a-z_]+) = ", text, flags=re.MULTILINE))

    assert written == {field.name for field in dataclasses.fields(Settings)}


@pytest.mark.parametrize("locked_key", ["model_path", "letterhead_template"])
def test_a_locked_key_beats_the_users_file(monkeypatch, letterdesk_home, locked_key):
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(EXAMPLE))
    (letterdesk_home / "settings.toml").write_text(
        f'{locked_key} = "/home/me/mine"\nauthor_name = "Dr. Mine"\n', encoding="utf-8"
    )
    site = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))

    settings = load_settings()

    assert getattr(settings, locked_key) == site[locked_key]
    assert settings.author_name == "Dr. Mine"  # the user's file was read: only the lock won


def test_the_msi_default_site_file_sets_nothing(monkeypatch):
    monkeypatch.setenv(
        "LETTERDESK_SITE_CONFIG", str(PACKAGING / "windows/site-config.default.toml")
    )

    assert load_settings() == Settings()
