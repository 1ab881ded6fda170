"""The engine: a prompt in, the letter's text out as a stream of small typed chunks.

The model never runs in the app's process. :class:`Engine` starts a worker process
(:mod:`letterdesk.core.engine.worker`, multiprocessing "spawn") that alone loads llama.cpp
and the model; a crash, an out-of-memory kill or a bad model file ends only that process.
The next request starts a new worker and says so with a :class:`Notice`. The worker keeps
the model and its KV cache between requests, so a prompt sharing a prefix with the
previous one is evaluated only from where they differ.

Streaming follows llama-cpp-python: :meth:`Engine.stream` yields :class:`Progress` and
:class:`Notice` while the model loads, then :class:`TextDelta` chunks as tokens are produced
(the first token's text at once, then what is new every 20 ms at most, so a fast model does
not pay a pipe write per token), then one :class:`Finished` with the :class:`Timing`. A
``cancel`` callable is polled every few milliseconds; the worker stops between two tokens and
the stream ends within 50 ms (tests/core/engine/test_engine.py). The prompt is evaluated in
steps, the stop checked between them; a cancel during a step ends the stream at once and the
worker's late reply is discarded before the next request.

:class:`~letterdesk.core.engine.server.ServerBackend` offers the same interface for an
OpenAI-compatible server; :func:`open_engine` picks one from the settings.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

from letterdesk.core.engine import prefix_state, protocol
from letterdesk.core.engine import worker as engine_worker
from letterdesk.core.engine.types import (
    BUILT_FOR_ANOTHER_PROCESSOR,
    ILLEGAL_INSTRUCTION,
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
    WorkerStopped,
    describe_exit,
)
from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.foundation.paths import data_home
from letterdesk.core.models.gguf_format import Keys
from letterdesk.core.models.gguf_header import GgufHeader, check_text_model, read_header
from letterdesk.core.models.identity import ModelIdentity, identify

_log = logging.getLogger(__name__)

CANCEL_GRACE_S = 0.05
"""How long a cancelled stream waits for the worker's own end before ending anyway."""
PENDING_TIMEOUT_S = 300.0
"""How long a new request waits for a cancelled one still evaluating its prompt."""


def check_model_file(settings: EngineSettings) -> GgufHeader:
    """Pre-check the model (and adapter) file without loading it; ModelError naming the problem."""
    header = read_header(settings.model)
    check_text_model(header)
    if settings.lora_path is not None:
        adapter = read_header(Path(settings.lora_path))
        if not adapter.is_adapter:
            raise ModelError(
                f"{adapter.path.name} is not a LoRA adapter.",
                "Set lora_path to an adapter exported for this model, or leave it empty.",
            )
    return header


