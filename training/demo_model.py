"""python -m training demo-model: the bundled demo model, trained on synthetic letters.

The story, top to bottom: arguments → synthetic cases and their house-style-A letters →
a byte-level BPE tokenizer → a small LlamaForCausalLM → ``fit()`` on (prompt → letter)
with the loss on the letter only → Hugging Face checkpoint → GGUF → quantized GGUF →
``evaluate`` on held-out cases with llama.cpp, greedy → model card and manifest.

The prompt is the case rendered exactly as the app renders it for generation
(``letterdesk.core.generation.prompts.build_prompt`` with the model's own chat template; the
data is :mod:`training.demo_data`). That template opens every conversation with the
house-style instructions in ``house_style.txt`` as its default system message, so all prompts
share a long first part the engine keeps cached.
``--init-from CHECKPOINT`` continues an earlier run's checkpoint instead of starting afresh.
Everything is synthetic; the result is a demo, not for clinical use.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from letterdesk.core.cases.case import Case
from letterdesk.core.foundation.files import write_text_atomically
from letterdesk.core.foundation.paths import resource
from letterdesk.core.models.trainer_events import Event
from letterdesk.core.synthetic.generator import generate_case
from training.demo_data import (
    batches,
    copy_batches,
    demo_chat_template,
    encode_pairs,
    letter_pair,
)
from training.independent_cases import independent_cases
from training.progress import log

MODEL_NAME = "LetterDesk demo (synthetic)"
"""The name in the GGUF, which the app's status bar shows."""
HELDOUT_SEED = 7_000_003  # held-out cases come from a seed the training set never uses


@dataclass(frozen=True)
class DemoModelArgs:
    """What `python -m training demo-model` builds; every field has a sensible default."""

    out_dir: Path = field(default_factory=lambda: resource("models"))
    """Where the quantized GGUF, the model card and the manifest are written."""
    work_dir: Path = Path("build/demo-model")
    """Scratch space: tokenizer, checkpoints, F16 GGUF, evaluation letters."""
    train_cases: int = 12000
    """Synthetic training cases (each with its house-style-A reference letter)."""
    heldout_cases: int = 200
    """Held-out cases the quality goal is measured on."""
    seed: int = 0
    """Seed of the training cases and of the weight initialisation."""
    vocab_size: int = 2048
    """Tokenizer size, LLaMA-3 special tokens included."""
    hidden_size: int = 256
    """Width of the model."""
    n_layers: int = 4
    """Transformer blocks."""
    n_heads: int = 8
    """Attention heads."""
    n_kv_heads: int = 4
    """Key/value heads (grouped-query attention, as in LLaMA-3)."""
    intermediate_size: int = 768
    """Width of the SwiGLU feed-forward layer."""
    max_seq_len: int = 1536
    """Longest training sequence (prompt + letter) in tokens; longer pairs are skipped. The
    model's context is twice this."""
    batch_size: int = 8
    """Sequences per optimizer step."""
    learning_rate: float = 3e-3
    """Peak learning rate; cosine decay to a tenth after warm-up."""
    warmup_steps: int = 100
    """Linear warm-up steps."""
    minutes: float = 65.0
    """Training time budget; the cosine schedule runs over it (so steps depend on the machine:
    a first run of the committed model's recipe made 2,760 steps in 65 minutes on 2 CPU cores)."""
    max_steps: int = 0
    """Train for this many optimizer steps instead of the time budget (0: use ``minutes``).
    The schedule then runs over steps and checkpoints come every fifth of them, so the run is
    the same on any machine (``make demo-model`` runs the committed model's two runs so)."""
    checkpoint_minutes: float = 13.0
    """Save a checkpoint this often, to measure how quality grows with training time."""
    quantization: str = "Q8_0"
    """Type of the committed GGUF."""
    curve_cases: int = 50
    """Held-out cases used for each point of the quality-over-time curve."""
    house_style: bool = True
    """Open every prompt with the house-style system message (``--no-house-style``: the plain
    LLaMA-3 template, as the first of the committed model's two runs was trained)."""
    init_from: Path | None = None
    """Continue training this Hugging Face checkpoint (weights and tokenizer) of an earlier
    run instead of starting from scratch; the model's shape arguments are then ignored."""
    init_note: str = ""
    """With ``init_from``: where that checkpoint came from, for the model card."""
    fact_slots: bool = True
    """Train on slotted letters (``[[patient.birth_date]]`` where the letter states a case fact,
    :mod:`letterdesk.core.facts.slots`): the model refers to the case's facts and the app writes
    them
    in. ``--no-fact-slots``: the case's values as text, as models before it were trained."""
    remeasure: bool = False
    """Train nothing: measure the installed model in ``out_dir`` again, as the app now drafts
    (its decoding changes without the weights: constraints, slot filling), and rewrite the
    quality figures of its manifest and card. The letters land in ``work_dir``."""
    copy_task_every: int = 0
    """Every n-th step trains on repeated random tokens (0: never); see
    :func:`training.demo_data.copy_batches`.
    Measured: with it every 4th step, key-fact recall was 16% after 48 minutes; without it
    27% after 20 minutes; so it is off by default."""

    def problems(self) -> list[str]:
        """Every problem with the arguments, reported at once."""
        found = []
        if self.train_cases < 10:
            found.append("train_cases must be at least 10")
        if self.hidden_size % self.n_heads:
            found.append("hidden_size must be divisible by n_heads")
        if self.n_heads % self.n_kv_heads:
            found.append("n_heads must be divisible by n_kv_heads")
        if self.minutes <= 0:
            found.append("minutes must be positive")
        if self.max_steps < 0:
            found.append("max_steps must be 0 (use minutes) or positive")
        if self.init_from is not None and not (self.init_from / "config.json").is_file():
            found.append(f"init_from {self.init_from} is no Hugging Face checkpoint")
        return found


