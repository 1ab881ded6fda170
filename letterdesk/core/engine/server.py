"""A backend with the engine's interface that asks an OpenAI-compatible server for letters.

Works with llama.cpp's ``llama-server``, llama-cpp-python's server and vLLM: the prompt
goes to ``POST /v1/completions`` with ``stream: true`` and the answer is read as
server-sent events. Only the configured base URL is contacted (environment proxies are
ignored), and nothing but the prompt and the decoding options is sent.

Servers put the begin-of-text token before a text prompt themselves, so the prompt's own
leading begin-of-text text is removed before sending; the model sees the same tokens as
with the local engine. The token budget is checked when the server can count tokens
(``/extras/tokenize/count`` or ``/tokenize``) and its context size is known (settings
``server_context``, vLLM's ``max_model_len`` or llama-server's ``/props``); otherwise a
notice says that it could not be checked.
"""

from __future__ import annotations

import json
import queue
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from letterdesk.core.engine.types import (
    POLL_S,
    Chunk,
    ContextOverflow,
    DecodingOptions,
    EngineSettings,
    Finished,
    ModelInfo,
    Notice,
    Progress,
    ProgressCallback,
    TextDelta,
    Timing,
)
from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models.gguf_format import Keys
from letterdesk.core.models.gguf_header import GgufHeader, read_header
from letterdesk.core.models.identity import ModelIdentity, server_identity
from letterdesk.core.security import logins

_HINT = "Check that the server runs and that server_url in LetterDesk's settings points to it."
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WAITING_S = 2.0
"""No first token after this long: the window says the shared server is on other letters."""
BUSY_RETRY_S = 1.0
"""A busy server (503) is asked again after this long."""


class ServerBusy(ModelError):
    """The letter server answered 503: all its slots are taken."""

    def __init__(self, base_url: str) -> None:
        super().__init__(
            f"The letter server at {base_url} is busy with other letters.",
            "Try again in a moment; IT can give the server more parallel slots.",
        )


