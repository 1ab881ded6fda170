"""Model versions as the registry of the learning loop: registering a trained file with its
lineage, and filing the trainer's candidate.

The rows themselves, which version is the default and switching it are the store's
(:mod:`letterdesk.core.store.model_versions`). ``lineage`` (JSON) says where a fine-tuned
version came from — base model, dataset manifest hash, hyperparameters, held-out metrics, the
promotion decision.

The trainer (``python -m training promote``) runs as a subprocess and must not write to a
store the app holds open, so it leaves its result in ``candidate.json``;
:func:`register_candidate` files it from the app's own store connection.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.models.identity import identify, register
from letterdesk.core.store.database import Store
from letterdesk.core.store.model_versions import (
    ModelVersion,
    default_version,
    promote,
    update_lineage,
    version,
)

CANDIDATE_FORMAT = 1


def register_version(
    store: Store,
    model_path: Path,
    *,
    adapter_path: Path | None = None,
    version_label: str = "",
    lineage: dict[str, Any] | None = None,
    user: str | None = None,
) -> ModelVersion:
    """Register a GGUF model (and adapter) with its lineage; not made the default.

    The identity (hash, size, quantization, chat template) is read from the file, exactly as
    when the app loads it, so drafts written with it later refer to this row. Registering a
    known file again adds the new lineage to its row.
    """
    identity = identify(read_header(model_path), adapter_path)
    merged = {**identity.lineage, **(lineage or {})}
    identity = replace(identity, version=version_label or identity.version, lineage=merged)
    model_id = register(store, identity, user=user)
    current = version(store, model_id)
    if current.lineage != {**current.lineage, **merged}:
        update_lineage(store, model_id, {**current.lineage, **merged}, user=user)
    return version(store, model_id)


@dataclass(frozen=True)
class CandidateOutcome:
    """What filing a trained candidate did."""

    version: ModelVersion
    promoted: bool
    reason: str
    promotable: bool = False
    """Whether it may become the default now: the trainer decided so and the default is still
    the version it was compared with."""


def read_candidate(path: Path) -> dict[str, Any]:
    """A candidate.json written by ``python -m training promote``, checked for its fields."""
    try:
        candidate = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"The result of the training run ({path}) cannot be read: {exc}",
            "Run the promotion step again: python -m training promote ...",
        ) from exc
    missing = [k for k in ("format", "model_path", "lineage", "decision") if k not in candidate]
    if missing or candidate.get("format") != CANDIDATE_FORMAT:
        raise ModelError(
            f"The result of the training run ({path}) is incomplete: {', '.join(missing)}",
            "It was written by another LetterDesk version; run the promotion step again.",
        )
    return dict(candidate)


def register_candidate(
    store: Store, candidate_path: Path, *, user: str | None = None, auto_promote: bool = True
) -> CandidateOutcome:
    """Register a trained version and promote it if the trainer decided so.

    It is promoted only while the default is still the version it was compared with: a
    default changed meanwhile (another promotion) means the comparison no longer holds. With
    ``auto_promote=False`` it is only registered, and ``promotable`` says whether promoting it
    would be allowed (the app asks the user first, then files it again with promotion).
    """
    candidate = read_candidate(candidate_path)
    adapter = candidate.get("adapter_path")
    decision = candidate["decision"]
    registered = register_version(
        store,
        Path(candidate["model_path"]),
        adapter_path=Path(adapter) if adapter else None,
        version_label=str(candidate.get("version", "")),
        lineage={**candidate["lineage"], "decision": decision},
        user=user,
    )
    reason = str(decision.get("reason", ""))
    if not decision.get("promote"):
        return CandidateOutcome(registered, False, reason)
    evaluation = candidate["lineage"].get("evaluation") or {}
    compared = (evaluation.get("current_sha256"), evaluation.get("current_adapter"))
    now_default = default_version(store)
    if now_default is not None and now_default.id == registered.id:
        return CandidateOutcome(registered, True, reason)  # promoted before: nothing changes
    if now_default is not None and compared != (now_default.sha256, now_default.adapter):
        return CandidateOutcome(
            registered,
            False,
            "The default model changed while this version was trained and evaluated; it was "
            "kept but not made the default. Evaluate it again against the new default.",
        )
    if not auto_promote:
        return CandidateOutcome(registered, False, reason, promotable=True)
    promoted = promote(store, registered.id, reason=reason, user=user)
    return CandidateOutcome(promoted, True, reason, promotable=True)
