"""The engine's worker process: the only place llama.cpp runs, so a crash there never takes
down the app.

:mod:`letterdesk.core.engine.local` starts :func:`main` in a process of its own ("spawn") and talks
to it over one duplex pipe; shared events ask a letter to pause or stop. Requests and replies
are the frozen dataclasses of :mod:`letterdesk.core.engine.protocol`, which lists which reply
answers which request. The first token's text is sent at once, later text at most every
:data:`FLUSH_S`.

The model (and its KV cache) stays loaded between requests, so a prompt that starts like the
previous one is evaluated only from where they differ; the prompt is evaluated in steps, and
pausing and cancelling are checked between steps and between tokens.

This module imports llama_cpp only inside the worker (and otherwise only light modules of
its package), so the app can name :func:`main` as the process target without loading llama.cpp
itself.
"""

from __future__ import annotations

import codecs
import gc
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from letterdesk.core.engine import lookup, prefix_state
from letterdesk.core.engine.placement import gpu_layers
from letterdesk.core.engine.processors import letter_processors
from letterdesk.core.engine.protocol import (
    Close,
    Delta,
    Done,
    Failed,
    Generate,
    Load,
    Loading,
    LoadNotice,
    Overflow,
    Prepare,
    Prepared,
    Ready,
    Remember,
    Remembered,
    Reply,
    Tokenize,
    Tokens,
)

FLUSH_S = 0.02
"""Streamed text goes to the app at most this often: a pipe write per token cost the demo
model ~5 % of its speed, and no one reads faster than a screen refreshes."""

PAUSE_POLL_S = 0.005
"""How often a paused worker looks whether it may go on."""

STOP_MIDWAY_AFTER_S = 0.02
"""A model whose single-token step (the warm-up) takes longer than this lets the pause and
cancel stop llama.cpp midway through a step (its abort check, between two operations of the
step's graph), not only between steps: on an 8B model on a CPU a 64-token prompt step takes
4.2 s and a token 0.26 s (2026-12-05, bench_8b_shape's model). A faster model does without:
the check is a Python call per operation, which would slow the 0.5 ms steps of the demo
model."""

if TYPE_CHECKING:
    from letterdesk.core.engine.constrained import Vocabulary

Send = Callable[[Reply], None]


def main(conn: Any, cancel: Any, pause: Any = None) -> None:
    """Entry point of the worker process: serve requests until ``close`` or the pipe closes."""
    # Ctrl+C in a terminal reaches the whole process group: the app decides when to stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _keep_stdout_clean()
    worker = _Worker(conn.send, cancel, pause)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the app went away
            break
        try:
            if not worker.handle(request):
                break
        except (BrokenPipeError, EOFError, OSError):
            break
    worker.close()


def _keep_stdout_clean() -> None:
    # the CLI prints letters on stdout: anything llama.cpp or Python prints here goes to stderr
    try:
        os.dup2(2, 1)
    except OSError:
        pass
    sys.stdout = sys.stderr