def _check_transport(base_url: str, allow_plain: bool) -> None:
    """Letters go to another machine only over https:// (unless the site allows http://)."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme == "http" and (parts.hostname or "") not in LOCAL_HOSTS and not allow_plain:
        raise ModelError(
            f"LetterDesk does not send letters to {parts.hostname} over plain http://.",
            "Use https:// with the server's certificate (server_ca_file: the hospital CA), or,"
            " on a network you trust, set allow_plain_server_connection = true in the site"
            " configuration.",
        )


class ServerBackend:
    """The engine interface over an OpenAI-compatible completion server."""

    def __init__(self, settings: EngineSettings, api_key: str | None = None) -> None:
        """``api_key``: sent as the bearer token; None: the one kept for this server's URL in
        the keyring (``letterdesk server-key``), if any."""
        self.settings = settings.checked()
        base = self.settings.server_url.rstrip("/")
        self.base_url = base[: -len("/v1")] if base.endswith("/v1") else base
        _check_transport(self.base_url, self.settings.allow_plain_server)
        # no proxies: the configured URL is the only address ever contacted
        handlers: list[Any] = [urllib.request.ProxyHandler({})]
        if self.settings.server_ca_file is not None:  # the hospital's CA, not the system's
            context = ssl.create_default_context(cafile=str(self.settings.server_ca_file))
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self._opener = urllib.request.build_opener(*handlers)
        self._key = api_key if api_key is not None else logins.saved_server_key(self.base_url)
        self._header: GgufHeader | None = None
        self._info: ModelInfo | None = None
        self._response: Any = None

    def load(self, progress: ProgressCallback | None = None) -> ModelInfo:
        """Ask the server which model it serves; report each step."""
        for chunk in self._ensure_loaded():
            if progress is not None:
                progress(chunk)
        assert self._info is not None
        return self._info

    def identity(self) -> ModelIdentity:
        """The served model's identity; exact when ``model_path`` names the same file here."""
        info = self.load()
        return server_identity(self.base_url, info.name, self._header)

    def stream(
        self,
        prompt: str,
        options: DecodingOptions | None = None,
        *,
        cancel: Callable[[], bool] | None = None,
    ) -> Iterator[Chunk]:
        """Stream a completion from the server, chunk by chunk, like :meth:`Engine.stream`."""
        options = (options or DecodingOptions()).checked()
        yield from self._ensure_loaded()
        assert self._info is not None
        sent = self._without_bos(prompt)
        notice = self._check_budget(sent, options)
        if notice is not None:
            yield notice
        if options.constrain_numbers:  # an OpenAI-compatible API runs no logits processor
            yield Notice(
                "numbers_not_constrained",
                "The letter server cannot keep the letter's numbers to the case's; "
                "check every dose and date.",
            )
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        started = time.perf_counter()
        yield from self._post_when_free(self._body(sent, options), cancel)
        response = self._response
        reader = threading.Thread(target=_read_events, args=(response, events), daemon=True)
        reader.start()
        yield from self._follow(events, response, started, cancel)

    def pause(self) -> None:
        """Nothing to hold here: the server schedules the workstations' requests itself."""

    def resume(self) -> None:
        """See :meth:`pause`."""

    def prepare(self, prefix: str | None, cancel: Callable[[], bool] | None = None) -> str:
        """Nothing to do here: the server keeps its own prompt cache (llama-server reuses
        the common start of consecutive prompts) across the workstations' letters."""
        return "none"

    def remember(self, letters: Callable[[], Sequence[str]]) -> int:
        """Nothing to do here: the server writes without this app's prompt lookup."""
        return 0

    def close(self) -> None:
        """Stop reading an answer still streaming; the server itself is left alone."""
        if self._response is not None:
            self._response.close()
            self._response = None

    # --- talking to the server ---------------------------------------------------------------

    def _ensure_loaded(self) -> Iterator[Progress | Notice]:
        if self._info is not None:
            return
        yield Progress("checking", f"Connecting to the letter server at {self.base_url} …")
        if self.settings.model_path is not None:
            self._header = read_header(Path(self.settings.model_path))
        models = self._get_json("/v1/models").get("data") or []
        names = [str(m.get("id")) for m in models if isinstance(m, dict)]
        name = self.settings.server_model or (names[0] if names else "")
        if not name:
            raise ModelError(f"The letter server at {self.base_url} serves no model.", _HINT)
        served: dict[str, Any] = next((m for m in models if m.get("id") == name), {})
        header = self._header
        self._info = ModelInfo(
            backend="server",
            name=name,
            path=self.base_url,
            architecture=header.architecture if header else "unknown",
            quantization=header.quantization if header else "unknown",
            context_length=header.context_length if header else None,
            n_ctx=self.settings.server_context or served.get("max_model_len") or self._props_ctx(),
            device="server",
            n_gpu_layers=0,
            device_reason=self.base_url,
            chat_template=self.settings.chat_template or (header.chat_template if header else None),
            bos_token=header.special_token(Keys.Tokenizer.BOS_ID) if header else None,
            adapter_path=None,
        )
        yield Progress("ready", f"The letter server at {self.base_url} serves {name}.")

    def _without_bos(self, prompt: str) -> str:
        bos = (self._info.bos_token if self._info else None) or "<|begin_of_text|>"
        return prompt[len(bos) :] if prompt.startswith(bos) else prompt

    def _check_budget(self, prompt: str, options: DecodingOptions) -> Notice | None:
        n_ctx = self._info.n_ctx if self._info else None
        count = self._count_tokens(prompt) if n_ctx else None
        if n_ctx is None or count is None:
            return Notice(
                "budget_unchecked",
                "The letter server does not say how long a case "
                "may be; a letter that does not fit ends early (reason “length”).",
            )
        if count + options.max_tokens > n_ctx:
            raise ContextOverflow(count, options.max_tokens, n_ctx)
        return None

    def _count_tokens(self, prompt: str) -> int | None:
        model = self._info.name if self._info else None
        for path, body in (
            ("/extras/tokenize/count", {"input": prompt, "model": model}),  # llama-cpp-python
            (
                "/tokenize",
                {"content": prompt, "prompt": prompt, "model": model, "add_special": True},
            ),  # llama-server, vLLM
        ):
            try:
                answer = self._post_json(path, body)
            except ModelError:
                continue
            if isinstance(answer.get("count"), int):
                return int(answer["count"])
            if isinstance(answer.get("tokens"), list):
                return len(answer["tokens"])
        return None

    def _props_ctx(self) -> int | None:
        try:
            settings = self._get_json("/props").get("default_generation_settings") or {}
        except ModelError:
            return None
        n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
        return int(n_ctx) if isinstance(n_ctx, int) else None

    def _body(self, prompt: str, options: DecodingOptions) -> dict[str, Any]:
        assert self._info is not None
        body: dict[str, Any] = {
            "model": self._info.name,
            "prompt": prompt,
            "stream": True,
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            "top_k": 0,
            "min_p": 0.0,  # as the local engine: off
            "repeat_penalty": options.repeat_penalty,
            "seed": options.seed,
        }
        if options.ignore_eos:
            body["ignore_eos"] = True  # llama-server and vLLM
        return body

    def _request(self, path: str, body: dict[str, Any] | None) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if self._key is not None:  # never follows a redirect to another address
            request.add_unredirected_header("Authorization", f"Bearer {self._key}")
        try:
            return self._opener.open(request, timeout=self.settings.request_timeout_s)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")[:500]
            if exc.code in (401, 403):
                raise ModelError(
                    f"The letter server at {self.base_url} asks for an API key"
                    + (" and refused the one saved here." if self._key else "."),
                    "Save the key IT gave you with `letterdesk server-key` on this computer.",
                ) from exc
            if exc.code == 503:
                raise ServerBusy(self.base_url) from exc
            raise ModelError(
                f"The letter server at {self.base_url} refused the request ({exc.code}): "
                f"{_error_text(detail)}",
                "See the server's log; a refused prompt may be longer than its context.",
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ModelError(
                f"The letter server at {self.base_url} cannot be reached: {reason}.", _HINT
            ) from exc

    def _get_json(self, path: str) -> dict[str, Any]:
        with self._request(path, None) as response:
            return _json_object(response.read(), self.base_url)

    def _post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._request(path, body) as response:
            return _json_object(response.read(), self.base_url)

    def _post_stream(self, body: dict[str, Any]) -> Any:
        self._response = self._request("/v1/completions", body)
        return self._response

    def _post_when_free(
        self, body: dict[str, Any], cancel: Callable[[], bool] | None
    ) -> Iterator[Progress]:
        """Post the letter; while the server answers "busy" (503), say so and try again."""
        deadline = time.monotonic() + self.settings.request_timeout_s
        while True:
            try:
                self._post_stream(body)
                return
            except ServerBusy:
                if time.monotonic() > deadline or (cancel is not None and cancel()):
                    raise
                yield Progress("busy", f"The letter server at {self.base_url} is busy with "
                                       "other letters; waiting for it …")  # fmt: skip
                time.sleep(BUSY_RETRY_S)

    def _follow(
        self,
        events: queue.Queue[tuple[str, Any]],
        response: Any,
        started: float,
        cancel: Callable[[], bool] | None,
    ) -> Iterator[Chunk]:
        tokens, first, reason, usage, told = 0, None, "length", None, False
        try:
            while True:
                if cancel is not None and cancel():
                    reason = "cancelled"
                    break
                try:
                    kind, payload = events.get(timeout=POLL_S)
                except queue.Empty:
                    if first is None and not told and time.perf_counter() - started > WAITING_S:
                        told = True  # a shared server finishes other letters first
                        waiting = f"Waiting for the letter server at {self.base_url}: other"
                        yield Progress("waiting", waiting + " letters first …")
                    continue
                if kind == "error":
                    raise ModelError(
                        f"The answer of the letter server at {self.base_url} broke off: {payload}.",
                        _HINT,
                    )
                if kind == "end":
                    break
                choice = (payload.get("choices") or [{}])[0]
                usage = payload.get("usage") or usage
                if choice.get("text"):
                    first = first or time.perf_counter()
                    tokens += 1
                    yield TextDelta(choice["text"], tokens)
                if choice.get("finish_reason"):
                    reason = "stop" if choice["finish_reason"] == "stop" else "length"
        finally:
            self.close()
        ended = time.perf_counter()
        usage = usage if isinstance(usage, dict) else {}
        yield Finished(
            reason,
            Timing(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or tokens),
                time_to_first_token_s=(first or ended) - started,
                total_s=ended - started,
            ),
        )


