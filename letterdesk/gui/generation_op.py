"""Generating letters from the window: the one place the GUI meets the generation job.

A :class:`ModelHost` keeps the engine (and so the model's worker process) on the engine lane
(:mod:`letterdesk.gui.operations`), loads the model at start so the status bar can show it
(then warms it up: the saved state of the prompt start used last, and the model's earlier
letters from the store, the source of prompt lookup's guesses:
:func:`letterdesk.core.generation.warming.warm_up`), and runs
:func:`letterdesk.core.generation.draft.generate_letter` for each :class:`GenerationOp`. The
text streams back by signal in small batches (at most one every 50 ms), so a fast model
cannot flood the event loop; Stop cancels cooperatively and the text so far is kept as a draft.

The job needs the store before and after streaming (the case, the model's identity, the
stored draft). It gets a connection of its own on the engine lane, so a long letter never
holds up autosaves and ratings on the store worker; each connection stays on its one thread.

Regenerating a letter adds a draft revision to it (``generate_letter`` with the letter's id).
A case that fits the model's context but not with the default letter length gets the room
there is (:func:`letterdesk.core.generation.draft.with_room`, as in the CLI).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from letterdesk.core.engine.factory import open_engine
from letterdesk.core.engine.types import (
    Chunk,
    DecodingOptions,
    EngineSettings,
    LetterModel,
    Notice,
    Progress,
    TextDelta,
)
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.generation.draft import GenerationResult, generate_letter
from letterdesk.core.generation.warming import warm_up
from letterdesk.core.store.database import Store
from letterdesk.gui.operations import Lane, Op
from letterdesk.gui.qt import QObject, Signal

_log = logging.getLogger(__name__)

BATCH_S = 0.05
"""Streamed text reaches the editor at most 20 times a second: smooth, and cheap to paint."""


@dataclass(frozen=True)
class ModelStatus:
    """What the status bar shows about the loaded model."""

    name: str
    version: str
    device: str
    n_ctx: int | None
    backend: str


class GenerationOp(QObject):
    """One letter being written: text arrives in batches, then ``finished`` or ``failed``."""

    text_arrived = Signal(str)
    tokens_counted = Signal(int)
    step = Signal(object)
    """A loading step or notice (Progress | Notice) on the way to the first token."""
    finished = Signal(object)
    """The stored draft (GenerationResult)."""
    failed = Signal(object)
    cancelled = Signal()

    def __init__(
        self, case_id: str, letter_id: int | None, author: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.case_id = case_id
        self.letter_id = letter_id
        self.author = author
        self.started = time.monotonic()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop writing; the text so far is kept as a draft."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once Stop was pressed."""
        return self._stop.is_set()


class _Batcher:
    """Collects streamed text on the engine thread and emits it at most every BATCH_S."""

    def __init__(self, op: GenerationOp) -> None:
        self.op = op
        self.parts: list[str] = []
        self.tokens = 0
        self.sent = 0.0

    def __call__(self, chunk: Chunk) -> None:
        if isinstance(chunk, TextDelta):
            self.parts.append(chunk.text)
            self.tokens = chunk.completion_tokens
            if time.monotonic() - self.sent >= BATCH_S:
                self.flush()
        elif isinstance(chunk, Progress | Notice):
            self.op.step.emit(chunk)

    def flush(self) -> None:
        if self.parts:
            self.op.text_arrived.emit("".join(self.parts))
            self.op.tokens_counted.emit(self.tokens)
            self.parts.clear()
        self.sent = time.monotonic()


class _Seat:
    """What lives on the engine lane: the engine (its worker process) and a store connection."""

    def __init__(self, store_path: Path | None) -> None:
        self.store_path = store_path
        self.engine: LetterModel | None = None
        self.store: Store | None = None

    def engine_for(self, settings: EngineSettings) -> LetterModel:
        if self.engine is None:
            self.engine = open_engine(settings)
        return self.engine

    def store_now(self) -> Store:
        if self.store is None:
            self.store = Store(self.store_path)
        return self.store

    def close_engine(self) -> None:
        if self.engine is not None:
            self.engine.close()
            self.engine = None

    def close(self) -> None:
        self.close_engine()
        if self.store is not None:
            self.store.close()
            self.store = None


class ModelHost(QObject):
    """The engine lane: loads the model and runs generation operations, one at a time."""

    loading = Signal(object)
    """A loading step (Progress | Notice)."""
    loaded = Signal(object)
    """The model is ready (ModelStatus)."""
    load_failed = Signal(object)
    needs_model = Signal()
    """The physician needs the model now (Generate, new settings, closing): a draft being
    written ahead makes way (:mod:`letterdesk.gui.predrafting`)."""

    def __init__(
        self,
        settings: EngineSettings,
        store_path: Path | None = None,
        options: DecodingOptions | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.options = options or DecodingOptions()
        self.lane = Lane("engine", lambda: _Seat(store_path), _Seat.close, self)
        self.current: GenerationOp | None = None

    @property
    def busy(self) -> bool:
        """True while the engine lane has work queued or running."""
        return self.lane.busy

    def load(self) -> None:
        """Load the model in the background; ``loading`` reports each step. Once it is
        loaded, the worker is warmed up next on the lane, before anything ``loaded`` starts."""
        Op(self.lane, self._load).success(self._loaded).failure(self.load_failed.emit).run()

    def _loaded(self, status: ModelStatus) -> None:
        Op(self.lane, self._warm_up).failure(_not_warmed_up).run()
        self.loaded.emit(status)

    def reconfigure(self, settings: EngineSettings) -> None:
        """Use other engine settings: the old model is closed and the new one loaded."""
        if settings == self.settings:
            return
        self.settings = settings
        self.needs_model.emit()
        self.lane.call(lambda seat: seat.close_engine() if seat is not None else None)
        self.load()

    def generate(self, op: GenerationOp) -> None:
        """Start writing the operation's letter; connect to its signals before calling this."""
        self.needs_model.emit()
        self.current = op
        Op(self.lane, lambda seat: self._generate(seat, op)).success(op.finished.emit).failure(
            op.failed.emit
        ).cancelled(op.cancelled.emit).run()

    def close(self) -> None:
        """Stop a running letter, close the model's worker and the job's store connection."""
        if self.current is not None:
            self.current.stop()
        self.needs_model.emit()
        self.lane.close()

    # --- on the engine lane ----------------------------------------------------------------

    def _load(self, seat: _Seat) -> ModelStatus:
        engine = seat.engine_for(self.settings)
        info = engine.load(self.loading.emit)
        header = getattr(engine, "header", None)
        version = header().version_label if callable(header) else ""
        return ModelStatus(info.name, version, info.device, info.n_ctx, info.backend)

    def _warm_up(self, seat: _Seat) -> tuple[str, int]:
        # the saved prompt start and the model's earlier letters now, not at the first letter
        return warm_up(seat.store_now(), seat.engine_for(self.settings))

    def _generate(self, seat: _Seat, op: GenerationOp) -> GenerationResult:
        if op.stopping:
            raise Interrupted()
        batcher = _Batcher(op)
        try:
            return generate_letter(
                seat.store_now(), op.case_id, seat.engine_for(self.settings),
                options=self.options, author=op.author, on_chunk=batcher,
                cancel=op._stop.is_set, letter_id=op.letter_id,
            )  # fmt: skip
        finally:
            batcher.flush()  # the text so far reaches the editor before the outcome


def _not_warmed_up(error: BaseException) -> None:
    # it only costs speed: the first letter does both itself (generate_letter)
    _log.warning("The model could not be warmed up after its load: %s", error)