def make_splits(args: DemoModelArgs) -> tuple[list[dict], list[dict]]:
    """Training and held-out synthetic cases.

    The held-out cases come from a seed of their own, and no training case shares a held-out
    case's combination of family name, ICD-10 code and schedule: every held-out case combines
    name, site and schedule in a way the training set never showed.
    """
    from training.modelcard import combination

    heldout = [generate_case(HELDOUT_SEED, i) for i in range(args.heldout_cases)]
    reserved = {combination(c) for c in heldout}
    train: list[dict] = []
    index = 0
    while len(train) < args.train_cases:
        case = generate_case(args.seed, index)
        index += 1
        if combination(case) not in reserved:
            train.append(case)
    return train, heldout


def main(args: DemoModelArgs) -> dict:
    """Build the demo model end to end and return its manifest."""
    import torch
    from transformers import AutoTokenizer, LlamaForCausalLM

    from training.tokenizer import EOT, mark_fact_slots, train_tokenizer

    torch.manual_seed(args.seed)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    train_cases, heldout = make_splits(args)
    template = demo_chat_template(args.house_style, args.fact_slots)
    pairs = [letter_pair(c, template, args.fact_slots) for c in train_cases]
    log(Event.DATA, train_pairs=len(pairs), heldout=len(heldout))

    if args.init_from:
        tok_dir = reuse_tokenizer(args.init_from, template, args.work_dir / "hf")
    else:
        corpus = (prompt + letter for prompt, letter in pairs)
        tok_dir = train_tokenizer(
            corpus, args.vocab_size, args.work_dir / "hf", chat_template=template
        )
    mark_fact_slots(tok_dir, args.fact_slots)
    tokenizer = AutoTokenizer.from_pretrained(tok_dir)
    eot = tokenizer.convert_tokens_to_ids(EOT)
    examples = encode_pairs(tokenizer, pairs, eot, args.max_seq_len)

    if args.init_from:
        model = LlamaForCausalLM.from_pretrained(args.init_from, dtype=torch.float32)
        model.config.max_position_embeddings = max(
            model.config.max_position_embeddings, 2 * args.max_seq_len
        )
    else:
        model = LlamaForCausalLM(new_config(args, tokenizer, eot))
    config = model.config
    n_params = sum(p.numel() for p in model.parameters())
    log(Event.MODEL, parameters=n_params, examples=len(examples))

    checkpoints, tokens, seconds = fit(model, examples, args, tokenizer)
    curve = [
        measure_checkpoint(ckpt, minutes, step, heldout[: args.curve_cases], args)
        for minutes, step, ckpt in checkpoints[:-1]
    ]
    final_minutes, final_step, final_dir = checkpoints[-1]
    gguf_path, fallbacks = export(final_dir, args, "letterdesk-demo")
    quality = evaluate_gguf(gguf_path, heldout, args.work_dir / "heldout-letters.jsonl")
    independent = evaluate_gguf(
        gguf_path,
        independent_cases(args.heldout_cases),
        args.work_dir / "independent-letters.jsonl",
    )
    curve.append({"minutes": final_minutes, "step": final_step, **quality})
    trained = {
        "minutes": final_minutes,
        "steps": final_step,
        "tokens_per_s": round(tokens / seconds) if seconds > 0 else None,
    }
    manifest = write_card(
        args, trained, gguf_path, config, n_params, quality, curve, fallbacks, train_cases, heldout,
        independent,
    )  # fmt: skip
    log(Event.DONE, **quality)
    return manifest


