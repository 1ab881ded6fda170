"""python -m training promote: a trained adapter → GGUF → held-out evaluation → promotion decision.

The story: arguments (every problem at once) → export: merge the adapter into the 16-bit base,
convert and quantize (``--export merged``, the default), or write the adapter as a GGUF LoRA
next to the base's GGUF (``--export lora``) → generate a letter for each case of the
evaluation split (the held-out letters fine-tuning did not choose its checkpoint on,
:func:`training.dataset.split_heldout`) with the current model and the new one (greedy,
llama.cpp, the app's prompt) and score them: ROUGE-1/2/L against the signed letters and
key-fact recall → print the table → decide (:func:`decide`) → write ``candidate.json``,
which the app files in its store (:func:`letterdesk.core.models.registry.register_candidate`);
``--register`` files it here.

The gate is non-inferiority: the new version becomes the default only if, over the
evaluation letters, the paired bootstrap 95 % interval of (new − current) lies above −margin
for key-fact recall and for ROUGE-L; with fewer than :data:`MIN_EVALUATION_LETTERS` letters it
is never promoted. With ``--promotion-basis study`` a completed blinded study that names both
models by SHA-256 decides when it found a difference; a tie leaves the decision to the gate,
and a study that is not completed or names other models is ignored, with the reason.

The current model is ``--current`` (a GGUF, optionally with ``--current-adapter``), else the
store's default version, else the base checkpoint itself converted the same way.
A new version that cannot be exported or run is never registered; one that is not shown to
be no worse is registered (so its lineage is kept) but not promoted, and the reason is said.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from letterdesk.core.cases.case import Case
from training.dataset import load_dataset
from training.errors import ToolchainError
from training.pseudonymise import fill_surrogates

CANDIDATE_FILE = "candidate.json"
EXPORTS = ("merged", "lora")
BASES = ("metrics", "study")
MIN_EVALUATION_LETTERS = 30
"""Fewer evaluation letters than this cannot show that a version is not worse: no promotion."""


@dataclass(frozen=True)
class PromoteArgs:
    """What `python -m training promote` exports, evaluates and decides."""

    base: Path
    """The Hugging Face checkpoint the adapter was trained on."""
    run: Path
    """The fine-tuning run (finetune's --out): its adapter/ and result.json."""
    data: Path
    """The dataset the run was trained on; its evaluation split (of the held-out letters)
    decides."""
    out: Path
    """Folder for the exported model, the generated letters and candidate.json."""
    store: Path | None = None
    """The letter store, read for the current default model (and written with --register)."""
    register: bool = False
    """File the candidate in the store here (needs the store's writer lock: app closed)."""
    export: str = "merged"
    """merged: adapter merged into the base, one GGUF; lora: base GGUF + GGUF LoRA adapter."""
    quantization: str = "Q8_0"
    """GGUF type of the exported model (Q8_0, Q6_K, Q5_K_M, Q4_K_M)."""
    name: str = ""
    """Model name in the registry; empty: the base checkpoint's folder name."""
    current: Path | None = None
    """GGUF of the model to compare with; None: the store's default, else the base."""
    current_adapter: Path | None = None
    """GGUF LoRA adapter of the current model, if it is base + adapter."""
    eval_cases: int = 0
    """Letters of the evaluation split to evaluate on; 0: all."""
    max_tokens: int = 1024
    """Longest generated letter in tokens."""
    n_ctx: int = 2048
    """llama.cpp context for evaluation (prompt + letter)."""
    rouge_margin: float = 0.01
    """Non-inferiority margin of ROUGE-L: promoted only if the 95 % interval of the change
    (new − current) lies above −margin."""
    recall_margin: float = 0.01
    """Non-inferiority margin of key-fact recall, a fraction (0.01: 1 percentage point)."""
    promotion_basis: str = "metrics"
    """metrics: the evaluation letters decide; study: a completed blinded study decides where
    it found a difference (a tie leaves it to the evaluation letters)."""
    study_result: Path | None = None
    """With --promotion-basis study: its result JSON ({"status": "completed", "winner": "new" |
    "current" | "tie", "new_sha256": ..., "current_sha256": ...}, and "new_adapter_sha256" /
    "current_adapter_sha256" where a model has an adapter); ignored unless the SHA-256 are
    those of the models compared here."""
    seed: int = 0
    """Seed of the surrogate names and dates put into the evaluation letters, and of the
    bootstrap."""

    def problems(self) -> list[str]:
        """Every problem with the arguments, reported at once."""
        found = []
        if not (self.base / "config.json").is_file():
            found.append(f"base {self.base} has no config.json")
        if not (self.run / "adapter" / "adapter_config.json").is_file():
            found.append(f"run {self.run} has no adapter/ (has the fine-tuning finished?)")
        if not (self.data / "manifest.json").is_file():
            found.append(f"data {self.data} has no manifest.json")
        if self.export not in EXPORTS:
            found.append(f"export must be one of {EXPORTS}")
        if self.promotion_basis not in BASES:
            found.append(f"promotion_basis must be one of {BASES}")
        if self.promotion_basis == "study" and self.study_result is None:
            found.append("--promotion-basis study needs --study-result FILE")
        if self.study_result is not None and not self.study_result.is_file():
            found.append(f"study result {self.study_result} does not exist")
        if self.register and self.store is None:
            found.append("--register needs --store")
        if self.current is not None and not self.current.is_file():
            found.append(f"current model {self.current} does not exist")
        if self.eval_cases < 0:
            found.append("eval_cases must not be negative")
        if not (0 <= self.rouge_margin < 1 and 0 <= self.recall_margin < 1):
            found.append("rouge_margin and recall_margin must be at least 0 and below 1")
        return found


def log(record: dict[str, Any]) -> None:
    """Progress as one JSON line on stdout."""
    print(json.dumps(record, ensure_ascii=False), flush=True)


def main(args: PromoteArgs) -> dict[str, Any]:
    """Export, evaluate and decide; return the candidate (also written to candidate.json)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    name = args.name or args.base.resolve().name
    version_label = datetime.now(UTC).strftime("ft-%Y%m%d-%H%M%S")
    run_result = _read_json(args.run / "result.json")
    dataset = load_dataset(args.data)

    log({"event": "stage", "stage": "export", "kind": args.export})
    model_path, adapter_path, export_info = export(args, name, version_label)
    current = current_model(args, export_info)
    new = identity(model_path, adapter_path)
    cases, references = evaluation_cases(dataset.evaluation, args)
    log(
        {
            "event": "stage",
            "stage": "evaluate",
            "cases": len(cases),
            "split": "evaluation",
            "validation_letters": len(dataset.validation),
        }
    )
    new_metrics = evaluate_version(model_path, adapter_path, cases, references, args, "new")
    current_metrics = evaluate_version(
        current["path"], current["adapter_path"], cases, references, args, "current"
    )
    print(table(current_metrics, new_metrics, current["label"]), flush=True)
    decision = decide(
        current_metrics, new_metrics, args, run_result, {"new": new, "current": current}
    )
    print(decision["reason"], flush=True)
    log({"event": "decision", **decision})

    lineage = {
        "kind": "fine-tuned",
        "base": {"checkpoint": str(args.base.resolve()), "name": args.base.resolve().name},
        "dataset": {
            "manifest_sha256": dataset.manifest_sha256,
            "counts": dataset.manifest.get("counts", {}),
            "letters_signed": dataset.manifest.get("letters_signed", {}),
        },
        "hyperparameters": run_result.get("hyperparameters", {}),
        "training": {
            k: run_result.get(k)
            for k in (
                "steps",
                "best_step",
                "heldout_loss_before",
                "heldout_loss_best",
                "stop_reason",
                "device",
                "train_seconds",
                "train_pairs",
            )
        },
        "export": export_info["lineage"],
        "evaluation": {
            "split": "evaluation",
            "heldout_cases": len(cases),
            "validation_letters": len(dataset.validation),
            "new_sha256": new["sha256"],
            "new_adapter": new["adapter_sha256"],
            "new": new_metrics,
            "current": current_metrics,
            "current_label": current["label"],
            "current_sha256": current["sha256"],
            "current_adapter": current["adapter_sha256"],
        },
        "decision": decision,
    }
    candidate = {
        "format": 1,
        "name": name,
        "version": version_label,
        "model_path": str(model_path.resolve()),
        "adapter_path": str(adapter_path.resolve()) if adapter_path else None,
        "lineage": lineage,
        "decision": decision,
    }
    _write_json(args.out / CANDIDATE_FILE, candidate)
    if args.register:
        candidate["registered"] = file_candidate(args.store, args.out / CANDIDATE_FILE)
    return candidate


# --- export ------------------------------------------------------------------------------------


def _merge_dtype(base: Path) -> str:
    # merge in the base's own precision, so a float32 base is not rounded to bfloat16
    dtype = _read_json(base / "config.json").get("dtype") or "bfloat16"
    return dtype if dtype in ("bfloat16", "float16", "float32") else "bfloat16"


def quantized_gguf(checkpoint: Path, out: Path, qtype: str) -> tuple[Path, int]:
    """Checkpoint → F16 GGUF → quantized GGUF (the F16 file is removed); and its fallbacks."""
    from training.convert import convert
    from training.quantize import quantize

    f16 = out.with_name(out.name.removesuffix(".gguf") + ".f16.gguf")
    convert(checkpoint, f16, outtype="f16")
    try:
        result = quantize(f16, out, qtype)
    finally:
        f16.unlink(missing_ok=True)
    return out, len(result.fallbacks)


def export(args: PromoteArgs, name: str, version_label: str) -> tuple[Path, Path | None, dict]:
    """The new version as llama.cpp runs it: (model GGUF, LoRA GGUF or None, export info)."""
    from training.lora import export_lora, merge

    adapter_dir = args.run / "adapter"
    stem = f"{name}-{version_label}.{args.quantization.lower()}"
    info: dict[str, Any] = {"base_gguf": None}
    if args.export == "merged":
        merged = merge(args.base, adapter_dir, args.out / "merged", dtype=_merge_dtype(args.base))
        model, fallbacks = quantized_gguf(merged, args.out / f"{stem}.gguf", args.quantization)
        info["lineage"] = {
            "kind": "merged",
            "quantization": args.quantization,
            "fallback_tensors": fallbacks,
        }
        log({"event": "exported", "model": str(model)})
        return model, None, info
    base_gguf, fallbacks = quantized_gguf(
        args.base, args.out / f"{name}-base.{args.quantization.lower()}.gguf", args.quantization
    )
    adapter = export_lora(adapter_dir, args.base, args.out / f"{stem}.lora.gguf").path
    info.update(
        base_gguf=base_gguf,
        lineage={
            "kind": "lora",
            "quantization": args.quantization,
            "fallback_tensors": fallbacks,
            "base_gguf": str(base_gguf.resolve()),
        },
    )
    log({"event": "exported", "model": str(base_gguf), "adapter": str(adapter)})
    return base_gguf, adapter, info


def identity(path: Path, adapter: Path | None, label: str = "") -> dict[str, Any]:
    """A model as compared: its files, a label, and the SHA-256 of the model and adapter."""
    from letterdesk.core.models.identity import file_sha256

    return {
        "path": path,
        "adapter_path": adapter,
        "label": label,
        "sha256": file_sha256(path),
        "adapter_sha256": file_sha256(adapter) if adapter else None,
    }


def current_model(args: PromoteArgs, export_info: dict) -> dict[str, Any]:
    """The model the new one must not be worse than (see the module docstring)."""
    if args.current is not None:
        return identity(args.current, args.current_adapter, f"current ({args.current.name})")
    if args.store is not None:
        from letterdesk.core.store.database import Store
        from letterdesk.core.store.model_versions import default_version

        with Store(args.store, read_only=True) as store:
            default = default_version(store)
        if default is not None:
            adapter = Path(default.adapter_path) if default.adapter_path else None
            return identity(
                Path(default.path),
                adapter,
                f"current default ({default.name} {default.version})".strip(),
            )
    base_gguf = export_info.get("base_gguf")
    if base_gguf is None:
        base_gguf, _ = quantized_gguf(
            args.base, args.out / f"base.{args.quantization.lower()}.gguf", args.quantization
        )
    return identity(base_gguf, None, "base (no default model registered)")


# --- evaluation --------------------------------------------------------------------------------


def evaluation_cases(
    pairs: list[dict[str, Any]], args: PromoteArgs
) -> tuple[list[Case], list[str]]:
    """The evaluation cases and their signed letters, with surrogates in the placeholders."""
    chosen = pairs[: args.eval_cases] if args.eval_cases else pairs
    if not chosen:
        raise ToolchainError(
            "the dataset has no held-out letters left to evaluate the new model on (a letter "
            "that chose the fine-tuning's checkpoint cannot also judge it)",
            hint="export the dataset with letters of more patients, or a larger --heldout-fraction",
        )
    cases, references = [], []
    for i, pair in enumerate(chosen):
        case, (letter,) = fill_surrogates(
            pair["case"], [pair["letter"]], random.Random(f"{args.seed}:evaluation:{i}")
        )
        cases.append(Case(case))
        references.append(letter)
    return cases, references


def evaluate_version(
    model: Path,
    adapter: Path | None,
    cases: Sequence[Case],
    references: Sequence[str],
    args: Any,
    label: str,
) -> dict[str, Any]:
    """ROUGE-1/2/L against the references and key-fact recall of one model's greedy letters;
    ``letters`` holds each letter's ROUGE-L and key facts, which the gate compares pairwise."""
    from training.evaluate import (
        Evaluation,
        generate_letters,
        mean_rouge,
        rouge_per_letter,
        score_letter,
    )

    started = time.monotonic()
    letters = generate_letters(model, cases, args.max_tokens, args.n_ctx, lora_path=adapter)
    with (args.out / f"letters-{label}.jsonl").open("w", encoding="utf-8") as handle:
        for case, letter in zip(cases, letters, strict=True):
            handle.write(
                json.dumps({"case": case.case_id, "letter": letter}, ensure_ascii=False) + "\n"
            )
    scores = [score_letter(c, lt) for c, lt in zip(cases, letters, strict=True)]
    per_letter = rouge_per_letter(letters, references)
    metrics = {
        **mean_rouge(per_letter),
        **Evaluation(scores).summary(),
        "empty_letters": sum(1 for lt in letters if not lt.strip()),
        "seconds": round(time.monotonic() - started, 1),
    }
    log({"event": "evaluation", "model": label, **metrics})
    metrics["letters"] = [
        {
            "case": s.case_id,
            "rougeL": round(r["rougeL"], 6),
            "key_facts": s.key_facts,
            "key_facts_found": s.key_facts_found,
        }
        for s, r in zip(scores, per_letter, strict=True)
    ]
    return metrics


COLUMNS = (
    ("rouge1", "ROUGE-1"),
    ("rouge2", "ROUGE-2"),
    ("rougeL", "ROUGE-L"),
    ("key_fact_recall", "key-fact recall"),
)


def table(current: dict[str, Any] | None, new: dict[str, Any], label: str | None) -> str:
    """The comparison as a plain-text table."""
    rows = [f"{'':16} {'current':>10} {'new':>10} {'change':>10}"]
    for key, title in COLUMNS:
        before = current.get(key) if current else None
        after = new[key]
        change = f"{after - before:+.4f}" if before is not None else ""
        shown = f"{before:.4f}" if before is not None else "-"
        rows.append(f"{title:16} {shown:>10} {after:>10.4f} {change:>10}")
    if label:
        rows.append(f"(current: {label}; {new['cases']} evaluation letters)")
    return "\n".join(rows)


def decide(
    current: dict[str, Any] | None,
    new: dict[str, Any],
    args: PromoteArgs,
    run_result: dict[str, Any],
    models: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Whether the new version becomes the default, and why, in words a physician understands.

    ``current`` and ``new`` are :func:`evaluate_version`'s metrics on the same evaluation
    letters; ``models`` the compared models (:func:`identity`), whom a study must name.
    """
    verdict: dict[str, Any] = {
        "basis": args.promotion_basis,
        "split": "evaluation",
        "evaluation_letters": new["cases"],
        "min_evaluation_letters": MIN_EVALUATION_LETTERS,
        "margins": {"key_fact_recall": args.recall_margin, "rougeL": args.rouge_margin},
    }
    if new["empty_letters"] == new["cases"]:
        return _verdict(verdict, False, ["the new version wrote only empty letters"])
    said = []
    if args.promotion_basis == "study":
        study = study_verdict(args.study_result, models or {})
        verdict["study"] = study
        if study["accepted"] and study["winner"] != "tie":
            return _verdict(verdict, study["winner"] == "new", [study["finding"]])
        said.append(study["finding"])  # a tie or an ignored study: the letters decide
    if current is None:
        return _verdict(verdict, True, [*said, "there was no current model to compare with"])
    promote, found, changes = non_inferiority(current, new, args)
    verdict["changes"] = changes
    if promote and not run_result.get("improved", True):
        found.append("the fine-tuning did not lower the validation loss")
    return _verdict(verdict, promote, [*said, *found])


def _verdict(verdict: dict[str, Any], promote: bool, reasons: list[str]) -> dict[str, Any]:
    prefix = "Made the default" if promote else "Kept, not made the default"
    return {**verdict, "promote": promote, "reason": f"{prefix}: " + "; ".join(reasons) + "."}


def non_inferiority(
    current: dict[str, Any], new: dict[str, Any], args: PromoteArgs
) -> tuple[bool, list[str], dict[str, Any] | None]:
    """(not worse, why, the changes with their intervals): the paired bootstrap 95 % interval
    of (new − current) over the evaluation letters must lie above −margin for key-fact recall
    and for ROUGE-L; fewer than :data:`MIN_EVALUATION_LETTERS` letters never suffice."""
    from training.evaluate import BOOTSTRAP_RESAMPLES, paired_change

    before, after = current["letters"], new["letters"]
    if [b["case"] for b in before] != [a["case"] for a in after]:
        raise ValueError("the two versions were not evaluated on the same letters")
    if len(after) < MIN_EVALUATION_LETTERS:
        return (
            False,
            [
                f"the new version was compared with the current model on only {len(after)} "
                f"letters; at least {MIN_EVALUATION_LETTERS} are needed to tell whether it is "
                "worse (sign off more letters, or hold out a larger share, and train again)"
            ],
            None,
        )

    def recall(letter: dict[str, Any]) -> float:
        return letter["key_facts_found"] / letter["key_facts"] if letter["key_facts"] else 0.0

    facts = [b["key_facts"] for b in before]
    recall_change = paired_change(
        [recall(a) for a in after], [recall(b) for b in before], facts, seed=args.seed
    )
    rouge_change = paired_change(
        [a["rougeL"] for a in after], [b["rougeL"] for b in before], seed=args.seed
    )
    checks = (
        (recall_change, args.recall_margin, "key-fact recall", 100, ".1f", " points"),
        (rouge_change, args.rouge_margin, "ROUGE-L", 1, ".3f", ""),
    )
    worse, shown = [], []
    for change, margin, name, scale, form, unit in checks:
        text = (
            f"{name} {change.change * scale:+{form}}{unit} (95 % interval "
            f"{change.low * scale:+{form}} to {change.high * scale:+{form}})"
        )
        shown.append(text)
        if not change.above(-margin):
            allowed = f"{margin * scale:{form}}{unit}"
            worse.append(f"{text}, which may be a loss of more than the {allowed} allowed")
    changes = {
        "key_fact_recall": recall_change.as_dict(),
        "rougeL": rouge_change.as_dict(),
        "bootstrap": {
            "paired": "letters",
            "method": "BCa",
            "resamples": BOOTSTRAP_RESAMPLES,
            "seed": args.seed,
        },
    }
    if worse:
        letters = f"on {len(after)} evaluation letters"
        return (
            False,
            [f"the new version may be worse than the current model {letters}: " + "; ".join(worse)],
            changes,
        )
    return (
        True,
        [
            f"not measurably worse than the current model on {len(after)} evaluation letters: "
            + ", ".join(shown)
        ],
        changes,
    )


STUDY_ROLES = {"new": "new version", "current": "current model"}


def study_verdict(path: Path | None, models: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A completed blinded study's result, taken only if it names both compared models by
    SHA-256 (model file and adapter, as :func:`identity` has them); otherwise it is ignored,
    and ``finding`` says why."""
    study = _read_json(path) if path else {}
    record: dict[str, Any] = {"path": str(path), "winner": study.get("winner")}
    problem = _study_problem(study, models)
    name = path.name if path else "result"
    if problem:
        return {
            **record,
            "accepted": False,
            "ignored_because": problem,
            "finding": f"the blinded study {name} was ignored ({problem}), so the evaluation "
            "letters decide",
        }
    words = {
        "new": "preferred the new version",
        "current": "preferred the current model",
        "tie": "found no difference, so the evaluation letters decide",
    }[study["winner"]]
    return {**record, "accepted": True, "finding": f"the blinded study {name} {words}"}


def _study_problem(study: dict[str, Any], models: dict[str, dict[str, Any]]) -> str | None:
    if study.get("status") != "completed":
        return "it is not completed"
    if study.get("winner") not in ("new", "current", "tie"):
        return "it names no winner between the two versions"
    for role, words in STUDY_ROLES.items():
        named, model = study.get(f"{role}_sha256"), models.get(role)
        if not named:
            return f"it does not name the {words} by SHA-256"
        if model is None or named != model["sha256"]:
            return f"the {words} it rated (SHA-256 {str(named)[:12]}…) is not the one compared here"
        if study.get(f"{role}_adapter_sha256") != model.get("adapter_sha256"):
            return f"the {words} it rated has another adapter than the one compared here"
    return None


def file_candidate(store_path: Path | None, candidate: Path) -> dict[str, Any]:
    """Register (and maybe promote) the candidate in the store from this process."""
    from letterdesk.core.models.registry import register_candidate
    from letterdesk.core.store.database import Store

    with Store(store_path) as store:
        outcome = register_candidate(store, candidate)
    log(
        {
            "event": "registered",
            "model_id": outcome.version.id,
            "promoted": outcome.promoted,
            "reason": outcome.reason,
        }
    )
    return {"model_id": outcome.version.id, "promoted": outcome.promoted, "reason": outcome.reason}


# --- small things and the command line ---------------------------------------------------------


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ToolchainError(f"{path} is missing") from None
    except ValueError as exc:
        raise ToolchainError(f"{path} is not valid JSON: {exc}") from None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def parse_args(argv: Sequence[str]) -> PromoteArgs:
    """Command-line flags for every field of :class:`PromoteArgs`."""
    parser = argparse.ArgumentParser(
        prog="python -m training promote", description=__doc__.split("\n")[0]
    )
    for f in dataclasses.fields(PromoteArgs):
        flag = f"--{f.name.replace('_', '-')}"
        if f.default is dataclasses.MISSING:
            parser.add_argument(flag, type=Path, required=True)
        elif isinstance(f.default, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=f.default)
        elif f.default is None:
            parser.add_argument(flag, type=Path, default=None)
        else:
            parser.add_argument(flag, type=type(f.default), default=f.default)
    args = PromoteArgs(**vars(parser.parse_args(argv)))
    if problems := args.problems():
        parser.error("; ".join(problems))
    return args


def cli(argv: Sequence[str]) -> int:
    """Entry point of `python -m training promote`: 0 whether promoted or not, 1 on failure."""
    from letterdesk.core.foundation.errors import LetterDeskError

    args = parse_args(argv)
    try:
        main(args)
    except (ToolchainError, LetterDeskError) as exc:
        hint = getattr(exc, "hint", None) or None
        log({"event": "error", "message": exc.message, "hint": hint})
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
