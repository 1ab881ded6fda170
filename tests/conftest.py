"""Shared fixtures: every test gets its own LETTERDESK_HOME and runs offline."""

from __future__ import annotations

import os

import pytest

from tests.postgres_server import postgres  # noqa: F401 - the session's PostgreSQL server

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def letterdesk_home(tmp_path_factory, monkeypatch):
    """A fresh data directory for each test, as IT would set with LETTERDESK_HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LETTERDESK_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def passphrase_provider():
    """Each test starts with the process's way of asking for passphrases as it found it: the
    window installs its dialog, the command line (``letterdesk.cli.main`` run in-process) the
    terminal prompt, and a later test must meet neither."""
    from letterdesk.core.security import passphrase

    before = passphrase.default_provider()
    yield
    passphrase.use_passphrase_provider(before)


@pytest.fixture
def no_core_files():
    """Processes started during the test leave no core file when a signal kills them (a test
    that sends SIGILL leaves the checkout clean; POSIX only)."""
    import resource

    limits = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, limits[1]))
    yield
    resource.setrlimit(resource.RLIMIT_CORE, limits)


@pytest.fixture(params=["file", "postgresql"])
def store_location(request, letterdesk_home, monkeypatch):
    """Each back end in turn: the encrypted store file in the test's data directory, then a
    new database on the test session's PostgreSQL server (``Store()`` opens it)."""
    if request.param == "file":
        from letterdesk.core.foundation.paths import store_path

        return store_path()
    server = request.getfixturevalue("postgres")
    url = server.store_url(server.new_database())
    monkeypatch.setenv("LETTERDESK_STORE", url)
    return url
