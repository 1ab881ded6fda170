"""A model that writes fact slots, end to end: a tiny model taught one slotted letter, run by the
real engine; the stored draft holds the case's values, never slot syntax or an unknown field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, TextDelta
from letterdesk.core.facts.slots import fill
from letterdesk.core.generation.draft import case_prompt, generate_letter, write_letter
from letterdesk.core.models.gguf_header import read_header
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import revisions
from tests.core.sample_cases import case as sample_case

# what the model is taught to write: two real slots and one the case has no field for
TAUGHT = (
    "Sehr geehrte Kollegen,\nwir berichten über [[patient.given_name]] [[patient.family_name]], "
    "geb. [[patient.birth_date]], Spitzname [[patient.nickname]]. Gesamtdosis "
    "[[radiotherapy.0.total_dose_gy]]."
)


@pytest.fixture(scope="module")
def slot_model(tiny_checkpoint, tmp_path_factory) -> Path:
    """The tiny checkpoint trained until it writes TAUGHT for the sample case, as a GGUF that
    says it writes fact slots."""
    import torch
    from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

    from training.convert import convert
    from training.tokenizer import EOT, mark_fact_slots

    work = tmp_path_factory.mktemp("slot-model")
    checkpoint = work / "checkpoint"
    shutil.copytree(tiny_checkpoint, checkpoint)
    mark_fact_slots(checkpoint)
    plain = work / "plain.gguf"
    convert(checkpoint, plain, outtype="f32")  # only to read the chat template the app uses
    with Engine(EngineSettings(model_path=plain, n_threads=1)) as engine:
        prompt = case_prompt(parse_case(json.dumps(sample_case())), engine.load())
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=str(checkpoint / "tokenizer.json"))
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    letter_ids = tokenizer(TAUGHT, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([prompt_ids + letter_ids + [tokenizer.convert_tokens_to_ids(EOT)]])
    labels = ids.clone()
    labels[0, : len(prompt_ids)] = -100
    torch.manual_seed(0)
    model = LlamaForCausalLM.from_pretrained(checkpoint, dtype=torch.float32)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(80):
        loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(checkpoint, safe_serialization=True)
    out = work / "slots.gguf"
    convert(checkpoint, out, outtype="f32")
    return out


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "letters.sqlite3") as opened:
        opened.import_cases([parse_case(json.dumps(sample_case()))])
        yield opened


def test_the_converter_marks_a_slot_model_and_a_plain_model_stays_unmarked(slot_model, tiny_gguf):
    assert read_header(slot_model).fact_slots
    assert not read_header(tiny_gguf).fact_slots


def test_unconstrained_the_taught_model_writes_the_unknown_field(slot_model):
    with Engine(EngineSettings(model_path=slot_model, n_threads=1)) as engine:
        info = engine.load()
        prompt = case_prompt(parse_case(json.dumps(sample_case())), info)
        chunks = engine.stream(prompt, DecodingOptions(max_tokens=120))
        raw = "".join(c.text for c in chunks if isinstance(c, TextDelta))
    assert "[[patient.nickname]]" in raw  # what the constraint has to stop
    assert "[[patient.birth_date]]" in raw


def test_the_draft_shows_the_case_values_and_no_slot_the_case_cannot_fill(slot_model, store):
    case = sample_case()
    seen: list = []
    with Engine(EngineSettings(model_path=slot_model, n_threads=1)) as engine:
        result = generate_letter(
            store, case["case_id"], engine, options=DecodingOptions(max_tokens=120),
            on_chunk=seen.append,
        )  # fmt: skip
    streamed = "".join(c.text for c in seen if isinstance(c, TextDelta))
    assert streamed == result.text
    assert "[[" not in streamed and "]]" not in streamed  # the reader never sees a slot
    patient = case["patient"]
    assert f"{patient['given_name']} {patient['family_name']}" in result.text
    birth = patient["birth_date"]
    assert f"geb. {birth[8:]}.{birth[5:7]}.{birth[:4]}" in result.text
    assert "nickname" not in result.text and "Spitzname [" not in result.text
    (revision,) = revisions(store, result.letter.id)
    assert revision.text == result.text and revision.slotted == result.slotted
    assert "[[patient.birth_date]]" in revision.slotted
    assert "[[patient.nickname]]" not in revision.slotted
    assert fill(revision.slotted, case).text == revision.text


def test_an_evaluation_letter_is_the_letter_the_app_would_store(slot_model, store):
    case = sample_case()
    with Engine(EngineSettings(model_path=slot_model, n_threads=1)) as engine:
        stored = generate_letter(
            store, case["case_id"], engine, options=DecodingOptions(max_tokens=120)
        )
        written = write_letter(
            engine, parse_case(json.dumps(case)), DecodingOptions(max_tokens=120)
        )
    assert (written.text, written.slotted) == (stored.text, stored.slotted)
    assert written.prompt == stored.prompt


def test_a_case_changed_after_the_draft_refills_nothing(slot_model, store):
    case = sample_case()
    with Engine(EngineSettings(model_path=slot_model, n_threads=1)) as engine:
        result = generate_letter(
            store, case["case_id"], engine, options=DecodingOptions(max_tokens=120)
        )
    changed = sample_case()
    changed["patient"]["birth_date"] = "1950-01-02"
    store.import_cases([parse_case(json.dumps(changed))])
    (revision,) = revisions(store, result.letter.id)
    assert revision.text == result.text  # the values the physician was shown, unchanged
    assert "02.01.1950" not in revision.text


def test_letterdesk_generate_slots_prints_what_the_model_wrote(slot_model, tmp_path):
    import subprocess
    import sys

    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(sample_case(), ensure_ascii=False), encoding="utf-8")

    def generate(*extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "letterdesk", "generate", str(case_file), "--model",
             str(slot_model), "--max-tokens", "120", *extra],
            capture_output=True, text=True, timeout=120, encoding="utf-8",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    birth = sample_case()["patient"]["birth_date"]
    shown = f"{birth[8:]}.{birth[5:7]}.{birth[:4]}"
    raw, filled = generate("--slots"), generate()
    assert "[[patient.birth_date]]" in raw and shown not in raw
    assert shown in filled and "[[" not in filled
