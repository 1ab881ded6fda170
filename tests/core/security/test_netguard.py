"""The network guard: outside connections refused and logged, local ones allowed, children too.

The end-to-end check (generate → edit → export → train, every process guarded) is
tests/test_no_network.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from letterdesk.core.security import netguard, passphrase

OUTSIDE = ("192.0.2.1", 443)  # TEST-NET-1: never routed, so a slip would hang, not leak


@pytest.fixture
def guarded(tmp_path, monkeypatch) -> Path:
    """Every Python process started from now on is guarded; returns the guard's log."""
    site = tmp_path / "guard-site"
    netguard.write_sitecustomize(site)
    log = tmp_path / "network.log"
    paths = [str(site), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    monkeypatch.setenv(netguard.LOG_ENV, str(log))
    return log


def run(*command: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
    )


def attempts(log: Path) -> str:
    return log.read_text(encoding="utf-8") if log.exists() else ""


def test_the_guard_refuses_outside_connections_and_allows_local_ones(tmp_path):
    server, original = socket.create_server(("127.0.0.1", 0)), socket.create_connection
    with netguard.guard(tmp_path / "log") as seen:
        with pytest.raises(netguard.NetworkBlocked):
            socket.create_connection(OUTSIDE, timeout=1)
        with pytest.raises(netguard.NetworkBlocked):
            socket.getaddrinfo("huggingface.co", 443)
        sock = socket.socket()
        with pytest.raises(netguard.NetworkBlocked):
            sock.connect_ex(("2001:db8::1", 80))
        sock.close()
        local = socket.create_connection(server.getsockname(), timeout=5)
        local.close()
        socket.getaddrinfo("localhost", 80)
        left, right = socket.socketpair()  # AF_UNIX, as D-Bus and multiprocessing use
        left.close()
        right.close()
    server.close()
    assert len(seen) == 3 and "huggingface.co" in (tmp_path / "log").read_text()
    assert socket.create_connection is original  # uninstalled again


def test_entry_points_switch_libraries_offline(monkeypatch):
    from letterdesk.startup import prepare_process
    from training.__main__ import main as training_main

    for name in netguard.OFFLINE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    # prepare_process also sets the process's passphrase provider: undone after this test
    monkeypatch.setattr(passphrase, "_default_provider", passphrase.default_provider())
    prepare_process()
    assert all(os.environ[k] == v for k, v in netguard.OFFLINE_ENVIRONMENT.items())
    for name in netguard.OFFLINE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    assert training_main(["--help"]) == 0
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["DO_NOT_TRACK"] == "1"


def test_guarded_processes_and_their_spawned_children_report_attempts(guarded, tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        textwrap.dedent(
            f"""
        import multiprocessing, socket

        def reach_out():
            try:
                socket.create_connection({OUTSIDE!r}, timeout=1)
            except OSError as exc:
                print(type(exc).__name__)

        if __name__ == "__main__":
            process = multiprocessing.get_context("spawn").Process(target=reach_out)
            process.start()
            process.join(60)
        """
        ),
        encoding="utf-8",
    )
    result = run(str(probe), timeout=120)
    assert "NetworkBlocked" in result.stdout, result.stderr
    assert "192.0.2.1" in attempts(guarded)  # logged by the spawned child
