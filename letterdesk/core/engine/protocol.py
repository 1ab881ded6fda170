"""The messages between the engine (:mod:`letterdesk.core.engine.local`) and its worker process
(:mod:`letterdesk.core.engine.worker`), defined once: small frozen dataclasses sent over the
pipe (pickled), one class per kind of message.

Requests, app → worker:

- :class:`Load` → :class:`Loading`…, :class:`LoadNotice`…, then :class:`Ready` or
  :class:`Failed`;
- :class:`Generate` → :class:`Delta`…, then :class:`Done`, :class:`Overflow` or :class:`Failed`;
- :class:`Tokenize` → :class:`Tokens`;
- :class:`Prepare` → :class:`Prepared` or :class:`Failed`;
- :class:`Remember` → :class:`Remembered`;
- :class:`Close` (or the pipe closing) ends the worker.

Replies to a :class:`Generate`, :class:`Tokenize`, :class:`Prepare` or :class:`Remember` carry
its ``id``, so the app can tell the late reply of a cancelled request from the answer to the
current one (:func:`reply_id`).

This module imports nothing heavy: the worker process imports it before llama.cpp.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# --- requests --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Load:
    """Load this model (and adapter) with these settings, replacing a loaded one."""

    name: str
    model_path: str
    lora_path: str | None
    n_ctx: int
    n_batch: int
    n_threads: int | None
    n_gpu_layers: int | str
    """A number of layers, or ``auto``: fill the free GPU memory layer by layer."""
    layer_bytes: int | None
    block_count: int | None
    kv_bytes_per_layer: int | None


@dataclass(frozen=True, slots=True)
class Generate:
    """Write from ``prompt`` (the exact text, begin-of-text included)."""

    id: int
    prompt: str
    options: dict[str, Any]
    """The :class:`~letterdesk.core.engine.types.DecodingOptions` as a dict."""


@dataclass(frozen=True, slots=True)
class Tokenize:
    """Count the prompt's tokens."""

    id: int
    prompt: str


@dataclass(frozen=True, slots=True)
class Prepare:
    """Have the KV state of ``prefix`` (the shared start of prompts) ready: kept, loaded
    from ``folder`` or evaluated and saved there
    (:mod:`letterdesk.core.engine.prefix_state`). ``prefix`` None: the most recently used
    saved state of this model, only loaded (the letter type written last, at the load)."""

    id: int
    prefix: str | None
    folder: str
    model_sha256: str
    adapter_sha256: str | None


@dataclass(frozen=True, slots=True)
class Remember:
    """Take the model's earlier letters (oldest first) as sources of prompt lookup's guesses,
    as if this worker had written them; ignored by a worker that has written letters."""

    id: int
    letters: list[str]


@dataclass(frozen=True, slots=True)
class Close:
    """End the worker process."""


Request = Load | Generate | Tokenize | Prepare | Remember | Close


# --- replies ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Loading:
    """A step of loading the model (kind ``progress``)."""

    stage: str
    n_gpu_layers: int
    message: str


@dataclass(frozen=True, slots=True)
class LoadNotice:
    """Something the user should know about the load, e.g. the GPU fallback."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Ready:
    """The model is loaded: what with."""

    n_ctx: int
    n_gpu_layers: int
    device: str
    device_reason: str
    pid: int


@dataclass(frozen=True, slots=True)
class Failed:
    """A request failed; ``id`` is None for a load."""

    id: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Delta:
    """New text of a letter and the number of its tokens so far."""

    id: int
    text: str
    n: int


@dataclass(frozen=True, slots=True)
class Done:
    """A letter ended: why (``stop``, ``length``, ``cancelled``) and how long it took."""

    id: int
    reason: str
    prompt_tokens: int
    cached_prompt_tokens: int
    completion_tokens: int
    time_to_first_token_s: float
    total_s: float
    guessed_tokens: int = 0
    """Tokens of the letter that prompt lookup guessed right."""


@dataclass(frozen=True, slots=True)
class Overflow:
    """The prompt and ``max_tokens`` do not fit in the context; nothing was generated."""

    id: int
    prompt_tokens: int
    max_tokens: int
    n_ctx: int


@dataclass(frozen=True, slots=True)
class Tokens:
    """How many tokens the prompt has (0 when no model is loaded)."""

    id: int
    count: int


@dataclass(frozen=True, slots=True)
class Prepared:
    """The prefix's state is ready: ``kept``, ``loaded``, ``evaluated`` or ``rebuilt``."""

    id: int
    how: str
    tokens: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Remembered:
    """How many earlier letters the worker took (0: it had its own)."""

    id: int
    letters: int


Reply = (
    Loading | LoadNotice | Ready | Failed | Delta | Done | Overflow | Tokens | Prepared
    | Remembered
)  # fmt: skip


def reply_id(reply: Reply) -> int | None:
    """The id of the request a reply answers; None for the replies to a load."""
    if isinstance(reply, (Loading, LoadNotice, Ready)):
        return None
    return reply.id
