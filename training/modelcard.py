"""The demo model's manifest (JSON, read by the app and the tests) and model card (Markdown)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.files import write_text_atomically
from training.errors import ToolchainError
from training.files import staged_file

MODEL_FILE = "letterdesk-demo.gguf"
MANIFEST_FILE = "letterdesk-demo.json"
CARD_FILE = "MODEL_CARD.md"
DISCLAIMER = "Synthetic demo — not for clinical use."


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def combination(case: dict) -> tuple[str, str, str]:
    """(family name, first ICD-10 code, first schedule) of a case: what "unseen" is judged on."""
    course = (case.get("radiotherapy") or [{}])[0]
    schedule = f"{course.get('fractions')}x{course.get('dose_per_fraction_gy')}"
    return case["patient"]["family_name"], case["diagnoses"][0]["icd10"], schedule


def unseen_combinations(train_cases: list[dict], heldout: list[dict]) -> int:
    """Held-out cases whose (family name, ICD-10 code, schedule) never occurs in training."""
    seen = {combination(c) for c in train_cases}
    return sum(1 for c in heldout if combination(c) not in seen)


def write_model_card(
    *,
    args: dict[str, Any],
    trained: dict[str, Any],
    gguf_path: Path,
    out_dir: Path,
    config: dict[str, Any],
    n_params: int,
    quality: dict[str, Any],
    curve: list[dict[str, Any]],
    fallbacks: list[str],
    train_cases: list[dict],
    heldout: list[dict],
    independent: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Install the model file in ``out_dir`` with its manifest and card; return the manifest.

    ``quality`` is measured on held-out generator cases, ``independent`` on the independently
    written cases of :mod:`training.independent_cases`.

    ``trained`` is what the run did (``minutes``, ``steps``, ``tokens_per_s``); the budget it
    was given (``--minutes`` or ``--max-steps``) is recorded beside it as ``budget``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / MODEL_FILE
    with staged_file(target) as staging:
        shutil.copyfile(gguf_path, staging)
    manifest = {
        "name": "letterdesk-demo",
        "file": MODEL_FILE,
        "sha256": sha256_of(target),
        "size_bytes": target.stat().st_size,
        "disclaimer": DISCLAIMER,
        "created": datetime.now(UTC).date().isoformat(),
        "architecture": "llama",
        "parameters": n_params,
        "layers": config["num_hidden_layers"],
        "hidden_size": config["hidden_size"],
        "heads": config["num_attention_heads"],
        "kv_heads": config["num_key_value_heads"],
        "context_length": config["max_position_embeddings"],
        "quantization": args["quantization"],
        "quantization_fallbacks": fallbacks,
        "tokenizer": {
            "type": "byte-level BPE",
            "pre_tokenizer": "llama-bpe",
            "vocab_size": config["vocab_size"],
            "chat_template": (
                "LLaMA-3, with the house style as default system message"
                if args.get("house_style", True)
                else "LLaMA-3"
            ),
        },
        "training_data": {
            "description": "Synthetic radiation-oncology cases and house-style-A reference "
            "letters from letterdesk.core.synthetic.generator (German and English; final "
            "reports, initial consultations, follow-ups). No real patient data.",
            "train_cases": len(train_cases),
            "seed": args["seed"],
        },
        "training": {
            **trained,
            "budget": (
                f"{args['max_steps']} steps"
                if args["max_steps"]
                else f"{args['minutes']:g} minutes"
            ),
            **{k: args[k] for k in ("batch_size", "learning_rate", "max_seq_len", "vocab_size")},
            "continued_from": (
                (args["init_note"] or str(args["init_from"])) if args.get("init_from") else None
            ),
        },
        "quality": {
            **quality,
            "decoding": "greedy",
            "heldout_unseen_name_site_schedule": unseen_combinations(train_cases, heldout),
        },
        "quality_independent": independent,
        "fact_slots": bool(args.get("fact_slots", False)),
        "quality_curve": curve,
    }
    write_text_atomically(
        out_dir / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False), mode=0o644
    )
    write_text_atomically(out_dir / CARD_FILE, render_card(manifest), mode=0o644)
    return manifest


def requalify(
    out_dir: Path, quality: dict[str, Any], independent: dict[str, Any]
) -> dict[str, Any]:
    """Rewrite the quality figures of the installed model's manifest and card with a new
    measurement of the same model (same file, same cases); return the manifest. The curve
    stays as training measured it."""
    path = out_dir / MANIFEST_FILE
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if sha256_of(out_dir / manifest["file"]) != manifest["sha256"]:
        raise ToolchainError(
            f"{out_dir / manifest['file']} is not the model {path.name} describes (SHA-256)",
            hint="measure the model its training installed, or run `make demo-model` again",
        )
    manifest["quality"] = {**manifest["quality"], **quality}
    manifest["quality_independent"] = independent
    manifest["remeasured"] = datetime.now(UTC).date().isoformat()
    write_text_atomically(path, json.dumps(manifest, indent=2, ensure_ascii=False), mode=0o644)
    write_text_atomically(out_dir / CARD_FILE, render_card(manifest), mode=0o644)
    return manifest


def render_card(m: dict[str, Any]) -> str:
    """The model card in Markdown."""
    q, t = m["quality"], m["training"]
    rows = "\n".join(
        f"| {p['minutes']} | {p.get('step', '')} | {p['cases']} | {p['key_fact_recall']:.1%} | "
        f"{p['unsupported_rate']:.2%} |"
        for p in m["quality_curve"]
    )
    return f"""# LetterDesk demo model

