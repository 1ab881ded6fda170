"""The server backend against llama-cpp-python's own OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.engine.factory import open_engine
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.server import ServerBackend
from letterdesk.core.engine.types import (
    ContextOverflow,
    DecodingOptions,
    EngineSettings,
    Finished,
    Notice,
    TextDelta,
)
from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.generation.draft import case_prompt, generate_letter
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import revisions
from tests.core.engine.test_engine import case_document


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tiny_gguf, tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(tiny_gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
            "--n_threads",
            "1",
            "--n_threads_batch",
            "1",
            "--verbose",
            "false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"llama_cpp.server did not start: {log.name}")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)
    log.close()


def stream_text(backend, prompt: str, options: DecodingOptions) -> tuple[str, Finished]:
    chunks = list(backend.stream(prompt, options))
    text = "".join(c.text for c in chunks if isinstance(c, TextDelta))
    return text, next(c for c in chunks if isinstance(c, Finished))


def test_the_server_streams_the_same_greedy_letter_as_the_local_engine(server, tiny_gguf):
    backend = open_engine(
        EngineSettings(backend="server", server_url=server + "/v1", model_path=tiny_gguf)
    )
    assert isinstance(backend, ServerBackend)
    info = backend.load()
    assert info.backend == "server" and info.chat_template  # the file's own template
    prompt = case_prompt(parse_case(json.dumps(case_document())), info)
    options = DecodingOptions(max_tokens=40)
    chunks = list(backend.stream(prompt, options))
    remote = "".join(c.text for c in chunks if isinstance(c, TextDelta))
    assert sum(isinstance(c, TextDelta) for c in chunks) >= 10  # streamed, not in one piece
    with Engine(EngineSettings(model_path=tiny_gguf, n_threads=1)) as local:
        here, finished = stream_text(local, prompt, options)
    # the same tokens; llama-cpp-python's server drops bytes that are no UTF-8 (a random model
    # writes some), the engine shows them as U+FFFD so a broken letter is visibly broken
    assert remote == here.replace("\ufffd", "") and remote
    assert chunks[-1].reason == finished.reason == "length"


def test_the_budget_is_checked_when_the_server_context_is_known(server, tiny_gguf):
    backend = ServerBackend(
        EngineSettings(
            backend="server", server_url=server, server_context=2048, model_path=tiny_gguf
        )
    )
    prompt = case_prompt(parse_case(json.dumps(case_document())), backend.load())
    with pytest.raises(ContextOverflow, match="too long for the model by"):
        list(backend.stream(prompt, DecodingOptions(max_tokens=1900)))
    unchecked = ServerBackend(EngineSettings(backend="server", server_url=server))
    chunks = list(unchecked.stream(prompt, DecodingOptions(max_tokens=3)))
    notices = [c.code for c in chunks if isinstance(c, Notice)]
    assert notices == ["budget_unchecked"]  # said, not silent


def test_the_server_says_it_cannot_keep_numbers_to_the_case(server):
    backend = ServerBackend(EngineSettings(backend="server", server_url=server))
    prompt = case_prompt(parse_case(json.dumps(case_document())), backend.load())
    options = DecodingOptions(max_tokens=3, constrain_numbers=True)
    chunks = list(backend.stream(prompt, options))
    assert "numbers_not_constrained" in [c.code for c in chunks if isinstance(c, Notice)]


def test_a_cancelled_server_letter_ends_at_once(server, tiny_gguf):
    backend = ServerBackend(EngineSettings(backend="server", server_url=server))
    prompt = case_prompt(parse_case(json.dumps(case_document())), backend.load())
    seen: list = []
    started = None

    def cancel() -> bool:
        nonlocal started
        if len(seen) >= 5 and started is None:
            started = time.perf_counter()
        return started is not None

    # llama-cpp-python's server holds back text after bytes that are no UTF-8, and a random
    # model writes many: keep the letter short so the server is done in a moment anyway
    for chunk in backend.stream(prompt, DecodingOptions(max_tokens=150), cancel=cancel):
        seen.append(chunk)
    assert time.perf_counter() - started < 0.1
    assert isinstance(seen[-1], Finished) and seen[-1].reason == "cancelled"


def test_a_server_draft_is_stored_with_the_server_model(server, tmp_path):
    backend = ServerBackend(EngineSettings(backend="server", server_url=server))
    with Store(tmp_path / "letters.sqlite3") as store:
        store.import_cases([parse_case(json.dumps(case_document()))])
        result = generate_letter(
            store, "SYN-TEST-0001", backend, options=DecodingOptions(max_tokens=8)
        )
        (revision,) = revisions(store, result.letter.id)
        sha256, path = store.conn.execute(
            "SELECT sha256, path FROM models WHERE id = ?", (revision.model_ref,)
        ).fetchone()
    assert sha256.startswith("unverified:") and path == server
    assert revision.prompt.startswith("<|begin_of_text|>")  # stored exactly as built


def test_an_unreachable_server_is_named():
    backend = ServerBackend(
        EngineSettings(backend="server", server_url=f"http://127.0.0.1:{free_port()}")
    )
    with pytest.raises(ModelError, match="cannot be reached"):
        backend.load()
