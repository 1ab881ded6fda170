"""Fixtures for the window's tests: a seeded store, a real tiny GGUF model, a window on them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from letterdesk.core.desk.demo import seed_demo_cases
from letterdesk.core.engine.types import DecodingOptions, EngineSettings
from letterdesk.core.foundation.settings import Settings
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import Letter, Revision, create_letter

AUTHOR = "Dr. Weiß"
RATER = "rater-1"
DRAFT = (
    "Sehr geehrte Frau Kollegin,\n\n"
    "wir berichten über Frau Anna Kühn, geb. 17.06.1972.\n\n"
    "Diagnose:\nZervixkarzinom, cT2b cN0 cM0.\n\n"
    "Therapie:\nRadiotherapie mit 50,4 Gy in 28 Fraktionen à 1,8 Gy."
)
# the tiny model's context is 512 tokens: a one-line prompt leaves room for a long letter
TINY_CHAT_TEMPLATE = "{{ bos_token }}Brief:"


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory) -> Path:
    """A real small LLaMA (random weights, LLaMA-3 rope, 512-token context) as F32 GGUF.

    Four layers 256 wide: about 1,000 tokens/s on one CPU thread, so a letter streams for
    half a second — long enough to watch the window while it does.
    """
    from training.convert import convert
    from training.tiny import build_tiny_model

    checkpoint = build_tiny_model(
        tmp_path_factory.mktemp("tiny-gui"),
        rope="llama3",
        hidden_size=256,
        intermediate_size=768,
        n_layers=4,
        n_heads=8,
        n_kv_heads=4,
    )
    out = tmp_path_factory.mktemp("tiny-gui-gguf") / "tiny.gguf"
    return convert(checkpoint, out, outtype="f32").path


@pytest.fixture
def tiny_engine(tiny_gguf) -> EngineSettings:
    """Engine settings for the tiny model: one CPU thread, the short prompt."""
    return EngineSettings(
        model_path=tiny_gguf, chat_template=TINY_CHAT_TEMPLATE, n_threads=1, max_context=512
    )


LONG_LETTER = DecodingOptions(max_tokens=480, ignore_eos=True)
"""A letter that streams for a while (the tiny model never ends on its own)."""


@pytest.fixture(autouse=True)
def gui_thread_collector(qapp):
    """As in the app: garbage is collected on the GUI thread only while a test runs (a cycle
    holding a Qt object collected by a worker thread crashed the suite)."""
    from letterdesk.gui.collector import GuiThreadCollector

    collector = GuiThreadCollector()
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def store_passphrase(monkeypatch):
    """Where no keyring runs (outside scripts/with-services.sh), stores take this passphrase.

    The app under test started as a subprocess inherits it.
    """
    if not os.environ.get("LETTERDESK_PASSPHRASE"):
        monkeypatch.setenv("LETTERDESK_PASSPHRASE", "gui-tests-only")
    # the dialog build_window installs is taken away again by tests/conftest.py


@pytest.fixture
def store_path(letterdesk_home) -> Path:
    """The store in this test's LETTERDESK_HOME, with the 24 synthetic demo cases."""
    path = letterdesk_home / "letterdesk.sqlite3"
    with Store(path) as store:
        seed_demo_cases(store)
    return path


@pytest.fixture
def add_letter(store_path) -> Callable[..., tuple[Letter, Revision]]:
    """`add_letter(case_id, text=DRAFT, author=AUTHOR)`: store a draft letter for a case."""

    def add(case_id: str = "SYN-DEMO-001", text: str = DRAFT, author: str = AUTHOR):
        with Store(store_path) as store:
            return create_letter(store, case_id, text, author=author)

    return add


@pytest.fixture
def settings() -> Settings:
    """The physician's settings in these tests (no drafts written ahead: the window's own
    letters are what most tests watch; tests/gui/test_predrafting.py turns it on)."""
    return Settings(author_name=AUTHOR, rater_name=RATER, ui_language="en", predraft=False)


@pytest.fixture
def make_window(qtbot, store_path, settings, letterdesk_home):
    """`make_window(engine=None, **kwargs)`: the main window on the seeded store.

    Without ``engine`` the model file does not exist (tests that generate pass tiny_engine).
    """
    from letterdesk.gui.main_window import MainWindow

    def make(load_model: bool = False, engine: EngineSettings | None = None, **kwargs):
        window = MainWindow(
            settings,
            store_path=store_path,
            engine=engine or EngineSettings(model_path=letterdesk_home / "no-model.gguf"),
            load_model=load_model,
            **kwargs,
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.case_list.selected_case is not None, timeout=5000)
        qtbot.waitUntil(lambda: window.letter_pane.desk is not None, timeout=5000)
        return window

    return make
