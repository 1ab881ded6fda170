"""Training data for the next model from the physicians' work, as JSONL.

SFT pairs: the prompt the model was given → the letter the physician signed
(``{"prompt", "completion"}``). Preference pairs: the same prompt, the signed letter as
``chosen`` and the model's draft as ``rejected`` (``{"prompt", "chosen", "rejected"}``); a letter
signed exactly as drafted gives none, as nothing was preferred. The field names are those the
common fine-tuning tools read. Each line also says which letter it came from (``letter_id``),
its type and language, and the model version that drafted it (``model_sha256``).

The prompt is the exact text stored with the letter's newest draft (chat template included);
a draft stored without one gets the prompt rendered now with LetterDesk's template. Letters
drafted for a blinded study are left out.

The pairs are pseudonymised (:mod:`letterdesk.core.cases.pseudonymise`): the patient's names,
birth date, IDs and address become placeholders such as ``[PATIENT_NAME]``, in the prompt, the
letter and the draft alike, and the full name, birth date and IDs of any other patient of the
export too. ``identified=True`` (``letterdesk pairs --identified``) writes them as the store
holds them. Either way the files still hold clinical facts (diagnoses, treatment dates, free
text); each is written readable by its owner only, to a temporary file first and then renamed,
and the audit log records which kind was written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from letterdesk.core.cases.case import parse_case
from letterdesk.core.cases.pseudonymise import other_patients, pseudonymise
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.foundation.files import atomic_file
from letterdesk.core.generation.prompts import build_prompt
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store
from letterdesk.core.store.training_data import signed_drafts


@dataclass(frozen=True)
class SignedPair:
    """A signed letter with the prompt and the draft it came from."""

    letter_id: int
    letter_type: str
    language: str
    signed_at: str
    prompt: str
    draft: str
    final: str
    model_sha256: str | None
    """The model version that wrote the draft; None for a draft no model wrote."""


@dataclass(frozen=True)
class ExportedPairs:
    """How many pairs were written, and how many signed letters were kept as drafted."""

    sft: int
    preference: int
    unchanged: int


def signed_pairs(store: Store, *, identified: bool = True) -> list[SignedPair]:
    """Every signed letter (outside studies) with its prompt and newest draft, oldest first;
    pseudonymised unless ``identified``."""
    signed_letters = signed_drafts(store)
    cases = [json.loads(s.document) for s in signed_letters]
    others = other_patients(cases)
    pairs = []
    for signed, document in zip(signed_letters, cases, strict=True):
        prompt = signed.prompt
        if prompt is None:
            prompt = build_prompt(parse_case(signed.document, f"stored case {signed.case_id}"))
        texts = (str(prompt), signed.draft, signed.final)
        if not identified:
            texts = tuple(others(t) for t in pseudonymise(document, *texts).texts)
        prompt_text, draft, final = texts
        pairs.append(
            SignedPair(
                signed.letter_id,
                signed.letter_type,
                signed.language,
                signed.signed_at,
                prompt_text,
                draft,
                final,
                signed.model_sha256,
            )  # fmt: skip
        )
    return pairs


def _about(pair: SignedPair) -> dict[str, Any]:
    return {
        "letter_id": pair.letter_id,
        "letter_type": pair.letter_type,
        "language": pair.language,
        "model_sha256": pair.model_sha256,
        "signed_at": pair.signed_at,
    }


def sft_records(pairs: Iterable[SignedPair]) -> list[dict[str, Any]]:
    """One SFT record per signed letter: prompt → the signed letter."""
    return [{"prompt": p.prompt, "completion": p.final, **_about(p)} for p in pairs]


def preference_records(pairs: Iterable[SignedPair]) -> list[dict[str, Any]]:
    """One preference record per signed letter that differs from its model's draft."""
    return [
        {"prompt": p.prompt, "chosen": p.final, "rejected": p.draft, **_about(p)}
        for p in pairs
        if p.model_sha256 is not None and p.final.strip() != p.draft.strip()
    ]


def write_jsonl(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write records as JSON lines (UTF-8, owner-only, atomically); returns how many."""
    path = path.resolve()
    count = 0
    try:
        with atomic_file(path) as file:
            for record in records:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    except OSError as exc:
        raise StoreError(
            f"The training data cannot be written to {path.parent}: {exc.strerror or exc}.",
            "Choose a folder this user may write to.",
        ) from exc
    return count


def export_pairs(
    store: Store,
    sft_path: Path | None = None,
    preference_path: Path | None = None,
    *,
    user: str | None = None,
    identified: bool = False,
) -> ExportedPairs:
    """Write the SFT pairs and/or the preference pairs of every signed letter, pseudonymised
    unless ``identified``; the audit log records each file with its SHA-256."""
    pairs = signed_pairs(store, identified=identified)
    sft = write_jsonl(sft_records(pairs), sft_path) if sft_path is not None else 0
    preference = (
        write_jsonl(preference_records(pairs), preference_path)
        if preference_path is not None
        else 0
    )
    unchanged = sum(1 for p in pairs if p.final.strip() == p.draft.strip())
    files = {
        kind: {"path": str(path.resolve()), "sha256": _sha256(path), "pairs": count}
        for kind, path, count in (
            ("sft", sft_path, sft),
            ("preference", preference_path, preference),
        )
        if path is not None
    }
    with store.transaction() as conn:
        audit.append(
            conn, "export_training_data", "", {**files, "identified": identified}, user=user
        )
    return ExportedPairs(sft, preference, unchanged)


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