class _Worker:
    """The worker's state: one loaded model, its end-of-generation tokens, the cancel event."""

    def __init__(self, send: Send, cancel: Any, pause: Any = None) -> None:
        self.send = send
        self.cancel = cancel
        self.pause = pause
        self.llama: Any = None
        self.add_bos = True
        self.end_tokens: frozenset[int] = frozenset()
        self._vocabulary: Vocabulary | None = None  # for the decoding rules, once per model
        self._prefix: tuple[str, list[int]] = ("", [])  # the prepared prefix and its tokens
        self._midway = False  # may the pause and cancel stop a step midway now?
        self._abort_check: Any = None  # the ctypes callback, kept alive while installed
        self.stopped_midway = 0
        """How often llama.cpp was told to stop a step midway (for tests and measurements)."""
        self.earlier = lookup.EarlierLetters()
        """This model's earlier letters, indexed: prompt lookup finds guesses there too."""
        self._written: list[int] = []  # the last letter's tokens, indexed once it is out

    def handle(self, request: object) -> bool:
        """Serve one request; False when the worker should end."""
        match request:
            case Close():
                return False
            case Load():
                self.load(request)
            case Generate():
                self.generate(request)
            case Tokenize():
                tokens = self.tokenize(request.prompt) if self.llama is not None else []
                self.send(Tokens(request.id, len(tokens)))
            case Prepare():
                self.prepare(request)
            case Remember():
                self.remember(request)
            case _:
                name = type(request).__name__
                self.send(Failed(getattr(request, "id", None), f"unknown request {name!r}"))
        return True

    def close(self) -> None:
        gc.unfreeze()  # what loading this model set aside may go now (see load)
        if self.llama is not None:
            self.llama.close()
            self.llama = None
        self._vocabulary = None
        self._prefix = ("", [])
        self.earlier = lookup.EarlierLetters()

    # --- loading ---------------------------------------------------------------------------

    def load(self, spec: Load) -> None:
        import llama_cpp

        self.close()
        layers, why = gpu_layers(llama_cpp, spec)
        where = "the CPU" if layers == 0 else "the GPU"
        self.send(Loading("loading", layers, f"Loading {spec.name} onto {where} ({why}) …"))
        try:
            self.llama, layers, why = self._open_or_fall_back(llama_cpp, spec, layers, why)
        except (ValueError, RuntimeError, OSError) as exc:
            self.send(Failed(None, str(exc)))
            return
        self.add_bos = bool(llama_cpp.llama_vocab_get_add_bos(self._vocab(llama_cpp)))
        self.end_tokens = self._end_tokens(llama_cpp)
        if self._warm_up() > STOP_MIDWAY_AFTER_S:
            self._install_abort_check(llama_cpp)
        self.vocabulary()  # read now, not on the way to a first letter's first token
        # the objects of starting and loading live as long as the process: collected once
        # now and set aside, a letter's garbage collection no longer walks them (the first
        # letter of a fresh worker met a full collection on its way: ~14 ms on the demo model)
        gc.collect()
        gc.freeze()
        device = "CPU" if layers == 0 else ("GPU" if layers < 0 else f"GPU ({layers} layers)")
        self.send(Ready(self.llama.n_ctx(), layers, device, why, os.getpid()))

    def _open_or_fall_back(
        self, llama_cpp: Any, spec: Load, layers: int, why: str
    ) -> tuple[Any, int, str]:
        try:
            return self._open(llama_cpp, spec, layers), layers, why
        except (ValueError, RuntimeError, OSError) as exc:
            if layers == 0:
                raise
            self.send(
                LoadNotice(
                    "gpu_fallback",
                    f"The model could not be loaded onto the GPU ({exc}); "
                    "it runs on the CPU instead, which is slower.",
                )
            )
            return self._open(llama_cpp, spec, 0), 0, "the GPU load failed"

    def _warm_up(self) -> float:
        """One token through every layer pages the weights in, so the first letter is not
        slower; the seconds a step of one token takes. The first step also pays once for
        what a fresh process sets up (pages, threads: on the demo model now and then 46 ms
        instead of 2), so a slow one is timed again before it counts."""
        bos = self.llama.token_bos()
        took = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            self.llama.eval([bos if bos >= 0 else 0])
            took = min(took, time.perf_counter() - started)
            self.llama.reset()
            if took <= STOP_MIDWAY_AFTER_S:
                break
        return took

    def _install_abort_check(self, llama_cpp: Any) -> None:
        """Let llama.cpp stop a step midway while the letter is paused or cancelled (only in
        the steps of :mod:`~letterdesk.core.engine.lookup`, which run a stopped step again)."""

        def stop_now(_data: Any) -> bool:
            if not self._midway:
                return False
            stop = self.cancel.is_set() or (self.pause is not None and self.pause.is_set())
            self.stopped_midway += stop
            return bool(stop)

        self._abort_check = llama_cpp.ggml_abort_callback(stop_now)
        llama_cpp.llama_set_abort_callback(self.llama.ctx, self._abort_check, None)

    def _open(self, llama_cpp: Any, spec: Load, layers: int) -> Any:
        return llama_cpp.Llama(
            model_path=spec.model_path,
            n_ctx=spec.n_ctx,
            n_batch=spec.n_batch,
            n_threads=spec.n_threads,
            n_threads_batch=spec.n_threads,  # None: llama.cpp's defaults for both
            n_gpu_layers=layers,
            # on the CPU, llama.cpp copies most weights into its own faster layout; a mapped
            # file would stay resident beside that copy (LLaMA-3-8B-shaped Q4_K_M, 2026-12-05:
            # 7.5 GB resident mapped, 4.3 GB read in, the same tokens/s; docs/letter-times.md)
            use_mmap=layers != 0,
            lora_path=spec.lora_path,
            seed=0,
            verbose=False,
        )

    def _vocab(self, llama_cpp: Any) -> Any:
        return llama_cpp.llama_model_get_vocab(self.llama.model)

    def _end_tokens(self, llama_cpp: Any) -> frozenset[int]:
        vocab = self._vocab(llama_cpp)
        return frozenset(
            t for t in range(self.llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)
        )

    # --- the shared prompt prefix ------------------------------------------------------------

    def prepare(self, request: Prepare) -> None:
        """Have the prefix's KV state in the cache (kept, loaded or evaluated and saved); with
        no prefix, the most recently used saved one of this model, only loaded."""
        import llama_cpp

        started = time.perf_counter()
        if self.llama is None:
            self.send(Failed(request.id, "no model is loaded"))
            return
        folder = Path(request.folder)
        like = prefix_state.Made(
            model_sha256=request.model_sha256,
            adapter_sha256=request.adapter_sha256,
            llama_cpp=llama_cpp.__version__,
            n_ctx=self.llama.n_ctx(),
            prefix=request.prefix or "",
        )
        made = like if request.prefix is not None else prefix_state.latest(folder, like)
        if made is None:
            self.send(Prepared(request.id, "none", 0, time.perf_counter() - started))
            return
        known = self._prefix[1] if self._prefix[0] == made.prefix else None
        try:
            self._midway = True
            how, tokens = prefix_state.load(
                self.llama, folder, made, self.tokenize, known, self.hold,
                evaluate=request.prefix is not None,
            )  # fmt: skip
        except (OSError, RuntimeError, ValueError) as exc:
            self.send(Failed(request.id, str(exc)))
            return
        finally:
            self._midway = False
        if made.prefix.endswith("\n") and how not in ("cancelled", "none"):
            self._prefix = (made.prefix, tokens)
        self.send(Prepared(request.id, how, len(tokens), time.perf_counter() - started))

    def remember(self, request: Remember) -> None:
        """Take the model's earlier letters for prompt lookup (``lookup.EarlierLetters``)."""
        try:
            taken = 0 if self.llama is None else self.earlier.take(request.letters, self._tokenize)
            self.send(Remembered(request.id, taken))
        except (RuntimeError, ValueError) as exc:  # a text llama.cpp cannot tokenize
            self.send(Failed(request.id, str(exc)))

    # --- generating ------------------------------------------------------------------------

    def tokenize(self, prompt: str) -> list[int]:
        """The prompt's tokens; the prompt's own begin-of-text text is used, never doubled.

        A prompt that starts with the prepared prefix (:meth:`prepare`) reuses its tokens and
        tokenizes only the rest: the prefix ends with a line break and the rest starts with
        a character that is no space, where the tokenizer's pre-tokenizer always splits."""
        known, known_tokens = self._prefix
        rest = prompt[len(known) :]
        if known and prompt.startswith(known) and rest and not rest[0].isspace():
            more = self.llama.tokenize(rest.encode("utf-8"), add_bos=False, special=True)
            return [*known_tokens, *more]
        tokens: list[int] = self.llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        bos = self.llama.token_bos()
        if self.add_bos and bos >= 0 and tokens[:1] != [bos]:
            tokens.insert(0, bos)
        return tokens

    def generate(self, request: Generate) -> None:
        rid, options = request.id, request.options
        started = time.perf_counter()
        if self.llama is None:
            self.send(Failed(rid, "no model is loaded"))
            return
        tokens = self.tokenize(request.prompt)
        n_ctx, max_tokens = self.llama.n_ctx(), int(options["max_tokens"])
        if len(tokens) + max_tokens > n_ctx:
            self.send(Overflow(rid, len(tokens), max_tokens, n_ctx))
            return
        cached = lookup.common_prefix(self.llama.input_ids[: self.llama.n_tokens].tolist(), tokens)
        try:
            reason, count, first, kept = self._decode(rid, tokens, options)
        except (RuntimeError, ValueError) as exc:
            self.send(Failed(rid, str(exc)))
            return
        ended = time.perf_counter()
        self.send(
            Done(
                rid,
                reason,
                prompt_tokens=len(tokens),
                cached_prompt_tokens=cached,
                completion_tokens=count,
                time_to_first_token_s=(first or ended) - started,
                total_s=ended - started,
                guessed_tokens=kept,
            )
        )
        # the letter is out: index it with the others for the next letter's guesses
        self.earlier.add(self._written)

    def _decode(
        self, rid: int, tokens: list[int], options: dict[str, Any]
    ) -> tuple[str, int, float | None, int]:
        self.llama.set_seed(int(options["seed"]))
        # llama-cpp-python's own loop (sampled letters) cannot run a stopped step again
        self._midway = lookup.usable(options)
        try:
            return self._decode_tokens(rid, tokens, options)
        finally:
            self._midway = False

    def _decode_tokens(
        self, rid: int, tokens: list[int], options: dict[str, Any]
    ) -> tuple[str, int, float | None, int]:
        llama, max_tokens = self.llama, int(options["max_tokens"])
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stream = _TextStream(self.send, rid)
        tally = lookup.Tally()
        count = 0
        first: float | None = None
        reason = "length"
        written: list[int] = []
        for token in self._tokens(tokens, options, tally, stream.flush):
            first = first or time.perf_counter()
            if token in self.end_tokens:
                reason = "stop"
                break
            count += 1
            written.append(token)
            stream.add(decoder.decode(llama.detokenize([token])), count)
            if self.hold(stream.flush):
                reason = "cancelled"
                break
            if count >= max_tokens:
                break
        if reason == "length" and count < max_tokens and self.cancel.is_set():
            reason = "cancelled"  # before the first token: while the prompt was evaluated
        stream.add(decoder.decode(b"", final=True), count)
        stream.flush()
        self._written = written
        return reason, count, first, tally.kept

    def hold(self, before: Callable[[], None] = lambda: None) -> bool:
        """Between two steps: wait while the app pauses the worker (``before`` first), and
        say whether the letter is cancelled."""
        if self.pause is not None and self.pause.is_set() and not self.cancel.is_set():
            before()
            while self.pause.is_set() and not self.cancel.is_set():
                time.sleep(PAUSE_POLL_S)
        return bool(self.cancel.is_set())

    def _tokens(
        self,
        tokens: list[int],
        options: dict[str, Any],
        tally: lookup.Tally,
        flush: Callable[[], None],
    ) -> Iterator[int]:
        """The letter's tokens: by prompt lookup where the options allow it (the same letter,
        faster; :mod:`letterdesk.core.engine.lookup`), else by llama-cpp-python's loop."""
        processors = letter_processors(options, self.vocabulary, self._tokenize, self.end_tokens)
        if lookup.usable(options):
            return lookup.generate(
                self.llama,
                tokens,
                list(processors or ()),
                int(options["prompt_lookup"]),
                self.earlier,
                tally,
                lambda: self.hold(flush),  # the text so far goes out before a pause
            )
        return self.llama.generate(
            tokens,
            temp=float(options["temperature"]),
            top_p=float(options["top_p"]),
            top_k=0,
            min_p=0.0,
            repeat_penalty=float(options["repeat_penalty"]),
            logits_processor=processors,
        )

    def _tokenize(self, text: str) -> list[int]:
        """``text`` as the loaded model's tokenizer writes it (no start token)."""
        return list(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def vocabulary(self) -> Vocabulary:
        """The loaded model's token texts and their indexes, built once per model."""
        if self._vocabulary is None:
            from letterdesk.core.engine.constrained import Vocabulary, token_texts

            self._vocabulary = Vocabulary(token_texts(self.llama))
        return self._vocabulary


class _TextStream:
    """Text of one letter on its way to the app: the first piece at once, then every FLUSH_S."""

    def __init__(self, send: Send, rid: int) -> None:
        self.send, self.rid = send, rid
        self.parts: list[str] = []
        self.count = 0
        self.sent_at = float("-inf")  # the first piece goes out at once: time to first token

    def add(self, text: str, count: int) -> None:
        """Queue ``text`` (``count`` tokens so far); send the queue if FLUSH_S has passed."""
        if text:
            self.parts.append(text)
        self.count = count
        now = time.perf_counter()
        if now - self.sent_at >= FLUSH_S:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        """Send what is queued, if anything."""
        if self.parts:
            self.send(Delta(self.rid, "".join(self.parts), self.count))
            self.parts.clear()
            self.sent_at = time.perf_counter() if now is None else now
