"""A fresh model worker made ready for letters, so the first letter after a start waits as
little as the later ones: it takes the model's earlier letters from the store (prompt
lookup's main source of guesses, :class:`letterdesk.core.engine.lookup.EarlierLetters`) and
has the prompt's shared start in its cache (:mod:`letterdesk.core.engine.prefix_state`).

The window does both right after the model's load (:func:`warm_up`), while the physician
opens a case; every letter does what is still missing before it (:func:`before_the_letter`:
``letterdesk generate``, the write-ahead service, a window whose warm-up could not run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from letterdesk.core.engine.lookup import EARLIER_LETTERS
from letterdesk.core.engine.types import LetterModel
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.models.identity import recall_known_hash
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import model_writing
from letterdesk.core.store.model_versions import version_id

_log = logging.getLogger(__name__)


def warm_up(store: Store, engine: LetterModel) -> tuple[str, int]:
    """Right after the model's load: the fresh worker loads the saved state of the prompt
    start it used last (the letter type written last; never evaluated here) and takes the
    model's earlier letters (:func:`recall_letters`). Only for a model file the store knows
    unchanged (the file's hash is not computed again here; a file new to the store has
    written nothing), on this workstation's engine, for a login that may see which model wrote
    a letter (not a rater). How the prefix came (``none``: nothing done), and how many letters
    were taken."""
    if engine.settings.backend != "local" or not store.may("see_models"):
        return "none", 0
    if not recall_known_hash(store, engine.settings.model):
        return "none", 0
    identity = engine.identity()
    model_ref = version_id(store, identity.sha256, identity.adapter)
    how = engine.prepare(None)
    return how, 0 if model_ref is None else recall_letters(store, engine, model_ref)


def before_the_letter(
    store: Store,
    engine: LetterModel,
    model_ref: int,
    prefix: str | None,
    cancel: Callable[[], bool] | None,
) -> None:
    """Before a letter: the model's earlier letters, if the worker has not been offered them
    (a failure only costs time: it is logged, and the letter written), and the prompt's
    shared start ``prefix`` (:func:`prepare_prefix`)."""
    try:
        recall_letters(store, engine, model_ref)
    except LetterDeskError as exc:
        _log.warning("The model's earlier letters could not be taken: %s", exc)
    prepare_prefix(engine, prefix, cancel)


def recall_letters(store: Store, engine: LetterModel, model_ref: int) -> int:
    """A fresh worker takes the model's last letters from the store as its earlier letters,
    as if it had written them (:meth:`~letterdesk.core.engine.local.Engine.remember`; once per
    worker, the store read only then). How many it took."""
    return engine.remember(lambda: model_writing(store, model_ref, EARLIER_LETTERS))


def prepare_prefix(
    engine: LetterModel, prefix: str | None, cancel: Callable[[], bool] | None
) -> None:
    """The prompt's shared start from the worker's cache or its saved state, so even the first
    letter after a start evaluates only the case; ``cancel`` stops its evaluation too. None
    (a prompt without one): nothing to do."""
    if prefix is not None:
        engine.prepare(prefix, cancel)
