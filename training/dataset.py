"""python -m training dataset: signed-off letters from the store → a pseudonymised training set.

The story: arguments → every signed-off letter with its case, read through
``letterdesk.core.store.database.Store`` (so an encrypted store opens the same way) → for each
case its most recently signed letter → the prompt rendered exactly as the app renders it
(``build_prompt`` with the model's chat template) → pseudonymised
(:mod:`letterdesk.core.cases.pseudonymise`) → duplicates removed → split into train and held-out
by patient, so no patient is in both → ``train.jsonl``, ``heldout.jsonl`` and ``manifest.json``
written together (a staging folder, then one rename). Read back, the held-out letters split once
more, the same way every time (:func:`split_heldout`): validation letters choose fine-tuning's
best checkpoint, evaluation letters decide the promotion.

Each JSONL line is one pair: ``prompt`` (pseudonymised), ``letter`` (the signed text,
pseudonymised), ``slotted`` (the signed text with the case's facts as fact slots,
:mod:`letterdesk.core.facts.slots`, for a base model that writes them: a fact the physician added
that the case does not hold stays text), ``case`` (the pseudonymised case document, for
re-rendering the prompt with another chat template and for key-fact checks), ``language``,
``letter_type``, ``letter_id`` (the store's letter, for whoever holds the store) and
``patient_key`` (the same for the pairs of one patient within this export, not derivable from
the patient).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import secrets
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from letterdesk.core.cases.pseudonymise import Replacer, leaks, other_patients, pseudonymise
from letterdesk.core.facts.slotting import slot_letter
from letterdesk.core.generation.prompts import build_prompt
from letterdesk.core.models.trainer_events import Event
from letterdesk.core.store.database import Store, store_location
from letterdesk.core.store.training_data import SignedLetter, default_chat_template, signed_letters
from training.errors import ToolchainError
from training.files import staged_dir
from training.progress import fail, log

FORMAT_VERSION = 1
TRAIN_FILE, HELDOUT_FILE, MANIFEST_FILE = "train.jsonl", "heldout.jsonl", "manifest.json"


@dataclass(frozen=True)
class DatasetArgs:
    """What `python -m training dataset` exports."""

    out_dir: Path
    """Folder for train.jsonl, heldout.jsonl and manifest.json; replaced only when complete."""
    store: Path | str | None = None
    """The letter store file, or the department store's ``postgresql://`` URL (pooled: every
    physician's signed letters); None: as the app finds it (``LETTERDESK_STORE``, the site's
    ``store_url``, else the file in the user's data folder)."""
    heldout_fraction: float = 0.1
    """Share of patients whose letters are held out (at least one patient when there are two)."""
    chat_template: Path | None = None
    """A file with the Jinja chat template to render prompts with; None: the default model's
    template from the store's models table, else the plain LLaMA-3 template (fine-tuning
    renders each pair again with its base model's own template)."""
    seed: int = 0
    """Seed of the patient split."""
    key_salt: bytes | None = None
    """Key of the patient keys; None: a random one, so keys link pairs within this export
    only. A fixed salt makes the keys, and with ``seed`` the split, the same in every export
    of the same letters: for reproducible experiments on synthetic letters, never real ones."""
    include_synthetic: bool = False
    """Also learn from letters of synthetic cases (``"synthetic": true``: the demo cases, the
    project's generated ones). Off for the app's learning loop: a model learns from real
    physicians' work only; on for experiments and tests on synthetic stores."""

    def problems(self) -> list[str]:
        """Every problem with the arguments, reported at once."""
        found = []
        if not 0.0 <= self.heldout_fraction < 1.0:
            found.append("heldout_fraction must be at least 0 and below 1")
        if isinstance(self.store, Path) and not self.store.is_file():
            found.append(f"store {self.store} does not exist")
        if self.chat_template is not None and not self.chat_template.is_file():
            found.append(f"chat template file {self.chat_template} does not exist")
        return found


def latest_per_case(letters: list[SignedLetter]) -> tuple[list[SignedLetter], int]:
    """The most recently signed letter of each case, and how many earlier ones were dropped."""
    latest: dict[str, SignedLetter] = {}
    for letter in letters:  # oldest first: a later sign-off supersedes an earlier one
        latest[letter.case.case_id] = letter
    kept = sorted(latest.values(), key=lambda lt: (lt.signed_at, lt.letter_id))
    return kept, len(letters) - len(kept)


def export_chat_template(store: Store, template_file: Path | None) -> str:
    """The chat template prompts are rendered with (see :attr:`DatasetArgs.chat_template`)."""
    if template_file is not None:
        return template_file.read_text(encoding="utf-8")
    template = default_chat_template(store)
    if template is not None:
        return template
    from training.tokenizer import CHAT_TEMPLATE

    return CHAT_TEMPLATE


