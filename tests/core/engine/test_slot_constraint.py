"""Constrained slot names: while a slot is open, only the case's field names can be written."""

from __future__ import annotations

import random

import numpy as np

from letterdesk.core.engine.constrained import SlotConstraint
from letterdesk.core.facts.slots import SLOT

NAMES = ("patient.birth_date", "patient.birth_date:long", "patient.family_name",
         "radiotherapy.0.total_dose_gy", "radiotherapy.0.fractions")  # fmt: skip
# a vocabulary as BPE cuts slot text: pieces of known and of unknown names, brackets, glue
VOCAB = [
    "", "[[", "[", "]]", "]", "]],", "]].", "]] ", " [[", "[[p", "patient", ".", "birth", "_date",
    ":long", ":", "long", "family", "_name", "nick", "name", "radiotherapy", "0", "1", "total",
    "_dose", "_gy", "fractions", "x", " ", "Frau ", "geb. ", "patient.nickname]]", "1.total",
    "ient.birth_date]]", "pat", "ient", "[[radiotherapy.1", "\n",
]  # fmt: skip
VOCAB += sorted(set("".join(NAMES)) - set(VOCAB))  # byte-level BPE has every single character


def decode(constraint: SlotConstraint, rng: random.Random, steps: int) -> str:
    ids: list[int] = []
    for _ in range(steps):
        scores = np.array([rng.gauss(0, 1) for _ in VOCAB], dtype=np.float32)
        scores[VOCAB.index("nick")] += 3  # the model wants the unknown field
        scores[VOCAB.index("patient.nickname]]")] += 3
        scores[VOCAB.index("[[radiotherapy.1")] += 3
        scores[0] = -np.inf
        scores = constraint(np.array(ids, dtype=np.intc), scores)
        assert np.isfinite(scores).any(), "the constraint must leave something to write"
        ids.append(int(np.argmax(scores)))
    return "".join(VOCAB[i] for i in ids)


def test_a_model_that_tries_to_write_an_unknown_field_cannot():
    rng = random.Random(0)
    slots_written = 0
    for _ in range(200):
        text = decode(SlotConstraint(VOCAB, NAMES), rng, 40)
        for m in SLOT.finditer(text):
            name = m.group(1) + (f":{m.group(2)}" if m.group(2) else "")
            assert name in NAMES, text
            slots_written += 1
        opened = text.rfind("[[")
        if opened >= 0 and "]]" not in text[opened:]:  # cut off mid-slot: a prefix of a name
            assert any(f"{n}]]".startswith(text[opened + 2 :]) for n in NAMES), text
        for at in [i for i in range(len(text)) if text.startswith("[[", i)]:
            after = text[at + 2 :]
            assert any(after.startswith(f"{n}]]") or f"{n}]]".startswith(after) for n in NAMES), (
                text
            )
    assert slots_written > 20  # the test wrote slots, not only plain text


def test_without_the_constraint_the_same_model_writes_the_unknown_field():
    rng = random.Random(0)

    class Free(SlotConstraint):
        def __call__(self, input_ids, scores):
            return scores

    texts = [decode(Free(VOCAB, NAMES), rng, 40) for _ in range(20)]
    assert any("nickname" in t or "radiotherapy.1" in t for t in texts)


def test_the_number_constraint_leaves_a_slots_list_position_alone():
    from letterdesk.core.engine.constrained import NumberConstraint

    vocab = ["[[", "radiotherapy", ".", "0", "7", " ", "]]"]
    numbers = NumberConstraint(vocab, {"15"})
    in_slot = numbers(np.array([0, 1, 2], dtype=np.intc), np.zeros(len(vocab), np.float32))
    assert np.isfinite(in_slot[3])  # "[[radiotherapy.0": the 0 is no number of the letter
    after = numbers(np.array([0, 1, 2, 3, 6, 5], dtype=np.intc), np.zeros(len(vocab), np.float32))
    assert not np.isfinite(after[4])  # outside the slot " 7" is a number the case lacks


def test_no_stray_closing_brackets_outside_a_slot():
    # measured on a fine-tuned demo model that lost its way: "CTCAE v5.1.uicc_stage]])" as
    # plain text; the physician would read the brackets
    vocab = ["x", "]]", "]", "]],", "1.uicc_stage]])", "[[", "patient", ".", "family_name",
             "]] ", ")"]  # fmt: skip

    def allowed(written: list[str]) -> set[str]:
        constraint = SlotConstraint(vocab, ["patient.family_name"])  # one per letter
        ids = np.array([vocab.index(t) for t in written], dtype=np.intc)
        scores = constraint(ids, np.zeros(len(vocab), dtype=np.float32))
        return {vocab[i] for i in range(len(vocab)) if np.isfinite(scores[i])}

    plain = allowed(["x"])
    assert not {"]]", "]],", "1.uicc_stage]])", "]] "} & plain
    assert {"x", "]", ")", "[["} <= plain  # one bracket is prose; a slot may open
    assert "]" not in allowed(["x", "]"])  # "]" then "]" is "]]" too
    closing = allowed(["x", "[[", "patient", ".", "family_name"])
    assert closing == {"]", "]]", "]],", "]] "}  # inside a slot the brackets close it
    after = allowed(["x", "[[", "patient", ".", "family_name", "]]"])
    assert "]" not in after and "]]" not in after and "x" in after