class Engine:
    """The local backend: a worker process owns llama.cpp and the model; this side streams."""

    def __init__(self, settings: EngineSettings | None = None) -> None:
        self.settings = (settings or EngineSettings()).checked()
        self._header: GgufHeader | None = None
        self._info: ModelInfo | None = None
        self._process: Any = None
        self._conn: Any = None
        self._cancel: Any = None
        self._pause: Any = None
        self._paused = False  # kept for a worker started while paused
        self._lost: str | None = None  # why the last worker ended, told on the next request
        self._pending: int | None = None  # a request whose end the worker has not yet sent
        self._remembered = False  # the worker was offered the model's earlier letters
        self._loading_layers: int = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def worker_pid(self) -> int | None:
        """The worker process's id while it runs (for diagnostics and tests)."""
        return self._process.pid if self._process is not None else None

    def header(self) -> GgufHeader:
        """The model file's checked header (read once)."""
        if self._header is None:
            self._header = check_model_file(self.settings)
        return self._header

    def identity(self) -> ModelIdentity:
        """The model's identity (hash, quantization, adapter) recorded with each draft."""
        lora = Path(self.settings.lora_path) if self.settings.lora_path else None
        return identify(self.header(), lora)

    def load(self, progress: ProgressCallback | None = None) -> ModelInfo:
        """Start the worker and load the model unless it is loaded; report each step."""
        with self._lock:
            for chunk in self._ensure_loaded():
                if progress is not None:
                    progress(chunk)
        assert self._info is not None
        return self._info

    def stream(
        self,
        prompt: str,
        options: DecodingOptions | None = None,
        *,
        cancel: Callable[[], bool] | None = None,
    ) -> Iterator[Chunk]:
        """Generate from ``prompt`` (the exact text, begin-of-text included), chunk by chunk.

        Raises ContextOverflow before generating when the prompt and ``max_tokens`` do not fit,
        WorkerStopped when the worker dies. ``cancel`` is polled every few milliseconds; the
        stream then ends with ``Finished("cancelled")`` at once; the worker stops between two
        steps (64 prompt tokens or one token), and on a slow model midway through a step
        (``worker.STOP_MIDWAY_AFTER_S``) — for a sampled letter only after its prompt.
        """
        options = (options or DecodingOptions()).checked()
        self._take_turn()
        try:
            self._finish_pending()
            yield from self._ensure_loaded()
            rid = next(self._ids)
            self._cancel.clear()
            self._pending = rid
            self._send(protocol.Generate(rid, prompt, asdict(options)), "starting the letter")
            yield from self._follow(rid, cancel)
        finally:
            if self._pending is not None and self._cancel is not None:
                self._cancel.set()  # the caller stopped reading: let the worker stop too
            self._lock.release()

    def pause(self) -> None:
        """Hold the letter being written between two tokens (or two steps of its prompt; on a
        slow model midway through a step) until :meth:`resume`; its text so far is sent first.
        Thread-safe and instant: a flag."""
        self._paused = True
        if self._pause is not None:
            self._pause.set()

    def resume(self) -> None:
        """Let a held letter go on."""
        self._paused = False
        if self._pause is not None:
            self._pause.clear()

    def prepare(self, prefix: str | None, cancel: Callable[[], bool] | None = None) -> str:
        """Have the KV state of ``prefix``, the shared start of prompts, in the worker's cache:
        ``kept`` (it was), ``loaded`` (saved by an earlier start), ``evaluated`` or
        ``rebuilt`` (and saved for the next start; :mod:`~letterdesk.core.engine.prefix_state`).
        ``prefix`` None (at the model's load): the most recently used saved state of this model,
        only loaded — the letter type written last. ``none`` when no model is loaded (or no
        state was saved); ``failed`` (logged) when it could not be done, which
        only costs time: the letter's prompt is evaluated whole as before. The evaluation
        pauses with :meth:`pause` and stops when ``cancel`` (polled like a letter's) says so:
        ``cancelled``, nothing saved."""
        self._take_turn()
        try:
            self._finish_pending()
            if self._process is None or self._info is None or not self._process.is_alive():
                return "none"
            identity = self.identity()
            rid = next(self._ids)
            folder = data_home() / prefix_state.FOLDER
            self._cancel.clear()  # a cancelled letter before must not stop this
            request = protocol.Prepare(rid, prefix, str(folder), identity.sha256, identity.adapter)
            self._send(request, "preparing the prompt")
            message = self._reply_to(rid, "preparing the prompt", cancel)
            if isinstance(message, protocol.Prepared):
                return message.how
            _log.warning("The shared prompt prefix could not be prepared: %s", message)
            return "failed"
        finally:
            self._lock.release()

    def remember(self, letters: Callable[[], Sequence[str]]) -> int:
        """Offer a fresh worker the model's earlier letters (``letters()``: the store's, oldest
        first) as sources of prompt lookup's guesses, as if it had written them; ``letters`` is
        called once per worker, never again. How many the worker took: 0 when it had written
        letters of its own, or when no model is loaded."""
        self._take_turn()
        try:
            self._finish_pending()
            if self._remembered or self._info is None or not self._process.is_alive():
                return 0
            texts = list(letters())
            self._remembered = True
            if not texts:
                return 0
            rid = next(self._ids)
            self._send(protocol.Remember(rid, texts), "taking the earlier letters")
            message = self._reply_to(rid, "taking the earlier letters")
            if isinstance(message, protocol.Remembered):
                return message.letters
            _log.warning("The model's earlier letters could not be taken: %s", message)
            return 0
        finally:
            self._lock.release()

    def close(self) -> None:
        """Stop the worker and free the model; the engine starts a new worker if used again."""
        self._discard_worker(politely=True)
        self._info = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take_turn(self) -> None:
        """One request at a time: take the engine, or say that it is busy."""
        if not self._lock.acquire(blocking=False):
            raise ModelError(
                "The letter generator is already writing a letter.",
                "Wait for it to finish or cancel it.",
            )

    # --- the worker ----------------------------------------------------------------------

    def _ensure_loaded(self) -> Iterator[Progress | Notice]:
        if self._process is not None and not self._process.is_alive():
            self._lost = self._lost or describe_exit(self._process.exitcode)
            self._discard_worker()
        if self._process is not None and self._info is not None:
            return
        if self._lost:
            yield Notice(
                "worker_restarted",
                f"The letter generator had stopped ({self._lost}); it was started again.",
            )
            self._lost = None
        yield Progress("checking", f"Checking the model file {self.settings.model.name} …")
        header = self.header()
        try:
            yield from self._start_and_load(header, self.settings.n_gpu_layers)
        except WorkerStopped as exc:
            self._lost = None
            if self._loading_layers == 0 or exc.exitcode in ILLEGAL_INSTRUCTION:
                raise self._load_failed(header, exc.how, exc.exitcode) from None
            yield Notice(
                "gpu_fallback",
                f"Loading the model onto the GPU failed ({exc.how}); "
                "it runs on the CPU instead, which is slower.",
            )
            try:
                yield from self._start_and_load(header, 0)
            except WorkerStopped as again:
                self._lost = None
                raise self._load_failed(header, again.how, again.exitcode) from None

    def _start_and_load(self, header: GgufHeader, layers: int | str) -> Iterator[Progress | Notice]:
        self._start_worker()
        n_ctx = min(header.context_length or self.settings.max_context, self.settings.max_context)
        self._loading_layers = -1 if layers == "auto" else int(layers)
        self._conn.send(
            protocol.Load(
                name=header.name,
                model_path=str(header.path),
                lora_path=str(self.settings.lora_path) if self.settings.lora_path else None,
                n_ctx=n_ctx,
                n_batch=self.settings.n_batch,
                n_threads=self.settings.n_threads,
                n_gpu_layers=layers,
                layer_bytes=header.layer_bytes(),
                block_count=header.block_count,
                kv_bytes_per_layer=header.kv_cache_bytes_per_layer(n_ctx),
            )
        )
        while True:
            message = self._receive("loading the model", 1.0)
            match message:
                case None:  # a large model takes a while; the worker is still alive
                    continue
                case protocol.Loading():
                    self._loading_layers = message.n_gpu_layers
                    yield Progress(message.stage, message.message)
                case protocol.LoadNotice():
                    yield Notice(message.code, message.message)
                case protocol.Failed():
                    raise self._load_failed(header, message.message)
                case protocol.Ready():
                    self._info = self._model_info(header, message)
                    yield Progress(
                        "ready",
                        f"{header.name} is ready on the {self._info.device} "
                        f"(context {self._info.n_ctx:,} tokens).",
                    )
                    return

    def _model_info(self, header: GgufHeader, ready: protocol.Ready) -> ModelInfo:
        return ModelInfo(
            backend="local",
            name=header.name,
            path=str(header.path),
            architecture=header.architecture,
            quantization=header.quantization,
            context_length=header.context_length,
            n_ctx=ready.n_ctx,
            device=ready.device,
            n_gpu_layers=ready.n_gpu_layers,
            device_reason=ready.device_reason,
            chat_template=self.settings.chat_template or header.chat_template,
            bos_token=header.special_token(Keys.Tokenizer.BOS_ID),
            adapter_path=str(self.settings.lora_path) if self.settings.lora_path else None,
            fact_slots=header.fact_slots,
        )

    @staticmethod
    def _load_failed(header: GgufHeader, why: str, exitcode: int | None = None) -> ModelError:
        return ModelError(
            f"The model {header.path.name} could not be loaded: {why}.",
            BUILT_FOR_ANOTHER_PROCESSOR
            if exitcode in ILLEGAL_INSTRUCTION
            else "The file passed LetterDesk's header check; it may be damaged, need a newer "
            "llama.cpp, or need more memory than is free.",
        )

    def _start_worker(self) -> None:
        self._discard_worker()
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe(duplex=True)
        self._cancel = context.Event()
        self._pause = context.Event()
        if self._paused:
            self._pause.set()
        self._process = context.Process(
            target=engine_worker.main,
            args=(child, self._cancel, self._pause),
            name="letterdesk-engine",
            daemon=True,
        )
        self._process.start()
        child.close()

    def _discard_worker(self, politely: bool = False) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._info, self._pending, self._remembered = None, None, False
        if process is None:
            return
        if politely and process.is_alive():
            try:
                conn.send(protocol.Close())
            except OSError:
                pass
            process.join(5)
        if process.is_alive():
            process.kill()
        process.join(5)
        conn.close()

    def _receive(self, during: str, timeout: float) -> protocol.Reply | None:
        """The worker's next message; None after ``timeout``; WorkerStopped if it is gone."""
        end = time.monotonic() + timeout
        while True:
            try:
                if self._conn.poll(max(0.0, min(POLL_S * 10, end - time.monotonic()))):
                    message: protocol.Reply = self._conn.recv()
                    return message
            except (EOFError, OSError):
                self._worker_ended(during)
            if not self._process.is_alive():
                self._worker_ended(during)
            if time.monotonic() >= end:
                return None

    def _send(self, request: protocol.Request, during: str) -> None:
        """Send a request; a worker that ended just now is reported as such (WorkerStopped),
        not as a broken pipe."""
        try:
            self._conn.send(request)
        except OSError:
            self._worker_ended(during)

    def _reply_to(
        self, rid: int, during: str, cancel: Callable[[], bool] | None = None
    ) -> protocol.Reply:
        """The worker's reply to request ``rid`` (late replies to earlier ones are passed
        over); ``cancel``, polled meanwhile, sets the worker's stop."""
        while True:
            if cancel is not None and not self._cancel.is_set() and cancel():
                self._cancel.set()
            message = self._receive(during, POLL_S)
            if message is not None and protocol.reply_id(message) == rid:
                return message

    def _worker_ended(self, during: str) -> NoReturn:
        process = self._process
        process.join(1)
        how = describe_exit(process.exitcode)
        self._discard_worker()
        self._lost = how
        raise WorkerStopped(during, how, process.exitcode)

    def _finish_pending(self) -> None:
        # a cancelled or abandoned letter: read the worker's replies up to its end first
        if self._pending is None or self._process is None:
            return
        self._cancel.set()
        deadline = time.monotonic() + PENDING_TIMEOUT_S
        try:
            while self._pending is not None:
                message = self._receive(
                    "finishing a cancelled letter", max(0.0, deadline - time.monotonic())
                )
                if message is None:
                    self._discard_worker()
                    self._lost = "it did not stop a cancelled letter in time"
                elif protocol.reply_id(message) == self._pending and not isinstance(
                    message, protocol.Delta
                ):
                    self._pending = None
        except WorkerStopped:
            pass  # the next request starts a new worker and says so

    def _follow(self, rid: int, cancel: Callable[[], bool] | None) -> Iterator[Chunk]:
        tokens, cancelled_at = 0, None
        while True:
            if cancelled_at is None and cancel is not None and cancel():
                self._cancel.set()
                cancelled_at = time.monotonic()
            message = self._receive("writing the letter", POLL_S)
            if message is None or protocol.reply_id(message) != rid:
                if cancelled_at is not None and time.monotonic() - cancelled_at > CANCEL_GRACE_S:
                    yield Finished("cancelled", Timing(completion_tokens=tokens))
                    return
                continue
            if isinstance(message, protocol.Delta):
                if cancelled_at is None:  # text produced after the cancel is not shown
                    tokens = message.n
                    yield TextDelta(message.text, tokens)
                continue
            self._pending = None
            match message:
                case protocol.Done():
                    reason = "cancelled" if cancelled_at is not None else message.reason
                    yield Finished(reason, _timing(message, completion_tokens=tokens))
                    return
                case protocol.Overflow():
                    raise ContextOverflow(message.prompt_tokens, message.max_tokens, message.n_ctx)
                case protocol.Failed():
                    why = message.message
                case _:
                    why = f"unexpected reply {message!r}"
            raise ModelError(
                f"The model could not write the letter: {why}.",
                "See the LetterDesk log; try again or with another model.",
            )


def _timing(done: protocol.Done, completion_tokens: int) -> Timing:
    """The timing of a finished letter; ``completion_tokens`` as the app counted them."""
    return Timing(
        prompt_tokens=done.prompt_tokens,
        cached_prompt_tokens=done.cached_prompt_tokens,
        completion_tokens=completion_tokens,
        time_to_first_token_s=done.time_to_first_token_s,
        total_s=done.total_s,
        guessed_tokens=done.guessed_tokens,
    )