def make_pair(letter: SignedLetter, template: str, salt: bytes) -> dict[str, Any]:
    """One pseudonymised pair; ToolchainError if an identifying value would still leak."""
    prompt = build_prompt(letter.case, template)
    slotted = slot_letter(letter.case.data, letter.text)  # before pseudonymising: real values
    done = pseudonymise(letter.case.data, prompt, letter.text, slotted.text)
    pair_prompt, pair_letter, pair_slotted = done.texts
    record_text = (
        json.dumps(done.case, ensure_ascii=False) + pair_prompt + pair_letter + pair_slotted
    )
    if leaked := leaks(letter.case.data, record_text):  # cannot happen; checked all the same
        raise ToolchainError(
            f"letter {letter.letter_id}: {len(leaked)} identifying values survived "
            "pseudonymisation; nothing was exported"
        )
    patient_id = str(letter.case.patient["patient_id"]).encode("utf-8")
    return {
        "prompt": pair_prompt,
        "letter": pair_letter,
        "slotted": pair_slotted,
        "case": done.case,
        "language": letter.case.language,
        "letter_type": letter.case.letter_type,
        "letter_id": letter.letter_id,
        "patient_key": hmac.new(salt, patient_id, hashlib.sha256).hexdigest()[:16],
        "signed_on": letter.signed_at[:10],
    }


def scrub(pair: dict[str, Any], others: Replacer) -> dict[str, Any]:
    """The pair with any other exported patient's name, birth date, IDs or address removed."""
    return {**pair, **{k: others(pair[k]) for k in ("prompt", "letter", "slotted", "case")}}


