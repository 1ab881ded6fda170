"""Shared fixtures: every test gets its own LETTERDESK_HOME and runs offline."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def letterdesk_home(tmp_path_factory, monkeypatch):
    """A fresh data directory for each test, as IT would set with LETTERDESK_HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LETTERDESK_HOME", str(home))
    return home
