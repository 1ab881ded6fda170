"""The department's shared letter server (issue 20), against llama-cpp-python's server on
loopback with TLS (a throw-away hospital CA) and an API key: plain http:// to another machine
is refused, the key comes from the keyring, and several workstations generate at once."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from letterdesk.cli import main
from letterdesk.core.cases.case import parse_case
from letterdesk.core.engine import server as server_module
from letterdesk.core.engine.server import ServerBackend
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, Progress, TextDelta
from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.generation.draft import case_prompt
from letterdesk.core.security import logins
from tests.core.engine.test_engine import case_document
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture
from tests.postgres_server import _certificates, _free_port

API_KEY = "department-key-7f3a"


@pytest.fixture(scope="module")
def shared_server(tiny_gguf, tmp_path_factory):
    """llama-cpp-python's server over TLS with an API key, one letter at a time per request."""
    folder = tmp_path_factory.mktemp("shared-server")
    ca_file, cert, key = _certificates(folder)
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(tiny_gguf), "--host",
         "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1",
         "--n_threads_batch", "1", "--verbose", "false", "--api_key", API_KEY,
         "--ssl_keyfile", str(key), "--ssl_certfile", str(cert),
         "--interrupt_requests", "false"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"https://localhost:{port}"
    import ssl

    context = ssl.create_default_context(cafile=str(ca_file))
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url + "/v1/models", timeout=1, context=context)
            break
        except urllib.error.HTTPError:
            break  # 401: it runs and asks for the key
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"llama_cpp.server did not start: {log.name}")
            time.sleep(0.2)
    yield url, ca_file
    process.terminate()
    process.wait(10)
    log.close()


def settings(url: str, ca_file: Path | None, tiny_gguf: Path) -> EngineSettings:
    return EngineSettings(backend="server", server_url=url + "/v1", model_path=tiny_gguf,
                          server_ca_file=ca_file)  # fmt: skip


def test_letters_go_to_another_machine_only_over_https():
    for url in ("http://llm.klinik.test:8080", "http://10.1.2.3/v1"):
        with pytest.raises(ModelError) as refused:
            ServerBackend(EngineSettings(backend="server", server_url=url))
        assert "plain http://" in refused.value.message
        assert "allow_plain_server_connection = true" in refused.value.hint
        ServerBackend(EngineSettings(backend="server", server_url=url, allow_plain_server=True))
    ServerBackend(EngineSettings(backend="server", server_url="https://llm.klinik.test/v1"))
    ServerBackend(EngineSettings(backend="server", server_url="http://127.0.0.1:8080"))


@pytest.mark.usefixtures("secret_service")
def test_the_hospital_ca_and_the_key_from_the_keyring_open_the_server(
    shared_server, tiny_gguf, monkeypatch, tmp_path
):
    url, ca_file = shared_server
    with pytest.raises(ModelError, match="CERTIFICATE_VERIFY_FAILED"):
        ServerBackend(settings(url, None, tiny_gguf)).load()  # not the system's CAs
    with pytest.raises(ModelError, match="asks for an API key"):
        ServerBackend(settings(url, ca_file, tiny_gguf)).load()
    site = tmp_path / "site.toml"
    site.write_text(f'server_url = "{url}/v1"\nserver_ca_file = "{ca_file}"\n', encoding="utf-8")
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(site))
    try:
        monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong-key")
        assert main(["server-key"]) == 2
        assert logins.saved_server_key(url) is None  # a key the server refuses is not kept
        monkeypatch.setattr("getpass.getpass", lambda prompt: API_KEY)
        assert main(["server-key"]) == 0
        backend = ServerBackend(settings(url, ca_file, tiny_gguf))
        assert backend.load().backend == "server"
    finally:
        logins.forget_server_key(url)


def test_several_workstations_generate_at_once_and_are_told_to_wait(
    shared_server, tiny_gguf, monkeypatch
):
    url, ca_file = shared_server
    monkeypatch.setattr(server_module, "WAITING_S", 0.02)
    prompt_info = ServerBackend(settings(url, ca_file, tiny_gguf), api_key=API_KEY).load()
    prompt = case_prompt(parse_case(json.dumps(case_document())), prompt_info)
    texts, waited, failures = [], [], []

    def workstation() -> None:
        try:
            backend = ServerBackend(settings(url, ca_file, tiny_gguf), api_key=API_KEY)
            chunks = list(backend.stream(prompt, DecodingOptions(max_tokens=40)))
            texts.append("".join(c.text for c in chunks if isinstance(c, TextDelta)))
            waited.append(any(isinstance(c, Progress) and c.stage == "waiting" for c in chunks))
        except Exception as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=workstation) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(texts) == 4 and len(set(texts)) == 1 and texts[0]  # greedy: the same letter
    assert any(waited)  # the ones served later were told they wait for others
