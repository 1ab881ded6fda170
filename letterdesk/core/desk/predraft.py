"""Pre-drafting: the worklist's next letters written ahead, so a physician opening a case finds
its draft already there.

Which case is next (:func:`next_case`): the first case of the worklist, in the order the case
list shows it, that has no letter yet and whose draft did not already fail with this model
on this version of the case — but only while fewer than ``ahead`` drafts written ahead wait
unopened (the setting ``predraft_ahead``). :func:`write_ahead` writes that draft through the
ordinary generation job (the same prompt, decoding and fact slots as the Generate button),
marked as written ahead (:mod:`letterdesk.core.store.written_ahead`): it cannot be signed
before a physician has opened it. A draft that fails is recorded against the case with the
reason and is not tried again until the case or the model changes; one that is cancelled
(the physician needs the model) leaves nothing behind and is written again later, as is one
overtaken while it was written (the case changed, or got a letter: nothing is kept). On the
department store several drafters write ahead at once (desks with local models, the service
on the server): each holds the case it drafts (:func:`claimed_case`), the others pass it over.

Qt-free: the window runs these on its engine lane and decides when (``letterdesk.gui.
predrafting``); on a department server, ``letterdesk write-ahead`` runs :func:`write_ahead_all`
where the model runs (``letterdesk.commands.write_ahead``), into the department store the desks
share.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from letterdesk.core.engine.types import DecodingOptions, LetterModel
from letterdesk.core.foundation.errors import ConfigurationError, ModelError
from letterdesk.core.generation.draft import GenerationResult, generate_letter
from letterdesk.core.store import case_versions, written_ahead
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import DraftOvertaken
from letterdesk.core.store.written_ahead import Failure


def model_key(engine: LetterModel) -> str:
    """The words a failure records for the model it was tried with: its file or server."""
    settings = engine.settings
    if settings.backend == "server":
        return settings.server_url
    return str(settings.model)


def next_case(store: Store, model: str, ahead: int, passed: Collection[str] = ()) -> str | None:
    """The next case to draft ahead, or None (enough drafts wait, or none is left); the cases
    ``passed`` are passed over."""
    if ahead < 1 or len(written_ahead.waiting(store)) >= ahead:
        return None
    failed = written_ahead.failures(store)
    for row in store.cases():
        if row.status != "new" or row.case_id in passed:
            continue
        failure = failed.get(row.case_id)
        if failure is not None and failure.model == model:
            if failure.case_version == case_versions.newest(store, row.case_id).number:
                continue  # tried with this model on this version: not again in a loop
        return row.case_id
    return None


@contextmanager
def claimed_case(store: Store, model: str, ahead: int) -> Iterator[str | None]:
    """:func:`next_case`, held for this drafter while the block runs: on the department
    store several desks with local models and the write-ahead service on the server draft
    ahead at once, and a case one of them is drafting is passed over by the others (once
    held, the case is looked at again: another may have drafted it just before)."""
    passed: set[str] = set()
    case_id = None
    while (candidate := next_case(store, model, ahead, passed)) is not None:
        if store.claim_draft(candidate):
            try:  # held: is it still the next? (a store file has one writer: no need to look)
                again = next_case(store, model, ahead, passed) if store.is_department else candidate
            except BaseException:
                store.unclaim_draft(candidate)
                raise
            if again == candidate:
                case_id = candidate
                break
            store.unclaim_draft(candidate)
        passed.add(candidate)
    try:
        yield case_id
    finally:
        if case_id is not None:
            store.unclaim_draft(case_id)


@dataclass(frozen=True)
class Drafted:
    """What came of writing one case's draft ahead: the draft (``result``), why it could not
    be written (``failure``, recorded against the case), or why it was not kept
    (``overtaken``: the case got a letter or changed meanwhile; it is looked at again)."""

    case_id: str
    result: GenerationResult | None
    failure: Failure | None = None
    overtaken: str = ""


def write_ahead(
    store: Store,
    case_id: str,
    engine: LetterModel,
    *,
    author: str,
    options: DecodingOptions | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Drafted:
    """Write the case's draft ahead; a failure is recorded against the case and the version
    it was tried on.

    Raises Interrupted when ``cancel`` stopped it: nothing is stored, it is written later.
    """
    tried_on = case_versions.newest(store, case_id).number
    try:
        result = generate_letter(
            store, case_id, engine, options=options, author=author, cancel=cancel,
            written_ahead=True,
        )  # fmt: skip
    except DraftOvertaken as exc:  # a physician or another desk was quicker: nothing stored
        return Drafted(case_id, None, overtaken=exc.message)
    except (ModelError, ConfigurationError) as exc:  # the store's own errors pass: not the case's
        failure = Failure(reason=exc.message, model=model_key(engine), case_version=tried_on)
        written_ahead.record_failure(store, case_id, failure, author)
        return Drafted(case_id, None, failure)
    return Drafted(case_id, result)


def write_ahead_all(
    store: Store,
    engine: LetterModel,
    *,
    author: str,
    ahead: int,
    options: DecodingOptions | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Iterator[Drafted]:
    """Write drafts ahead, case after case in worklist order, until ``ahead`` wait unopened or
    no case is left; each case as it is done. Raises Interrupted when ``cancel`` stopped a
    draft (nothing of it is stored)."""
    model = model_key(engine)
    while True:
        with claimed_case(store, model, ahead) as case_id:
            if case_id is None:
                return
            drafted = write_ahead(
                store, case_id, engine, author=author, options=options, cancel=cancel
            )
        yield drafted
