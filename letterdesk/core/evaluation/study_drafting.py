"""Drafting a blinded study's letters: every model version of the study drafts every case in
advance, one version loaded after the other.

:func:`draft_study` is a cancellable job with progress: a letter cut short by cancelling is not
kept (it would be compared unfairly), and the next run goes on where this one stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from letterdesk.core.engine.factory import open_engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, LetterModel
from letterdesk.core.evaluation.metrics import model_labels
from letterdesk.core.foundation.errors import Interrupted
from letterdesk.core.generation.draft import decoding_record, model_identity, write_letter
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import create_letter
from letterdesk.core.store.model_versions import version
from letterdesk.core.store.studies import Study, StudyError, load_study, record_draft, undrafted


def draft_study(
    store: Store,
    study_id: int,
    settings: EngineSettings,
    *,
    options: DecodingOptions | None = None,
    user: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    open_model: Callable[[EngineSettings], LetterModel] = open_engine,
) -> Study:
    """Draft every letter of the study not drafted yet, one model version after the other.

    ``settings`` are the engine settings to run with (threads, GPU layers, context); the model
    file (and adapter) of each version replaces theirs. ``progress(done, total)`` follows every
    letter; ``cancel`` is polled while letters stream and raises :class:`Interrupted` — what
    was drafted is kept and the next call goes on from there.
    """
    options = (options or DecodingOptions()).checked()
    user = user or audit.current_user()
    current = load_study(store, study_id)
    todo = undrafted(store, study_id)
    done = current.drafted
    if progress is not None:
        progress(done, current.items)
    for model_id in dict.fromkeys(model for _, model in todo):
        _stop_if(cancel)
        engine = open_model(_model_settings(store, model_id, settings))
        try:
            _check_identity(store, engine, model_id)
            drafting = _Drafting(store, engine, study_id, model_id, options, user, cancel)
            for case_id in (case for case, model in todo if model == model_id):
                _stop_if(cancel)
                record_draft(store, study_id, case_id, model_id, drafting.draft(case_id))
                done += 1
                if progress is not None:
                    progress(done, current.items)
        finally:
            engine.close()
    return load_study(store, study_id)


def _stop_if(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise Interrupted()


def _model_settings(store: Store, model_id: int, base: EngineSettings) -> EngineSettings:
    chosen = version(store, model_id)
    adapter_path = chosen.adapter_path if chosen.adapter else None
    if chosen.adapter and not adapter_path:
        raise StudyError(
            f"The adapter file of model version {model_id} is not known.",
            "Register the version again with its adapter file.",
        )
    return replace(
        base,
        backend="local",
        model_path=Path(chosen.path),
        lora_path=Path(adapter_path) if adapter_path else None,
    )


def _check_identity(store: Store, engine: LetterModel, model_id: int) -> None:
    identity = model_identity(store, engine)
    chosen = version(store, model_id)
    if (identity.sha256, identity.adapter) != (chosen.sha256, chosen.adapter):
        raise StudyError(
            f"The model file {chosen.path} is no longer the version chosen for the study "
            f"({model_labels(store)[model_id]}): its content has changed.",
            "Restore the file, or register it as a new version and set up a new study.",
        )


@dataclass(frozen=True)
class _Drafting:
    """One model version writing its letters of a study."""

    store: Store
    engine: LetterModel
    study_id: int
    model_id: int
    options: DecodingOptions
    user: str
    cancel: Callable[[], bool] | None

    def draft(self, case_id: str) -> int:
        """Write and store the case's letter; returns the draft revision's id."""
        case = self.store.case(case_id)
        written = write_letter(self.engine, case, self.options, cancel=self.cancel)
        if written.finished.reason == "cancelled":
            raise Interrupted()  # a letter cut short would be compared unfairly: not kept
        details = {
            "study": self.study_id,
            "finish_reason": written.finished.reason,
            "decoding": decoding_record(written.options),
        }
        _, revision = create_letter(
            self.store, case_id, written.text, author=self.user, prompt=written.prompt,
            model_ref=self.model_id, details=details, slotted=written.slotted,
        )  # fmt: skip
        return revision.id
