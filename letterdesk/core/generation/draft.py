"""Generating a letter for a case: the job the GUI, the CLI and the tests share.

The story: read the case from the store → make sure the model is loaded → build the exact
prompt with the model's own chat template (LetterDesk's LLaMA-3 fallback when the file has
none; both rendered in the sandbox) → register the model's identity → a fresh worker takes the
model's earlier letters from the store, the prompt's shared start comes from the worker's cache
or saved state (:mod:`letterdesk.core.generation.warming`; the window does both right after
the model's load) → stream the letter → store it as a draft with the prompt and the model.

Nothing streamed is lost: when the user cancels or the worker dies mid-letter, the text so
far is stored as a draft, and the audit entry says it is incomplete and why. A case whose
prompt leaves the letter less than :data:`MIN_LETTER_TOKENS` of the model's context is refused
before anything is generated; one that leaves more, but less than the letter length asked for,
gets the room there is (it may then end as "cut at the maximum length") — in the window, the
CLI, evaluations and studies alike (:func:`with_room`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import TypeVar

import jinja2

from letterdesk.core.cases.case import Case
from letterdesk.core.engine.types import (
    Chunk,
    ContextOverflow,
    DecodingOptions,
    Finished,
    LetterModel,
    ModelInfo,
    Notice,
    TextDelta,
    Timing,
    WorkerStopped,
)
from letterdesk.core.facts.slots import SlotStream, key_slot_names, slot_names
from letterdesk.core.foundation.errors import ConfigurationError, Interrupted, ModelError
from letterdesk.core.foundation.sections import Section, split_sections
from letterdesk.core.generation.prompts import build_prompt, case_numbers, shared_prefix
from letterdesk.core.generation.warming import before_the_letter, prepare_prefix
from letterdesk.core.models.identity import ModelIdentity, recall_known_hash, register
from letterdesk.core.store import audit, case_versions
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import Letter, Revision, add_revision, create_letter
from letterdesk.core.store.letters import letter as stored_letter

DEFAULT_BOS = "<|begin_of_text|>"
MIN_LETTER_TOKENS = 256
"""A case leaving the letter less room than this in the model's context is refused as too long."""

T = TypeVar("T")


def with_room(write: Callable[[DecodingOptions], T], options: DecodingOptions) -> T:
    """``write(options)``; when the case fits the model's context but the letter length asked
    for does not, ``write`` once more with the room there is. ContextOverflow when the case
    leaves less than :data:`MIN_LETTER_TOKENS`."""
    try:
        return write(options)
    except ContextOverflow as overflow:
        room = overflow.n_ctx - overflow.prompt_tokens
        if room < MIN_LETTER_TOKENS or room >= options.max_tokens:
            raise
        return write(replace(options, max_tokens=room))


@dataclass(frozen=True)
class GenerationResult:
    """A stored draft and how it came about."""

    letter: Letter
    revision: Revision
    text: str
    sections: tuple[Section, ...]
    finish_reason: str
    """``stop`` (the model ended the letter), ``length`` (max_tokens) or ``cancelled``."""
    timing: Timing
    prompt: str
    model_ref: int
    notices: tuple[Notice, ...]
    slotted: str | None = None
    """For a model that writes fact slots: the letter as it wrote it, slots and all."""


def case_prompt(case: Case, info: ModelInfo, system: str | None = None) -> str:
    """The exact prompt for a case with the loaded model's chat template (or the fallback)."""
    bos = info.bos_token or DEFAULT_BOS
    try:
        return build_prompt(case, info.chat_template, system, bos_token=bos)
    except TypeError as exc:  # jinja2's "no loader": a template that tries to include a file
        raise ModelError(
            f"The model's chat template cannot be used: {exc}.",
            "The model file's tokenizer.chat_template is broken or unsafe; use another file.",
        ) from exc
    except jinja2.TemplateError as exc:  # the letter instructions, not the model's template
        raise ConfigurationError(
            f"The instructions for a {case.letter_type} letter ({case.language}) cannot be "
            f"filled in for case {case.case_id}: {exc}.",
            "The prompt templates in resources/prompts do not match this case; report it.",
        ) from exc


def case_options(case: Case, options: DecodingOptions, fact_slots: bool = False) -> DecodingOptions:
    """``options`` for this case: with ``constrain_numbers``, the case's numbers are allowed;
    for a model that writes fact slots, the case's slot names and its key facts' slots."""
    if options.constrain_numbers:
        options = replace(options, allowed_numbers=tuple(sorted(case_numbers(case))))
    if fact_slots:
        options = replace(
            options, slot_names=slot_names(case.data), key_slots=key_slot_names(case.data)
        )
    return options


