"""The demo model's training data: each synthetic case's prompt exactly as the app renders it,
under the model's chat template with the house style as its default system message, and its
house-style-A letter (slotted or not); as token ids, and as endless batches for the loop."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from letterdesk.core.cases.case import Case
from letterdesk.core.facts.slotting import slot_letter
from letterdesk.core.generation.prompts import build_prompt
from letterdesk.core.models.trainer_events import Event
from letterdesk.core.synthetic.generator import reference_letter
from training.errors import ToolchainError
from training.progress import log

HOUSE_STYLE = Path(__file__).with_name("house_style.txt")
"""The demo model's default system message: the department's house style for letters (see
:func:`house_style_text`)."""


def house_style_text(fact_slots: bool = True) -> str:
    """The house-style system message: ``house_style.txt``, then how to state the case's
    values — as fact slots (``house_style_slots.txt``) or copied (``house_style_copy.txt``)."""
    rule = HOUSE_STYLE.with_name("house_style_slots.txt" if fact_slots else "house_style_copy.txt")
    return (
        HOUSE_STYLE.read_text(encoding="utf-8").rstrip()
        + "\n\n"
        + rule.read_text(encoding="utf-8").strip()
    )


def demo_chat_template(house_style: bool = True, fact_slots: bool = True) -> str:
    """The demo model's chat template: LLaMA-3 turns with the house style as system message
    (without it: the plain LLaMA-3 template)."""
    from training.tokenizer import CHAT_TEMPLATE, chat_template_with_system

    if not house_style:
        return CHAT_TEMPLATE
    return chat_template_with_system(house_style_text(fact_slots))


def letter_pair(case_data: dict, chat_template: str, fact_slots: bool) -> tuple[str, str]:
    """(prompt as the app sends it, reference letter) for one synthetic case; with
    ``fact_slots`` the letter refers to the case's facts by slot."""
    case = Case(case_data)
    letter = reference_letter(case_data, "A")
    if fact_slots:
        letter = slot_letter(case_data, letter).text
    return build_prompt(case, chat_template), letter


def encode_pairs(
    tokenizer, pairs: Sequence[tuple[str, str]], eot: int, max_len: int
) -> list[tuple[list[int], int]]:
    """Token ids of prompt + letter + end-of-turn, and where the letter starts (loss mask)."""
    examples, skipped = [], 0
    prompts = tokenizer([p for p, _ in pairs], add_special_tokens=False)["input_ids"]
    letters = tokenizer([lt for _, lt in pairs], add_special_tokens=False)["input_ids"]
    for prompt_ids, letter_ids in zip(prompts, letters, strict=True):
        ids = prompt_ids + letter_ids + [eot]
        if len(ids) > max_len:
            skipped += 1
            continue
        examples.append((ids, len(prompt_ids)))
    if skipped:
        log(Event.SKIPPED_LONG_PAIRS, count=skipped)
    if not examples:
        raise ToolchainError("every training pair is longer than max_seq_len")
    return examples


def batches(
    examples: list[tuple[list[int], int]], batch_size: int, pad_id: int, rng: random.Random
):
    """Endless batches of similar length (less padding): input ids, labels, attention mask."""
    import torch

    by_length = sorted(examples, key=lambda e: len(e[0]))
    groups = [by_length[i : i + batch_size] for i in range(0, len(by_length), batch_size)]
    while True:
        rng.shuffle(groups)
        for group in groups:
            width = max(len(ids) for ids, _ in group)
            inputs = torch.full((len(group), width), pad_id, dtype=torch.long)
            labels = torch.full((len(group), width), -100, dtype=torch.long)
            mask = torch.zeros((len(group), width), dtype=torch.long)
            for row, (ids, letter_start) in enumerate(group):
                inputs[row, : len(ids)] = torch.tensor(ids)
                labels[row, letter_start : len(ids)] = torch.tensor(ids[letter_start:])
                mask[row, : len(ids)] = 1
            yield inputs, labels, mask


def copy_batches(n_regular: int, batch_size: int, rng: random.Random):
    """Endless batches of random token runs shown twice, loss on the second run only.

    A model this small learns the letter template long before it learns to copy the
    case's names, dates and doses; these batches train the copying (induction) directly.
    """
    import torch

    while True:
        length = rng.randint(16, 160)
        inputs = torch.empty((batch_size, 2 * length), dtype=torch.long)
        labels = torch.full((batch_size, 2 * length), -100, dtype=torch.long)
        for row in range(batch_size):
            run = torch.tensor([rng.randrange(n_regular) for _ in range(length)])
            inputs[row] = torch.cat([run, run])
            labels[row, length:] = run
        yield inputs, labels, torch.ones_like(inputs)