def deduplicate(pairs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Pairs with the same pseudonymised prompt and letter kept once; and how many were dropped."""
    seen, kept = set(), []
    for pair in pairs:
        key = hashlib.sha256(f"{pair['prompt']}\x00{pair['letter']}".encode()).hexdigest()
        if key not in seen:
            seen.add(key)
            kept.append(pair)
    return kept, len(pairs) - len(kept)


def split_by_patient(
    pairs: list[dict[str, Any]], fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(train, held-out): whole patients go to one side; at least one held out when there are
    two patients and the fraction is above 0."""
    patients = sorted({p["patient_key"] for p in pairs})
    order = sorted(patients, key=lambda k: hashlib.sha256(f"{seed}:{k}".encode()).hexdigest())
    n_heldout = math.ceil(fraction * len(patients)) if fraction > 0 else 0
    n_heldout = min(n_heldout, len(patients) - 1) if len(patients) > 1 else 0
    heldout_patients = set(order[:n_heldout])
    train = [p for p in pairs if p["patient_key"] not in heldout_patients]
    heldout = [p for p in pairs if p["patient_key"] in heldout_patients]
    return train, heldout


VALIDATION_SHARE = 1 / 3
"""Share of the held-out letters that choose the best checkpoint (validation); the others,
never looked at before, decide the promotion (evaluation)."""


def split_heldout(
    heldout: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(validation, evaluation): the held-out letters in two, the same way every time, whole
    patients to one side where there are two or more; validation gets about a third, and one
    letter where there is only one (evaluation then has none)."""
    target = max(1, round(VALIDATION_SHARE * len(heldout))) if heldout else 0
    by_patient: dict[str, list[dict[str, Any]]] = {}
    for pair in heldout:
        by_patient.setdefault(str(pair["patient_key"]), []).append(pair)
    if len(by_patient) < 2:  # one patient: their letters in two, in file order
        return heldout[:target], heldout[target:]
    order = sorted(by_patient, key=lambda k: hashlib.sha256(f"validation:{k}".encode()).digest())
    chosen: set[str] = set()
    for key in order[:-1]:  # the last patient always goes to evaluation
        if sum(len(by_patient[k]) for k in chosen) >= target:
            break
        chosen.add(key)
    validation = [p for p in heldout if str(p["patient_key"]) in chosen]
    return validation, [p for p in heldout if str(p["patient_key"]) not in chosen]


def main(args: DatasetArgs) -> dict[str, Any]:
    """Export the dataset; return its manifest."""
    # read-only: the app may hold the store's writer lock while this runs
    with Store(args.store, read_only=True) as store:
        letters = signed_letters(store)
        template = export_chat_template(store, args.chat_template)
    synthetic = [lt for lt in letters if lt.case.data.get("synthetic")]
    if not args.include_synthetic:
        letters = [lt for lt in letters if not lt.case.data.get("synthetic")]
    if not letters:
        raise ToolchainError(
            "the store has no signed-off letters to learn from"
            + (f" ({len(synthetic)} of synthetic demo cases are never learnt from)"
               if synthetic else ""),
            hint="letters become training data once a physician signs them off",
        )  # fmt: skip
    latest, superseded = latest_per_case(letters)
    salt = args.key_salt or secrets.token_bytes(32)  # keys link pairs within this export only
    others = other_patients([lt.case.data for lt in latest])
    made = [scrub(make_pair(lt, template, salt), others) for lt in latest]
    pairs, duplicates = deduplicate(made)
    train, heldout = split_by_patient(pairs, args.heldout_fraction, args.seed)
    manifest = write_dataset(
        args,
        train,
        heldout,
        template,
        counts={
            "signed_letters": len(letters),
            "synthetic_left_out": 0 if args.include_synthetic else len(synthetic),
            "superseded": superseded,
            "duplicates": duplicates,
            "pairs": len(pairs),
            "train": len(train),
            "heldout": len(heldout),
            "train_patients": len({p["patient_key"] for p in train}),
            "heldout_patients": len({p["patient_key"] for p in heldout}),
        },
        signed_dates=[lt.signed_at[:10] for lt in latest],
    )
    return manifest


def write_dataset(
    args: DatasetArgs,
    train: list[dict[str, Any]],
    heldout: list[dict[str, Any]],
    template: str,
    counts: dict[str, int],
    signed_dates: list[str],
) -> dict[str, Any]:
    """Write both JSONL files and the manifest into a staging folder, then put it in place."""
    args.out_dir.parent.mkdir(parents=True, exist_ok=True)
    # the folder stays private (mode None): pseudonymised pairs are still patient data
    with staged_dir(args.out_dir, mode=None) as staging:
        files = {}
        for name, pairs in ((TRAIN_FILE, train), (HELDOUT_FILE, heldout)):
            text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
            (staging / name).write_text(text, encoding="utf-8")
            files[name] = {"pairs": len(pairs), "sha256": hashlib.sha256(text.encode()).hexdigest()}
        manifest = {
            "format_version": FORMAT_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": counts,
            "files": files,
            "letters_signed": {"first": min(signed_dates), "last": max(signed_dates)},
            "chat_template_sha256": hashlib.sha256(template.encode()).hexdigest(),
            "split": {
                "by": "patient",
                "heldout_fraction": args.heldout_fraction,
                "seed": args.seed,
            },
            "pseudonymisation": "names, birth dates, patient and case IDs and addresses replaced "
            "by placeholders such as [PATIENT_NAME] and [BIRTH_DATE]",
        }
        (staging / MANIFEST_FILE).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        for path in staging.iterdir():
            path.chmod(0o600)  # pseudonymised, still patient data
    return manifest


# --- reading an exported dataset ---------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """An exported dataset, read back: its pairs and its manifest."""

    train: list[dict[str, Any]]
    heldout: list[dict[str, Any]]
    manifest: dict[str, Any]
    manifest_sha256: str

    @property
    def validation(self) -> list[dict[str, Any]]:
        """The held-out letters fine-tuning validates on to choose its best checkpoint."""
        return split_heldout(self.heldout)[0]

    @property
    def evaluation(self) -> list[dict[str, Any]]:
        """The other held-out letters, on which the promotion is decided."""
        return split_heldout(self.heldout)[1]


def load_dataset(folder: Path) -> Dataset:
    """Read a dataset folder and check each file against the manifest's hash."""
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ToolchainError(
            f"{folder} is not a dataset: {MANIFEST_FILE} is missing",
            hint="export one with `python -m training dataset --out DIR`",
        )
    raw = manifest_path.read_bytes()
    manifest = json.loads(raw)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ToolchainError(f"{manifest_path}: unknown format {manifest.get('format_version')}")
    pairs = {}
    for name in (TRAIN_FILE, HELDOUT_FILE):
        data = (folder / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest["files"][name]["sha256"]:
            raise ToolchainError(f"{folder / name} does not match its hash in {MANIFEST_FILE}")
        pairs[name] = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
    return Dataset(
        pairs[TRAIN_FILE], pairs[HELDOUT_FILE], manifest, hashlib.sha256(raw).hexdigest()
    )


# --- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> DatasetArgs:
    """Command-line flags for every field of :class:`DatasetArgs`."""
    parser = argparse.ArgumentParser(
        prog="python -m training dataset", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", dest="out_dir", type=Path, required=True)
    parser.add_argument("--store", type=store_location, default=None)
    defaults = DatasetArgs(out_dir=Path("."))
    parser.add_argument("--heldout-fraction", type=float, default=defaults.heldout_fraction)
    parser.add_argument("--chat-template", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--include-synthetic", action="store_true",
        help="also learn from letters of synthetic cases (experiments and tests only)",
    )  # fmt: skip
    args = DatasetArgs(**vars(parser.parse_args(argv)))
    if problems := args.problems():
        parser.error("; ".join(problems))
    return args


def cli(argv: Sequence[str]) -> int:
    """Entry point of `python -m training dataset`; prints the manifest's counts as JSON."""
    args = parse_args(argv)
    try:
        manifest = main(args)
    except ToolchainError as exc:
        return fail(exc)
    counts = manifest["counts"]
    log(Event.DONE, out=str(args.out_dir), **counts)
    if counts["heldout"] == 0:
        log(
            Event.NOTICE,
            message="no letters held out: the letters of at least two patients are needed to "
            "evaluate a new model",
        )
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