def model_identity(store: Store, engine: LetterModel) -> ModelIdentity:
    """The identity of the engine's model; a local file already registered in the store (same
    path, size and modification time) is not hashed again."""
    if engine.settings.backend == "local":
        recall_known_hash(store, engine.settings.model)
    return engine.identity()


def generate_letter(
    store: Store,
    case_id: str,
    engine: LetterModel,
    *,
    options: DecodingOptions | None = None,
    author: str | None = None,
    system: str | None = None,
    on_chunk: Callable[[Chunk], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    letter_id: int | None = None,
    written_ahead: bool = False,
) -> GenerationResult:
    """Write a draft for a stored case and store it; see the module docstring for the story.

    With ``letter_id`` the draft is added to that (unsigned) letter as a new draft revision,
    so regenerating keeps the earlier drafts in the letter's history. ``written_ahead``: a
    pre-draft no one asked for yet (:mod:`letterdesk.core.desk.predraft`); it is stored only
    when complete — cancelled or cut off by a stopped worker, nothing is kept — and only while
    the case has no letter and no newer version (else DraftOvertaken). Every draft records the
    case version its prompt was built from, so a case edited meanwhile shows as changed.

    ``on_chunk`` sees every chunk (loading steps, notices, text) as it arrives; ``cancel``
    is polled while the letter streams. Raises ContextOverflow when the case does not fit,
    Interrupted when cancelled before any text, WorkerStopped (after storing the partial
    draft) when the worker dies mid-letter.
    """
    author = author or audit.current_user()

    def write(fitting: DecodingOptions) -> GenerationResult:
        return _generate(
            store, case_id, engine, fitting, author, system, on_chunk, cancel, letter_id,
            written_ahead,
        )  # fmt: skip

    return with_room(write, (options or DecodingOptions()).checked())


def _generate(
    store: Store,
    case_id: str,
    engine: LetterModel,
    options: DecodingOptions,
    author: str,
    system: str | None,
    on_chunk: Callable[[Chunk], None] | None,
    cancel: Callable[[], bool] | None,
    letter_id: int | None,
    written_ahead: bool = False,
) -> GenerationResult:
    if letter_id is not None:
        case_id = stored_letter(store, letter_id).case_id
    version = case_versions.newest(store, case_id)  # the draft records what it was written from
    case = version.case
    notices: list[Notice] = []

    def seen(chunk: Chunk) -> None:
        if isinstance(chunk, Notice):
            notices.append(chunk)
        if on_chunk is not None:
            on_chunk(chunk)

    info = engine.load(seen)
    options = case_options(case, options, info.fact_slots)
    slots = SlotStream(case.data) if info.fact_slots else None
    prompt = case_prompt(case, info, system)
    identity = model_identity(store, engine)
    model_ref = register(store, identity, user=author)
    before_the_letter(store, engine, model_ref, shared_prefix(prompt, case), cancel)
    draft = _Draft(
        store, case_id, author, prompt, model_ref, identity, info, options, version.id,
        letter_id, written_ahead,
    )  # fmt: skip
    deltas: list[TextDelta] = []
    finished = Finished("stop")
    try:
        for chunk in _filled(engine.stream(prompt, options, cancel=cancel), slots):
            seen(chunk)
            if isinstance(chunk, TextDelta):
                deltas.append(chunk)
            elif isinstance(chunk, Finished):
                finished = chunk
    except WorkerStopped as exc:
        if not deltas or written_ahead:
            raise
        raise draft.keep_partial(deltas, exc) from exc
    text = "".join(d.text for d in deltas)
    if finished.reason == "cancelled" and (written_ahead or not text.strip()):
        raise Interrupted()
    letter, revision = draft.save(text, finished, slotted=slots.slotted if slots else None)
    return GenerationResult(
        letter, revision, text, tuple(split_sections(text)), finished.reason, finished.timing,
        prompt, model_ref, tuple(notices), slots.slotted if slots else None,
    )  # fmt: skip


@dataclass(frozen=True)
class WrittenLetter:
    """A letter written for a case but not stored (see :func:`write_letter`)."""

    text: str
    """The letter as the physician sees it (fact slots filled)."""
    slotted: str | None
    """For a model that writes fact slots: the letter as it wrote it."""
    finished: Finished
    prompt: str
    options: DecodingOptions
    """The decoding options as used, the case's numbers and slot names included."""


def write_letter(
    engine: LetterModel,
    case: Case,
    options: DecodingOptions | None = None,
    system: str | None = None,
    cancel: Callable[[], bool] | None = None,
) -> WrittenLetter:
    """A letter for ``case`` that is not stored (evaluations, study drafts): prompt, decoding,
    slot filling and the room a long case gets exactly those of :func:`generate_letter`."""

    def write(fitting: DecodingOptions) -> WrittenLetter:
        return _write(engine, case, fitting, system, cancel)

    return with_room(write, (options or DecodingOptions()).checked())


def _write(
    engine: LetterModel,
    case: Case,
    options: DecodingOptions,
    system: str | None,
    cancel: Callable[[], bool] | None,
) -> WrittenLetter:
    info = engine.load()
    options = case_options(case, options, info.fact_slots)
    slots = SlotStream(case.data) if info.fact_slots else None
    prompt = case_prompt(case, info, system)
    prepare_prefix(engine, shared_prefix(prompt, case), cancel)
    parts = []
    finished = Finished("stop")
    for chunk in _filled(engine.stream(prompt, options, cancel=cancel), slots):
        if isinstance(chunk, TextDelta):
            parts.append(chunk.text)
        elif isinstance(chunk, Finished):
            finished = chunk
    slotted = slots.slotted if slots else None
    return WrittenLetter("".join(parts), slotted, finished, prompt, options)


def decoding_record(options: DecodingOptions) -> dict[str, object]:
    """The decoding options as the draft records them (the slot names and key slots only
    counted)."""
    decoding = asdict(options)
    decoding["slot_names"] = len(options.slot_names)
    decoding["key_slots"] = len(options.key_slots)
    return decoding


def _filled(chunks: Iterable[Chunk], slots: SlotStream | None) -> Iterator[Chunk]:
    """The engine's chunks with fact slots filled, for a model that writes them: each text
    delta carries the values of the slots it completes, and what the filler still holds (a slot
    cut off by the length limit shows as a gap) comes out as one more delta before the stream
    finishes, or before a stopped worker's error."""
    if slots is None:
        yield from chunks
        return
    tokens = 0
    try:
        for chunk in chunks:
            if isinstance(chunk, TextDelta):
                tokens = chunk.completion_tokens
                chunk = replace(chunk, text=slots.feed(chunk.text))
            elif isinstance(chunk, Finished) and (rest := slots.finish()):
                yield TextDelta(rest, tokens)
            yield chunk
    except WorkerStopped:
        if rest := slots.finish():
            yield TextDelta(rest, tokens)
        raise
    if rest := slots.finish():  # a stream that ended without Finished
        yield TextDelta(rest, tokens)


@dataclass(frozen=True)
class _Draft:
    """Where and with what a draft is stored, once its text is known."""

    store: Store
    case_id: str
    author: str
    prompt: str
    model_ref: int
    identity: ModelIdentity
    info: ModelInfo
    options: DecodingOptions
    case_version: int
    """The id of the case version the prompt was built from."""
    letter_id: int | None = None
    written_ahead: bool = False

    def save(
        self, text: str, finished: Finished, why: str = "", slotted: str | None = None
    ) -> tuple[Letter, Revision]:
        """Store the text as a new letter's first draft; the audit entry records the model and,
        for a model that writes fact slots, the letter as it wrote it (``slotted``)."""
        incomplete = why or {
            "cancelled": "cancelled by the user",
            "length": f"the letter reached the maximum length of {self.options.max_tokens} tokens",
        }.get(finished.reason)
        details = {
            "model_sha256": self.identity.sha256,
            "adapter": self.identity.adapter,
            "model": self.identity.name,
            "backend": self.info.backend,
            "device": self.info.device,
            "finish_reason": finished.reason,
            "prompt_tokens": finished.timing.prompt_tokens,
            "completion_tokens": finished.timing.completion_tokens,
            "decoding": decoding_record(self.options),
        }
        if slotted is not None:
            details["fact_slots"] = True
        if incomplete:
            details["incomplete"] = f"partial draft: {incomplete}"
        if self.letter_id is not None:
            revision = add_revision(
                self.store, self.letter_id, text, author=self.author, kind="draft",
                prompt=self.prompt, model_ref=self.model_ref, details=details, slotted=slotted,
                case_version=self.case_version,
            )  # fmt: skip
            return stored_letter(self.store, self.letter_id), revision
        return create_letter(
            self.store, self.case_id, text, author=self.author, prompt=self.prompt,
            model_ref=self.model_ref, details=details, slotted=slotted,
            written_ahead=self.written_ahead, case_version=self.case_version,
        )  # fmt: skip

    def keep_partial(self, deltas: list[TextDelta], stopped: WorkerStopped) -> WorkerStopped:
        """Store what was streamed before the worker died; the error then says where it is."""
        tokens = Timing(completion_tokens=deltas[-1].completion_tokens)
        letter, revision = self.save(
            "".join(d.text for d in deltas),
            Finished("worker_stopped", tokens),
            f"the letter generator stopped while writing ({stopped.how})",
        )
        return stopped.with_note(
            f"The text written so far is kept as draft revision {revision.number} of "
            f"letter {letter.id}."
        )