def remeasure(args: DemoModelArgs) -> dict:
    """Measure the installed model's quality again on the same held-out and independent cases
    and rewrite its manifest and card (see ``DemoModelArgs.remeasure``)."""
    from training.modelcard import MODEL_FILE, requalify

    _, heldout = make_splits(args)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    model = args.out_dir / MODEL_FILE
    quality = evaluate_gguf(model, heldout, args.work_dir / "heldout-letters.jsonl")
    independent = evaluate_gguf(
        model, independent_cases(args.heldout_cases), args.work_dir / "independent-letters.jsonl"
    )
    manifest = requalify(args.out_dir, quality, independent)
    log(Event.REMEASURED, **quality)
    return manifest


def new_config(args: DemoModelArgs, tokenizer, eot: int):
    """The configuration of a model trained from scratch."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=args.hidden_size,
        intermediate_size=args.intermediate_size,
        num_hidden_layers=args.n_layers,
        num_attention_heads=args.n_heads,
        num_key_value_heads=args.n_kv_heads,
        max_position_embeddings=args.max_seq_len * 2,
        rope_theta=10000.0,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=eot,
        pad_token_id=tokenizer.pad_token_id,
    )


def reuse_tokenizer(checkpoint: Path, chat_template: str, out_dir: Path) -> Path:
    """The tokenizer of ``checkpoint`` in ``out_dir``, with ``chat_template`` as its template."""
    from training.tokenizer import read_json

    out_dir.mkdir(parents=True, exist_ok=True)
    settings = read_json(checkpoint / "tokenizer_config.json")  # a missing file: ToolchainError
    settings["chat_template"] = chat_template
    tokens = (checkpoint / "tokenizer.json").read_text(encoding="utf-8")
    write_text_atomically(out_dir / "tokenizer.json", tokens)
    write_text_atomically(
        out_dir / "tokenizer_config.json", json.dumps(settings, indent=2, ensure_ascii=False)
    )
    return out_dir


def learning_rate(args: DemoModelArgs, step: int, progress: float) -> float:
    """Linear warm-up, then cosine decay over the budget (time or steps) to a tenth of the peak."""
    if step < args.warmup_steps:
        return args.learning_rate * (step + 1) / args.warmup_steps
    cosine = 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
    return args.learning_rate * (0.1 + 0.9 * cosine)


def fit(
    model, examples, args: DemoModelArgs, tokenizer
) -> tuple[list[tuple[float, int, Path]], int, float]:
    """The training loop; returns (minutes trained, step, checkpoint dir) per checkpoint, the
    number of (unpadded) tokens trained on, and the seconds it took."""
    import torch

    optimizer = torch.optim.AdamW(
        model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=0.1
    )
    stream = batches(examples, args.batch_size, tokenizer.pad_token_id, random.Random(args.seed))
    n_regular = min(tokenizer.all_special_ids)  # special tokens come last in the vocabulary
    copies = copy_batches(n_regular, args.batch_size, random.Random(args.seed + 1))
    budget, started = args.minutes * 60, time.monotonic()
    by_steps = args.max_steps > 0
    every = max(1, args.max_steps // 5)  # checkpoints of a step-budgeted run
    next_checkpoint, checkpoints, step, tokens = args.checkpoint_minutes * 60, [], 0, 0
    model.train()
    while True:
        elapsed = time.monotonic() - started
        done = step >= args.max_steps if by_steps else elapsed >= budget
        due = (step > 0 and step % every == 0) if by_steps else elapsed >= next_checkpoint
        if due or done:
            minutes = round(elapsed / 60, 1)
            checkpoints.append((minutes, step, save_checkpoint(model, args, step)))
            next_checkpoint += args.checkpoint_minutes * 60
            if done:
                return checkpoints, tokens, elapsed
        progress = step / args.max_steps if by_steps else elapsed / budget
        copy_step = args.copy_task_every and step % args.copy_task_every == 0
        inputs, labels, mask = next(copies if copy_step else stream)
        lr = learning_rate(args, step, progress)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = model(input_ids=inputs, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step, tokens = step + 1, tokens + int(mask.sum())
        if step % 25 == 0:
            log(
                Event.PROGRESS,
                step=step,
                loss=round(loss.item(), 4),
                lr=lr,
                tokens_per_s=round(tokens / max(elapsed, 1e-6)),
                eta_s=round(
                    elapsed / step * (args.max_steps - step) if by_steps else budget - elapsed
                ),
            )


def save_checkpoint(model, args: DemoModelArgs, step: int) -> Path:
    """Write a Hugging Face checkpoint (safetensors + tokenizer) for this step."""
    out = args.work_dir / f"checkpoint-{step:06d}"
    model.save_pretrained(out, safe_serialization=True)
    tok_src = args.work_dir / "hf"
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (out / name).write_text((tok_src / name).read_text(encoding="utf-8"), encoding="utf-8")
    log(Event.CHECKPOINT, step=step, path=str(out))
    return out


def export(checkpoint: Path, args: DemoModelArgs, name: str) -> tuple[Path, list[str]]:
    """Checkpoint → F16 GGUF → quantized GGUF; returns the quantized file and its fallbacks."""
    from training.convert import convert
    from training.quantize import quantize

    f16 = args.work_dir / f"{name}-{checkpoint.name}.f16.gguf"
    convert(checkpoint, f16, outtype="f16", name=MODEL_NAME)
    out = args.work_dir / f"{name}-{checkpoint.name}.{args.quantization.lower()}.gguf"
    result = quantize(f16, out, args.quantization)
    return out, [str(f) for f in getattr(result, "fallbacks", [])]


def measure_checkpoint(
    checkpoint: Path, minutes: float, step: int, cases: list[dict], args: DemoModelArgs
) -> dict:
    """One point of the quality-over-training-time curve."""
    path, _ = export(checkpoint, args, "curve")
    quality = evaluate_gguf(path, cases, None)
    log(Event.CURVE, minutes=minutes, step=step, **quality)
    return {"minutes": minutes, "step": step, **quality}


def evaluate_gguf(path: Path, cases: list[dict], letters_out: Path | None) -> dict:
    """Greedy letters for held-out cases with llama.cpp; key-fact recall and unsupported rate."""
    from training.evaluate import evaluate_model

    return evaluate_model(path, [Case(c) for c in cases], letters_out).summary()


def write_card(
    args: DemoModelArgs,
    trained: dict,
    gguf_path: Path,
    config,
    n_params: int,
    quality: dict,
    curve: list[dict],
    fallbacks: list[str],
    train_cases: list[dict],
    heldout: list[dict],
    independent: dict,
) -> dict:
    """Copy the model into ``out_dir`` with its manifest (JSON) and model card (Markdown);
    ``independent`` is the quality on the independently written cases."""
    from training.modelcard import write_model_card

    return write_model_card(
        args=dataclasses.asdict(args),
        trained=trained,
        gguf_path=gguf_path,
        out_dir=args.out_dir,
        config=config.to_dict(),
        n_params=n_params,
        quality=quality,
        curve=curve,
        fallbacks=fallbacks,
        train_cases=train_cases,
        heldout=heldout,
        independent=independent,
    )


def parse_args(argv: Sequence[str]) -> DemoModelArgs:
    """Command-line flags for every field of :class:`DemoModelArgs`."""
    parser = argparse.ArgumentParser(
        prog="python -m training demo-model", description=__doc__.split("\n")[0]
    )
    defaults = DemoModelArgs()
    for f in dataclasses.fields(DemoModelArgs):
        value = getattr(defaults, f.name)
        flag = f"--{f.name.replace('_', '-')}"
        if isinstance(value, bool):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=value)
            continue
        kind = Path if isinstance(value, Path) or "Path" in str(f.type) else type(value)
        parser.add_argument(flag, type=kind, default=value)
    args = DemoModelArgs(**vars(parser.parse_args(argv)))
    if problems := args.problems():
        parser.error("; ".join(problems))
    return args


def cli(argv: Sequence[str]) -> int:
    """Entry point of `python -m training demo-model`."""
    args = parse_args(argv)
    if args.remeasure:
        remeasure(args)
    else:
        main(args)
    return 0


if __name__ == "__main__":
    sys.exit(cli(sys.argv[1:]))