**{m["disclaimer"]}** It exists so that LetterDesk does its main job out of the box and
every test runs on a real model. {_origin(t)}

| | |
|---|---|
| file | `{m["file"]}` ({m["size_bytes"] / 1e6:.1f} MB) |
| sha256 | `{m["sha256"]}` |
| architecture | LLaMA ({m["layers"]} layers, width {m["hidden_size"]}, {m["heads"]} heads, \
{m["kv_heads"]} KV heads), {m["parameters"] / 1e6:.2f} M parameters |
| quantization | {m["quantization"]} |
| tokenizer | {m["tokenizer"]["type"]}, {m["tokenizer"]["vocab_size"]} tokens, \
LLaMA-3 pre-tokenizer, special tokens and chat template |
| training data | {m["training_data"]["train_cases"]} synthetic cases with house-style-A letters\
{", slotted" if m.get("fact_slots") else ""} |
| chat template | {_template_row(m["tokenizer"]["chat_template"])} |
| training time | {t["minutes"]} min, {t["steps"]} steps on 2 CPU cores (budget: {t["budget"]})\
{" after the earlier training named above" if t.get("continued_from") else ""} |

## Measured quality

{_slots_line(m)}Greedy letters drafted as the app drafts them, on {q["cases"]} held-out
generator cases ({q["heldout_unseen_name_site_schedule"]} of them combine a family name, tumour
site and schedule the training set never showed together) and on cases written independently
of the generator (`training/independent_cases.py`: other wording, mixed-language fields, odd
schedules, boosts, Unicode names). Key facts: patient name, birth date, ICD-10 codes, total dose,
dose per fraction, fractions, radiotherapy start and end, follow-up dates, found verbatim and
whole.

{_quality_table(q, m.get("quality_independent"))}

{_remeasured_line(m)}How quality grew {_grew(t)}:

| minutes | steps | cases | key-fact recall | unsupported doses/dates |
|---|---|---|---|---|
{rows}
{verdict(q, m["quality_curve"], t["budget"])}{_independent_verdict(m.get("quality_independent"))}"""


def _quality_table(q: dict[str, Any], independent: dict[str, Any] | None) -> str:
    sets = [("held-out generator cases", q)] + (
        [("independent cases", independent)] if independent else []
    )
    head = "| | " + " | ".join(f"{name} ({s['cases']})" for name, s in sets) + " | goal |"
    rows = [
        ("key-fact recall", "key_fact_recall", "≥ 97 %", 1),
        ("doses/dates not in the case", "not_in_case_rate", "≤ 0.5 %", 2),
        ("doses/dates in the wrong role", "wrong_role_rate", "≤ 1 %", 2),
    ]
    lines = [head, "|---|" + "---|" * len(sets) + "---|"]
    for label, key, goal, digits in rows:
        cells = " | ".join(f"**{s.get(key, 0.0):.{digits}%}**" for _, s in sets)
        lines.append(f"| {label} | {cells} | {goal} |")
    return "\n".join(lines)


def _slots_line(m: dict[str, Any]) -> str:
    if not m.get("fact_slots"):
        return ""
    return (
        "The model writes fact slots (`[[radiotherapy.0.total_dose_gy]]`, `docs/fact-slots.md`): "
        "the app fills each with the case's value, and a slot can only name a field of the case "
        "format for a list item the case has (an empty field shows as a visible gap). What "
        "remains to measure is whether it names the right field, every one it should, and "
        "whether it writes any value as plain text instead.\n\n"
    )


def _grew(training: dict[str, Any]) -> str:
    return "in this continued run" if training.get("continued_from") else "with training time"


def _remeasured_line(m: dict[str, Any]) -> str:
    if not m.get("remeasured"):
        return ""
    return (
        f"Measured again on {m['remeasured']} with the app's decoding of that day (see "
        "`docs/fact-slots.md`; `python -m training demo-model --remeasure`, the same model "
        "file and cases); the "
        "curve below is as the training run measured it, its last row included.\n\n"
    )


def _independent_verdict(independent: dict[str, Any] | None) -> str:
    if not independent:
        return ""
    if _meets_goal(independent):
        return "It is met on the independent cases too.\n"
    return (
        "\n**On the independent cases the goal is not met**: their structure (more diagnoses and "
        "courses, fields the generator always fills left empty) is one the model never saw; "
        "it then omits list items, pairs an item's date with another's, or repeats itself.\n"
    )


def _meets_goal(quality: dict[str, Any]) -> bool:
    return (
        quality["key_fact_recall"] >= 0.97
        and quality.get("not_in_case_rate", quality["unsupported_rate"]) <= 0.005
        and quality.get("wrong_role_rate", 0.0) <= 0.01
    )


def _template_row(chat_template: str) -> str:
    if "house style" not in chat_template:
        return "LLaMA-3 turns"
    return (
        "LLaMA-3 turns; every conversation without a system message of its own opens with the "
        "house-style instructions (`training/house_style*.txt`)"
    )


def _origin(training: dict[str, Any]) -> str:
    if training.get("continued_from"):
        return (
            "It was trained by `python -m training demo-model` on synthetic data only, "
            f"continuing {training['continued_from']}."
        )
    return "It was trained from scratch by `python -m training demo-model` on synthetic data only."


def verdict(quality: dict[str, Any], curve: list[dict[str, Any]], budget: str = "") -> str:
    """Whether the goal is met; if not, what the curve says about why."""
    if _meets_goal(quality):
        return "\nThe quality goal is met on the held-out generator cases.\n"
    by_steps = budget.endswith("steps")
    rising = len(curve) > 1 and curve[-1]["key_fact_recall"] > curve[-2]["key_fact_recall"]
    trend = (
        f"Quality was still rising when the {'step' if by_steps else 'time'} budget ended: "
        "the curve above has not flattened. "
        if rising
        else ""
    )
    return (
        f"\n**The quality goal is not met.** {trend}The same command with a larger "
        f"`{'--max-steps' if by_steps else '--minutes'}`, or on a GPU, trains further; the "
        "letters' structure and wording are learned first, exact copying of names, dates and "
        "doses last.\n"
    )