def _read_events(response: Any, events: queue.Queue[tuple[str, Any]]) -> None:
    """Parse server-sent events (``data: …`` lines, blank line between events) into the queue."""
    data: list[str] = []
    try:
        for raw in response:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line.startswith(":"):  # a comment, e.g. a keep-alive ping
                continue
            if line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
                continue
            if line or not data:
                continue
            text, data = "\n".join(data), []
            if text.strip() == "[DONE]":
                break
            events.put(("event", json.loads(text)))
        else:
            if data and "\n".join(data).strip() != "[DONE]":
                events.put(("event", json.loads("\n".join(data))))
        events.put(("end", None))
    except (OSError, ValueError, AttributeError) as exc:  # closed on cancel, or broken JSON
        events.put(("error", str(exc)))


def _json_object(raw: bytes, url: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ModelError(f"The server at {url} did not answer in JSON.", _HINT) from exc
    if not isinstance(value, dict):
        raise ModelError(f"The server at {url} gave an unexpected answer.", _HINT)
    return value


def _error_text(detail: str) -> str:
    try:
        value = json.loads(detail)
    except ValueError:
        return detail or "no details"
    if isinstance(value, dict):
        error = value.get("error", value.get("detail", value))
        if isinstance(error, dict):
            return str(error.get("message", error))
        return str(error)
    return detail
