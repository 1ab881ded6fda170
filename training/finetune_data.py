"""The data of a fine-tuning: the dataset's pairs as token ids, prompts rendered exactly as the
app renders them, invented names and dates in the placeholders; and the micro-batches of the
loop, each epoch in a fresh seeded order, collated with the prompt masked out of the loss."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from letterdesk.core.cases.case import Case
from letterdesk.core.generation.prompts import build_prompt
from letterdesk.core.models.trainer_events import Event
from training.dataset import Dataset
from training.errors import ToolchainError
from training.files import read_json
from training.finetune_args import MAX_REPEAT, FinetuneArgs
from training.progress import log
from training.pseudonymise import fill_surrogates
from training.tokenizer import writes_fact_slots

Example = tuple[list[int], int]
"""Token ids of prompt + letter + end of turn, and where the letter starts."""


def base_chat_template(base: Path) -> str | None:
    """The base checkpoint's chat template (None: the app's fallback, as the app would use)."""
    config = read_json(base / "tokenizer_config.json")
    template = config.get("chat_template")
    if isinstance(template, list):
        template = next((t["template"] for t in template if t.get("name") == "default"), None)
    jinja_file = base / "chat_template.jinja"
    if template is None and jinja_file.exists():
        template = jinja_file.read_text(encoding="utf-8")
    return template


def pair_texts(
    pair: dict[str, Any], template: str | None, bos: str, seed: str, slots: bool = False
) -> tuple[str, str]:
    """(prompt, letter) with surrogates in the placeholders, the prompt rendered as the app does;
    with ``slots`` (a base model that writes fact slots) the letter is the slotted one."""
    target = pair["slotted"] if slots and "slotted" in pair else pair["letter"]
    case, (letter,) = fill_surrogates(pair["case"], [target], random.Random(seed))
    return build_prompt(Case(case), template, bos_token=bos), letter


def encode_dataset(
    dataset: Dataset, tokenizer, args: FinetuneArgs
) -> tuple[list[Example], list[Example], dict[str, dict[str, int]]]:
    """Token ids of the training examples (with letter types balanced, the rarer types' pairs
    repeated) and of the validation pairs, and per letter type its training pairs and their
    repeat; too long pairs are skipped and reported. The held-out pairs of the evaluation split
    are not touched: they decide the promotion."""
    from training.tokenizer import EOT

    template = base_chat_template(args.base)
    slots = writes_fact_slots(args.base)
    bos = tokenizer.bos_token or "<|begin_of_text|>"
    end = tokenizer.convert_tokens_to_ids(EOT)
    if end is None or end == tokenizer.unk_token_id:
        end = tokenizer.eos_token_id
    encoded, types, skipped = {}, {}, {}
    for split, pairs in (("train", dataset.train), ("heldout", dataset.validation)):
        texts = [
            pair_texts(p, template, bos, f"{args.seed}:{split}:{i}", slots)
            for i, p in enumerate(pairs)
        ]
        prompts = tokenizer([p for p, _ in texts], add_special_tokens=False)["input_ids"]
        letters = tokenizer([lt for _, lt in texts], add_special_tokens=False)["input_ids"]
        examples = [(p + lt + [end], len(p)) for p, lt in zip(prompts, letters, strict=True)]
        fits = [len(e[0]) <= args.max_seq_len for e in examples]
        encoded[split] = [e for e, ok in zip(examples, fits, strict=True) if ok]
        types[split] = [group(p, args) for p, ok in zip(pairs, fits, strict=True) if ok]
        skipped[split] = len(examples) - len(encoded[split])
    if any(skipped.values()):
        log(Event.SKIPPED_LONG_PAIRS, max_seq_len=args.max_seq_len, **skipped)
    train, heldout = encoded["train"], encoded["heldout"]
    if len(train) < args.min_train_pairs:
        raise ToolchainError(
            f"only {len(train)} training pairs ({skipped['train']} more were longer than "
            f"{args.max_seq_len} tokens and skipped); at least {args.min_train_pairs} are needed",
            hint="sign off more letters, or raise --max-seq-len if many were skipped",
        )
    if not heldout:
        raise ToolchainError(
            "no held-out pairs to validate on "
            f"({skipped['heldout']} were longer than {args.max_seq_len} tokens)",
            hint="the dataset needs signed letters of at least two patients",
        )
    balance = letter_type_balance(types["train"], args.balance_letter_types)
    train = [
        e for e, t in zip(train, types["train"], strict=True) for _ in range(balance[t]["repeat"])
    ]
    return train, heldout, balance


SEVERAL = ", several diagnoses"


def group(pair: dict[str, Any], args: FinetuneArgs) -> str:
    """The group a pair is balanced in: its letter type, and (with ``balance_case_shapes``)
    whether its case has several diagnoses."""
    several = args.balance_case_shapes and len(pair["case"].get("diagnoses") or ()) > 1
    return pair["letter_type"] + (SEVERAL if several else "")


def letter_type_balance(letter_types: list[str], balance: bool) -> dict[str, dict[str, int]]:
    """Per letter type its pairs and how often to repeat them, so that (with ``balance``) every
    type is seen about as often as the commonest one, at most MAX_REPEAT times."""
    counts = Counter(letter_types)
    types = Counter(kind.removesuffix(SEVERAL) for kind in letter_types)
    most = max(types.values(), default=0)
    plans = {}
    for kind, n in sorted(counts.items()):
        letter_type = kind.removesuffix(SEVERAL)
        repeat = min(MAX_REPEAT, round(most / types[letter_type])) if balance else 1
        if kind != letter_type:  # a rare case shape: as often as the type's other pairs
            usual = types[letter_type] - n
            repeat = min(2 * MAX_REPEAT, repeat * min(MAX_REPEAT, max(1, round(usual / n))))
        plans[kind] = {"pairs": n, "repeat": repeat}
    return plans


def micro_batches(
    examples: list[Example], args: FinetuneArgs, start: int
) -> Iterator[list[Example]]:
    """Micro-batches from number ``start`` on: each epoch a fresh seeded shuffle, so a resumed
    run sees exactly the batches the interrupted one would have seen."""
    per_epoch = math.ceil(len(examples) / args.micro_batch_size)
    index = start
    while True:
        epoch, position = divmod(index, per_epoch)
        order = list(range(len(examples)))
        random.Random(f"{args.seed}:epoch:{epoch}").shuffle(order)
        chosen = order[position * args.micro_batch_size : (position + 1) * args.micro_batch_size]
        yield [examples[i] for i in chosen]
        index += 1


def collate(batch: list[Example], pad_id: int, device: str):
    """Input ids, labels (-100 on the prompt and padding) and attention mask."""
    import torch

    width = max(len(ids) for ids, _ in batch)
    inputs = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, letter_start) in enumerate(batch):
        inputs[row, : len(ids)] = torch.tensor(ids)
        labels[row, letter_start : len(ids)] = torch.tensor(ids[letter_start:])
        mask[row, : len(ids)] = 1
    return inputs.to(device), labels.to(device), mask.to(device)
