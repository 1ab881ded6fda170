"""The engine's vocabulary: its settings, the decoding options, the chunks a letter streams
as, its errors and the interface every backend offers (:class:`LetterModel`)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from letterdesk.core.foundation.errors import ConfigurationError, ModelError
from letterdesk.core.foundation.paths import resource
from letterdesk.core.foundation.settings import Settings
from letterdesk.core.models.identity import ModelIdentity

BACKENDS = ("local", "server")
POLL_S = 0.005


def default_model_path() -> Path:
    """The bundled demo model, ``resources/models/letterdesk-demo.gguf``."""
    return resource("models", "letterdesk-demo.gguf")


@dataclass(frozen=True)
class EngineSettings:
    """How letters are generated: which model, where it runs, how much context."""

    backend: str = "local"
    """``local``: a worker process runs the model file; ``server``: an OpenAI-compatible server."""
    model_path: Path | None = None
    """The GGUF model file; None means the bundled demo model."""
    lora_path: Path | None = None
    """An optional LoRA adapter (GGUF) applied on top of the model."""
    n_gpu_layers: int | Literal["auto"] = "auto"
    """Layers offloaded to the GPU: ``auto`` fills the free GPU memory, 0 is CPU only, -1 all."""
    max_context: int = 8192
    """Upper limit of the context in tokens; the model's own context length is used if smaller."""
    n_threads: int | None = None
    """CPU threads for llama.cpp (letters and prompts); None lets llama.cpp choose."""
    n_batch: int = 512
    """Prompt tokens evaluated per batch."""
    chat_template: str | None = None
    """A chat template used instead of the model file's own (rendered in the sandbox as well)."""
    server_url: str = "http://127.0.0.1:8080"
    """Base URL of the OpenAI-compatible server (backend ``server``); nothing else is contacted."""
    server_model: str | None = None
    """Model name sent to the server; None asks the server which model it serves."""
    server_context: int | None = None
    """The server's context size in tokens, if it does not report it; enables the budget check."""
    request_timeout_s: float = 300.0
    """Seconds the server may take to answer before the request counts as failed."""
    server_ca_file: Path | None = None
    """The hospital CA's certificate (PEM) the server's was signed with; None: the system's."""
    allow_plain_server: bool = False
    """Let ``server_url`` reach another machine over plain ``http://`` (site setting)."""

    @property
    def model(self) -> Path:
        """The model file to use (the demo model unless one is set)."""
        return Path(self.model_path) if self.model_path is not None else default_model_path()

    def problems(self) -> list[str]:
        """Every invalid setting, in words."""
        found = []
        if self.backend not in BACKENDS:
            found.append(f"backend must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        if self.n_gpu_layers != "auto" and not isinstance(self.n_gpu_layers, int):
            found.append(f"n_gpu_layers must be a number or 'auto', not {self.n_gpu_layers!r}")
        elif isinstance(self.n_gpu_layers, int) and self.n_gpu_layers < -1:
            found.append("n_gpu_layers must be -1 (all), 0 (CPU) or more")
        if self.max_context < 64:
            found.append(f"max_context must be at least 64 tokens, not {self.max_context}")
        if self.n_threads is not None and self.n_threads < 1:
            found.append("n_threads must be at least 1")
        if self.n_batch < 1:
            found.append("n_batch must be at least 1")
        if self.backend == "server" and not self.server_url.startswith(("http://", "https://")):
            found.append(f"server_url must start with http:// or https://, not {self.server_url!r}")
        if self.request_timeout_s <= 0:
            found.append("request_timeout_s must be positive")
        return found

    def checked(self) -> EngineSettings:
        """These settings, or a ConfigurationError listing every problem at once."""
        found = self.problems()
        if found:
            raise ConfigurationError(
                "The letter generator's settings are invalid: " + "; ".join(found) + ".",
                "Correct the engine settings.",
            )
        return self


def engine_settings(app: Settings) -> EngineSettings:
    """Engine settings from the user's (and IT's) settings; not yet checked: the window shows
    a problem when the model loads, the commands call :meth:`EngineSettings.checked`."""
    layers = app.n_gpu_layers
    return EngineSettings(
        backend="server" if app.server_url else "local",
        model_path=Path(app.model_path) if app.model_path else None,
        lora_path=Path(app.adapter_path) if app.adapter_path else None,
        n_gpu_layers="auto" if layers in ("auto", "") else int(layers),
        max_context=int(app.context_cap),
        server_url=app.server_url or EngineSettings.server_url,
        server_ca_file=Path(app.server_ca_file) if app.server_ca_file else None,
        allow_plain_server=app.allow_plain_server_connection,
    )


PROMPT_LOOKUP_TOKENS = 8
"""The default guess length of prompt-lookup decoding (measured: ``letterdesk bench``)."""


@dataclass(frozen=True)
class DecodingOptions:
    """How tokens are chosen; the defaults (greedy) make a letter reproducible."""

    max_tokens: int = 1024
    """Longest letter in tokens; a longer one ends with reason ``length``."""
    temperature: float = 0.0
    """0 picks the most likely token every time (greedy); higher values sample."""
    top_p: float = 1.0
    """Nucleus sampling: sample only from the most likely tokens covering this probability."""
    repeat_penalty: float = 1.0
    """Penalty on repeating recent tokens; 1.0 is none."""
    seed: int = 0
    """Seed of the sampler, so a sampled letter can be reproduced too."""
    prompt_lookup: int = PROMPT_LOOKUP_TOKENS
    """Greedy letters without a repeat penalty: how many tokens the local engine guesses ahead
    from the text so far and checks in one step (0: none). The letter is the same either way,
    only faster (:mod:`letterdesk.core.engine.lookup`)."""
    ignore_eos: bool = False
    """Keep writing past end-of-turn (benchmarks and tests that need a fixed length)."""
    constrain_numbers: bool = False
    """Let the model write only numbers in ``allowed_numbers`` (local engine only; see
    :mod:`letterdesk.core.engine.constrained`)."""
    allowed_numbers: tuple[str, ...] = ()
    """The numbers a constrained letter may write, as the prompt shows them; the generation
    job fills in the case's (:func:`letterdesk.core.generation.draft.case_options`)."""
    slot_names: tuple[str, ...] = ()
    """For a model that writes fact slots: the slot names it may write (the case's fields,
    :func:`letterdesk.core.facts.slots.slot_names`); the generation job fills them in and the local
    engine allows no other (:class:`letterdesk.core.engine.constrained.SlotConstraint`) and keeps a
    list the letter sets out line by line complete (``ListConstraint``)."""
    key_slots: tuple[str, ...] = ()
    """Of those, the slots of the case's key facts (without a form,
    :func:`letterdesk.core.facts.slots.key_slot_names`): an item line does not end without the
    ones its list's first line names (``ListConstraint``)."""

    def checked(self) -> DecodingOptions:
        """These options, or a ConfigurationError listing every problem at once."""
        found = []
        if self.max_tokens < 1:
            found.append("max_tokens must be at least 1")
        if self.temperature < 0:
            found.append("temperature must not be negative")
        if not 0 < self.top_p <= 1:
            found.append("top_p must be in (0, 1]")
        if self.repeat_penalty <= 0:
            found.append("repeat_penalty must be positive")
        if self.prompt_lookup < 0:
            found.append("prompt_lookup must not be negative")
        if found:
            raise ConfigurationError("Invalid generation options: " + "; ".join(found) + ".")
        return self


# --- the stream's chunks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A loading step: ``checking`` the file, ``loading`` it, ``ready``."""

    stage: str
    message: str


@dataclass(frozen=True)
class Notice:
    """Something the user should know, not an error (``worker_restarted``, ``gpu_fallback``)."""

    code: str
    message: str


@dataclass(frozen=True)
class TextDelta:
    """New text, and how many tokens the letter has so far."""

    text: str
    completion_tokens: int


@dataclass(frozen=True)
class Timing:
    """How long a letter took; ``cached_prompt_tokens`` were reused from the previous prompt."""

    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0
    time_to_first_token_s: float = 0.0
    total_s: float = 0.0
    guessed_tokens: int = 0
    """Of ``completion_tokens``, those prompt lookup guessed right (local engine)."""

    @property
    def tokens_per_s(self) -> float:
        """Letter tokens per second, from the request to the last token."""
        return self.completion_tokens / self.total_s if self.total_s > 0 else 0.0


@dataclass(frozen=True)
class Finished:
    """The end of a stream: ``stop`` (end of turn), ``length`` (max_tokens) or ``cancelled``."""

    reason: str
    timing: Timing = field(default_factory=Timing)


Chunk = Progress | Notice | TextDelta | Finished
ProgressCallback = Callable[[Progress | Notice], None]


@dataclass(frozen=True)
class ModelInfo:
    """What is loaded and how it runs."""

    backend: str
    name: str
    path: str
    architecture: str
    quantization: str
    context_length: int | None
    """The context the model was trained for (from its metadata)."""
    n_ctx: int | None
    """The context in use (None: the server does not say)."""
    device: str
    """``CPU``, ``GPU`` or ``GPU (n layers)``."""
    n_gpu_layers: int
    """Layers offloaded to the GPU (0: CPU only, -1: all)."""
    device_reason: str
    chat_template: str | None
    bos_token: str | None
    adapter_path: str | None
    fact_slots: bool = False
    """The model writes fact slots, which the generation job fills from the case
    (``letterdesk.fact_slots`` in its GGUF metadata)."""


ILLEGAL_INSTRUCTION = (-4, 0xC000001D)
"""How a process that met an instruction its processor does not run ends: SIGILL (POSIX),
STATUS_ILLEGAL_INSTRUCTION (Windows)."""
BUILT_FOR_ANOTHER_PROCESSOR = (
    "llama.cpp in this installation was built for another processor; every letter will stop "
    "the same way. Install the bundle built on the portable llama.cpp (docs/installers.md, "
    "'llama.cpp for the computers it will run on')."
)


def describe_exit(exitcode: int | None) -> str:
    """Words for how a worker process ended (exit code or signal)."""
    if exitcode is None:
        return "it stopped responding"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        extra = {
            "SIGKILL": " — often the computer ran out of memory",
            "SIGILL": " — an instruction this processor does not run",
        }.get(name, "")
        return f"it was ended by {name}{extra}"
    if exitcode in ILLEGAL_INSTRUCTION:  # Windows: no signal
        return "it met an instruction this processor does not run (STATUS_ILLEGAL_INSTRUCTION)"
    return f"it exited with code {exitcode}"


class WorkerStopped(ModelError):
    """The worker process ended unexpectedly (crash, out-of-memory kill, SIGKILL)."""

    def __init__(self, during: str, how: str, exitcode: int | None, note: str = "") -> None:
        if exitcode in ILLEGAL_INSTRUCTION:
            hint = BUILT_FOR_ANOTHER_PROCESSOR
        else:
            hint = (
                "Check free memory and the system log; a smaller model, context or fewer GPU "
                "layers need less memory. LetterDesk starts the generator again on the next "
                "request."
            )
        super().__init__(
            f"The letter generator stopped unexpectedly while {during} ({how}).{note}", hint
        )
        self.during, self.how, self.exitcode = during, how, exitcode

    def with_note(self, note: str) -> WorkerStopped:
        """The same error with a sentence added (e.g. where the partial letter was kept)."""
        return WorkerStopped(self.during, self.how, self.exitcode, f" {note}")


class ContextOverflow(ModelError):
    """The prompt and the letter together would not fit in the model's context."""

    def __init__(self, prompt_tokens: int, max_tokens: int, n_ctx: int) -> None:
        self.excess = prompt_tokens + max_tokens - n_ctx
        super().__init__(
            f"This case is too long for the model by {self.excess:,} tokens: the case takes "
            f"{prompt_tokens:,} tokens and the letter may take up to {max_tokens:,}, but the "
            f"model's context holds {n_ctx:,}. Nothing was cut off; no letter was written.",
            "Shorten the case (history, notes), lower the maximum letter length, or raise "
            "max_context if the model supports a longer context.",
        )
        self.prompt_tokens, self.max_tokens, self.n_ctx = prompt_tokens, max_tokens, n_ctx


class LetterModel(Protocol):
    """What the generation job needs from a backend (local worker or server)."""

    settings: EngineSettings

    def load(self, progress: ProgressCallback | None = None) -> ModelInfo: ...

    def stream(
        self,
        prompt: str,
        options: DecodingOptions | None = None,
        *,
        cancel: Callable[[], bool] | None = None,
    ) -> Iterator[Chunk]: ...

    def prepare(self, prefix: str | None, cancel: Callable[[], bool] | None = None) -> str: ...

    def remember(self, letters: Callable[[], Sequence[str]]) -> int: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def identity(self) -> ModelIdentity: ...

    def close(self) -> None: ...
