"""The engine and the generation job with a real worker process and a real tiny GGUF model."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import (
    ContextOverflow,
    DecodingOptions,
    EngineSettings,
    Finished,
    Progress,
    TextDelta,
    WorkerStopped,
)
from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.generation.draft import MIN_LETTER_TOKENS, case_prompt, generate_letter
from letterdesk.core.generation.prompts import case_numbers
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import letters_for_case, revisions
from tests.core.sample_cases import case

LONG = DecodingOptions(max_tokens=1400, ignore_eos=True)  # ~0.5 s of tokens on the tiny model


def case_document(case_id: str = "SYN-TEST-0001") -> dict:
    return case(case_id=case_id)


def settings_for(model: Path, **changes) -> EngineSettings:
    # one thread: the test machine is shared, and two threads wait on each other when it is busy
    return EngineSettings(model_path=model, n_threads=1, **changes)


def collect(chunks) -> tuple[str, list, Finished]:
    deltas = [c for c in chunks if isinstance(c, (TextDelta, Finished))]
    text = "".join(c.text for c in deltas if isinstance(c, TextDelta))
    return text, [c for c in deltas if isinstance(c, TextDelta)], deltas[-1]


@pytest.fixture(scope="module")
def loaded(tiny_gguf):
    engine = Engine(settings_for(tiny_gguf))
    steps: list = []
    info = engine.load(steps.append)
    yield engine, info, steps
    engine.close()


@pytest.fixture()
def engine(loaded) -> Engine:
    return loaded[0]


@pytest.fixture()
def prompt(loaded) -> str:
    return case_prompt(parse_case(json.dumps(case_document())), loaded[1])


@pytest.fixture()
def store(tmp_path):
    with Store(tmp_path / "letters.sqlite3") as opened:
        opened.import_cases([parse_case(json.dumps(case_document()))])
        yield opened


def test_loading_reports_each_step_and_runs_on_the_cpu_here(loaded, tiny_gguf):
    engine, info, steps = loaded
    assert [s.stage for s in steps if isinstance(s, Progress)] == ["checking", "loading", "ready"]
    assert info.device == "CPU" and info.n_gpu_layers == 0  # auto → 0 on a CPU-only build
    assert info.n_ctx == 2048 and info.context_length == 2048  # from llama.context_length
    assert info.architecture == "llama" and info.quantization == "F32"
    assert info.chat_template and "<|start_header_id|>" in info.chat_template
    assert info.bos_token == "<|begin_of_text|>"
    assert engine.worker_pid not in (None, os.getpid())


def test_on_the_cpu_the_model_file_is_read_in_not_mapped(loaded, tiny_gguf):
    # a mapped file stays resident beside llama.cpp's own copy of the weights: an 8B-shaped
    # Q4_K_M model held 7.5 GB mapped and 4.3 GB read in (2026-12-05, docs/letter-times.md)
    engine, _, _ = loaded
    maps = Path(f"/proc/{engine.worker_pid}/maps").read_text(encoding="utf-8")
    assert "libllama" in maps  # the worker's mappings are what was read
    assert str(Path(tiny_gguf).resolve()) not in maps


def test_the_context_is_capped_by_the_settings(tiny_gguf):
    with Engine(settings_for(tiny_gguf, max_context=512)) as capped:
        assert capped.load().n_ctx == 512


def test_a_letter_streams_as_it_is_written_a_few_tokens_per_chunk(engine, prompt):
    started = time.perf_counter()
    arrived: list[float] = []
    chunks = []
    for chunk in engine.stream(prompt, LONG):
        arrived.append(time.perf_counter() - started)
        chunks.append(chunk)
    total = time.perf_counter() - started
    text, deltas, finished = collect(chunks)
    assert finished.reason == "length" and finished.timing.completion_tokens == LONG.max_tokens
    assert finished.timing.prompt_tokens > 400 and finished.timing.time_to_first_token_s > 0
    assert text and len(deltas) >= 5
    assert arrived[0] < total / 4  # the first words show at once, the rest as it is written
    counts = [d.completion_tokens for d in deltas]
    assert counts == sorted(counts) and counts[-1] == LONG.max_tokens
    # several tokens a chunk: a pipe write per token costs a small model ~5 % of its speed
    assert len(deltas) < LONG.max_tokens / 4


def test_greedy_letters_are_reproducible_and_the_prompt_stays_cached(engine, prompt):
    first, _, _ = collect(engine.stream(prompt, DecodingOptions(max_tokens=30)))
    again, _, finished = collect(engine.stream(prompt, DecodingOptions(max_tokens=30)))
    assert again == first
    assert finished.timing.cached_prompt_tokens >= finished.timing.prompt_tokens - 1


def test_cancel_ends_the_letter_within_50_ms(engine, prompt):
    cancelled_at: list[float] = []
    stop = threading.Event()

    def press_cancel() -> None:  # as the GUI thread would, while the letter streams
        cancelled_at.append(time.perf_counter())
        stop.set()

    def cancel_once_text_shows(chunks):  # however long the prompt took on a busy machine
        armed = False
        for chunk in chunks:
            if isinstance(chunk, TextDelta) and not armed:
                armed = True
                threading.Timer(0.05, press_cancel).start()
            yield chunk

    text, deltas, finished = collect(
        cancel_once_text_shows(engine.stream(prompt, LONG, cancel=stop.is_set))
    )
    latency = time.perf_counter() - cancelled_at[0]
    print(f"cancel latency: {latency * 1000:.1f} ms")
    assert latency < 0.05  # README, The engine
    assert finished.reason == "cancelled" and finished.timing.total_s > 0  # the worker stopped
    assert 0 < deltas[-1].completion_tokens < LONG.max_tokens
    # the worker is free at once for the next letter
    _, _, after = collect(engine.stream(prompt, DecodingOptions(max_tokens=5)))
    assert after.reason == "length"


def test_a_case_too_long_for_the_context_is_refused_with_the_token_count(engine, store):
    long = case_document("SYN-TEST-LONG")
    long["history"][0]["description"] += " und weiter" * 800  # the prompt nearly fills 2,048
    store.import_cases([parse_case(json.dumps(long))])
    with pytest.raises(ContextOverflow) as refused:
        generate_letter(store, "SYN-TEST-LONG", engine, options=DecodingOptions(max_tokens=1900))
    error = refused.value
    assert error.excess == error.prompt_tokens + 1900 - 2048 > 0
    assert error.n_ctx - error.prompt_tokens < MIN_LETTER_TOKENS  # too little room for a letter
    assert f"too long for the model by {error.excess:,} tokens" in error.message
    assert letters_for_case(store, "SYN-TEST-LONG") == []  # nothing was cut and stored


def test_a_letter_longer_than_the_room_left_gets_the_room_there_is(engine, store):
    options = DecodingOptions(max_tokens=1900, ignore_eos=True)
    result = generate_letter(store, "SYN-TEST-0001", engine, options=options)
    assert result.finish_reason == "length"
    assert result.timing.prompt_tokens + result.timing.completion_tokens == 2048


def test_a_draft_is_stored_with_its_exact_prompt_and_model_identity(engine, store, tiny_gguf):
    seen: list = []
    result = generate_letter(
        store, "SYN-TEST-0001", engine, options=DecodingOptions(max_tokens=40), on_chunk=seen.append
    )
    streamed = "".join(c.text for c in seen if isinstance(c, TextDelta))
    (revision,) = revisions(store, result.letter.id)
    assert revision.kind == "draft" and revision.text == streamed == result.text
    assert revision.prompt == result.prompt and "Nguyễn" in revision.prompt
    assert revision.prompt.startswith("<|begin_of_text|><|start_header_id|>user")
    model = store.conn.execute(
        "SELECT sha256, size_bytes, quantization, architecture, chat_template, adapter"
        " FROM models WHERE id = ?",
        (revision.model_ref,),
    ).fetchone()
    digest = hashlib.sha256(tiny_gguf.read_bytes()).hexdigest()
    assert model[:4] == (digest, tiny_gguf.stat().st_size, "F32", "llama")
    assert model[4] and model[5] is None
    details = json.loads(
        store.conn.execute(
            "SELECT details FROM audit_log WHERE action = 'generate' ORDER BY id DESC"
        ).fetchone()[0]
    )
    assert details["model_sha256"] == digest and details["adapter"] is None
    assert "incomplete" in details  # 40 tokens reached max_tokens: said so, not hidden
    again = generate_letter(store, "SYN-TEST-0001", engine, options=DecodingOptions(max_tokens=40))
    assert again.model_ref == result.model_ref and again.text == result.text
    assert store.verify_audit().first_bad is None


def test_a_cancelled_letter_keeps_what_was_streamed(engine, store):
    seen: list = []
    result = generate_letter(
        store,
        "SYN-TEST-0001",
        engine,
        options=LONG,
        on_chunk=seen.append,
        cancel=lambda: sum(isinstance(c, TextDelta) for c in seen) >= 3,
    )
    assert result.finish_reason == "cancelled"
    streamed = "".join(c.text for c in seen if isinstance(c, TextDelta))
    # a random model writes NULs now and then; the store leaves them out (letters.py)
    assert result.revision.text == streamed.replace("\x00", "")
    details = store.conn.execute("SELECT details FROM audit_log ORDER BY id DESC").fetchone()[0]
    assert "cancelled by the user" in json.loads(details)["incomplete"]


def free_numbers(text: str) -> list[str]:
    """Numbers standing on their own (not glued to a code such as C50.4 or ICD-10)."""
    return [
        m.group(0)
        for m in re.finditer(r"[0-9][0-9.,]*", text)
        if not (m.start() and (text[m.start() - 1].isalpha() or text[m.start() - 1] in "-_/"))
    ]


def test_constrained_decoding_keeps_the_letters_numbers_to_the_case(engine, store):
    allowed = case_numbers(store.case("SYN-TEST-0001"))

    def invented(text: str) -> list[str]:  # a number cut off at max_tokens is a prefix
        return [
            n for n in free_numbers(text) if not any(a.startswith(n.rstrip(".,")) for a in allowed)
        ]

    options = DecodingOptions(max_tokens=300, ignore_eos=True)
    plain = generate_letter(store, "SYN-TEST-0001", engine, options=options)
    constrained = generate_letter(
        store, "SYN-TEST-0001", engine, options=replace(options, constrain_numbers=True)
    )
    assert invented(plain.text)  # the random model makes numbers up ...
    assert free_numbers(constrained.text) and not invented(constrained.text)  # ... unless kept
    details = json.loads(
        store.conn.execute(
            "SELECT details FROM audit_log WHERE action = 'generate' ORDER BY id DESC"
        ).fetchone()[0]
    )
    assert details["decoding"]["constrain_numbers"] is True
    assert set(details["decoding"]["allowed_numbers"]) == allowed


def test_a_killed_worker_keeps_the_partial_draft_and_is_restarted(tiny_gguf, store):
    engine = Engine(settings_for(tiny_gguf))
    seen: list = []
    killed: list[int] = []

    def kill_once(chunk) -> None:
        seen.append(chunk)
        if isinstance(chunk, TextDelta) and not killed:
            killed.append(engine.worker_pid)
            os.kill(engine.worker_pid, signal.SIGKILL)

    try:
        with pytest.raises(WorkerStopped) as stopped:
            generate_letter(store, "SYN-TEST-0001", engine, options=LONG, on_chunk=kill_once)
        assert "SIGKILL" in stopped.value.message and "draft" in stopped.value.message
        (letter,) = letters_for_case(store, "SYN-TEST-0001")
        (partial,) = revisions(store, letter.id)
        assert partial.text and partial.text == "".join(
            c.text for c in seen if isinstance(c, TextDelta)
        )
        details = store.conn.execute("SELECT details FROM audit_log ORDER BY id DESC").fetchone()
        assert "stopped while writing" in json.loads(details[0])["incomplete"]
        assert store.cases()[0].status == "draft"

        result = generate_letter(
            store, "SYN-TEST-0001", engine, options=DecodingOptions(max_tokens=10)
        )
        assert [n.code for n in result.notices] == ["worker_restarted"]
        assert "SIGKILL" in result.notices[0].message
        assert result.finish_reason == "length" and engine.worker_pid != killed[0]
    finally:
        engine.close()


@pytest.mark.skipif(sys.platform == "win32", reason="signals are POSIX")
def test_a_worker_that_meets_an_instruction_the_processor_lacks_says_the_build_does_not_fit(
    tiny_gguf, store, no_core_files
):
    # a llama.cpp built for another processor (on an AMX Xeon: the portable build's Sapphire
    # Rapids variant, docs/installers.md) ends the worker with SIGILL at the first prompt
    engine = Engine(settings_for(tiny_gguf))

    def illegal_instruction(chunk) -> None:
        if isinstance(chunk, TextDelta):
            os.kill(engine.worker_pid, signal.SIGILL)

    try:
        with pytest.raises(WorkerStopped) as stopped:
            generate_letter(
                store, "SYN-TEST-0001", engine, options=LONG, on_chunk=illegal_instruction
            )
        error = stopped.value
        assert "SIGILL" in error.message and "instruction this processor does not run" in (
            error.message
        )
        assert "processor" in error.hint and "docs/installers.md" in error.hint
        assert "free memory" not in error.hint
    finally:
        engine.close()


def test_unsafe_chat_templates_are_refused_and_never_read_files(
    tiny_checkpoint, tmp_path, store, loaded
):
    secret = tmp_path / "secret.txt"
    secret.write_text("patient data", encoding="utf-8")
    opened: list[str] = []
    sys.addaudithook(
        lambda event, args: event == "open" and str(args[0]) == str(secret) and opened.append(event)
    )
    attacks = [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% include '" + str(secret) + "' %}",
        "{{ cycler.__init__.__globals__.os.popen('cat " + str(secret) + "').read() }}",
    ]
    sample = parse_case(json.dumps(case_document()))
    for attack in attacks:  # passed in (EngineSettings.chat_template)
        with pytest.raises(ModelError, match="chat template cannot be used"):
            case_prompt(sample, replace(loaded[1], chat_template=attack))
    # carried in a model file's metadata (tokenizer.chat_template)
    from training.convert import convert

    folder = tmp_path / "bad-template"
    shutil.copytree(tiny_checkpoint, folder)
    config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    config["chat_template"] = attacks[1]
    (folder / "tokenizer_config.json").write_text(json.dumps(config), encoding="utf-8")
    (folder / "chat_template.jinja").unlink(missing_ok=True)
    convert(folder, tmp_path / "bad.gguf", outtype="f32")
    with Engine(settings_for(tmp_path / "bad.gguf")) as bad:
        with pytest.raises(ModelError, match="chat template cannot be used"):
            generate_letter(store, "SYN-TEST-0001", bad)
    assert opened == [] and letters_for_case(store, "SYN-TEST-0001") == []


def test_a_lora_adapter_changes_the_letter_and_is_recorded(
    tiny_checkpoint, tiny_gguf, tmp_path, store, engine, prompt
):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaForCausalLM

    from training.lora import export_lora

    torch.manual_seed(3)
    targets = ["q_proj", "v_proj", "down_proj"]
    model = get_peft_model(
        LlamaForCausalLM.from_pretrained(tiny_checkpoint),
        LoraConfig(r=4, lora_alpha=8, target_modules=targets, task_type="CAUSAL_LM"),
    )
    with torch.no_grad():  # as if trained: B is zero when PEFT creates it
        for name, weight in model.named_parameters():
            if "lora_B" in name:
                weight.normal_(0.0, 0.5)
    model.save_pretrained(tmp_path / "adapter")
    adapter = export_lora(tmp_path / "adapter", tiny_checkpoint, tmp_path / "adapter.gguf").path
    base, _, _ = collect(engine.stream(prompt, DecodingOptions(max_tokens=20)))
    with Engine(settings_for(tiny_gguf, lora_path=adapter)) as adapted:
        result = generate_letter(
            store, "SYN-TEST-0001", adapted, options=DecodingOptions(max_tokens=20)
        )
    assert result.text != base
    digest = hashlib.sha256(adapter.read_bytes()).hexdigest()
    row = store.conn.execute(
        "SELECT adapter FROM models WHERE id = ?", (result.model_ref,)
    ).fetchone()
    assert row == (digest,)
    with pytest.raises(ModelError, match="is not a LoRA adapter"):
        Engine(settings_for(tiny_gguf, lora_path=tiny_gguf)).load()


def test_a_model_that_is_not_llama_is_refused_before_loading(tmp_path):
    import gguf
    import numpy as np

    path = tmp_path / "gpt2.gguf"
    writer = gguf.GGUFWriter(str(path), "gpt2")
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(["a", "b", "c", "d"])
    writer.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    engine = Engine(settings_for(path))
    with pytest.raises(ModelError, match="“gpt2” model; LetterDesk writes letters only with"):
        engine.load()
    assert engine.worker_pid is None


def test_missing_and_truncated_model_files_are_named(tmp_path, tiny_gguf):
    with pytest.raises(ModelError, match="does not exist"):
        Engine(settings_for(tmp_path / "nowhere.gguf")).load()
    truncated = tmp_path / "half.gguf"
    truncated.write_bytes(tiny_gguf.read_bytes()[: tiny_gguf.stat().st_size // 2])
    engine = Engine(settings_for(truncated))
    with pytest.raises(ModelError, match="is incomplete: the weights of"):
        engine.load()
    assert engine.worker_pid is None


def letterdesk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "letterdesk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_letterdesk_generate_prints_the_letter_and_stores_the_draft(tmp_path, tiny_gguf):
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(case_document(), ensure_ascii=False), encoding="utf-8")
    done = letterdesk("generate", str(case_file), "--model", str(tiny_gguf), "--max-tokens", "30")
    assert done.returncode == 0, done.stderr
    assert "draft stored for case SYN-TEST-0001" in done.stderr
    listing = letterdesk("cases")
    assert "SYN-TEST-0001\tNguyễn, Thảo" in listing.stdout and listing.stdout.endswith("\tdraft\n")
    with Store() as stored:
        (letter,) = letters_for_case(stored, "SYN-TEST-0001")
        assert done.stdout == revisions(stored, letter.id)[0].text + "\n"

    out = tmp_path / "letter.txt"
    written = letterdesk(
        "generate",
        str(case_file),
        "--model",
        str(tiny_gguf),
        "--max-tokens",
        "30",
        "--output",
        str(out),
    )
    assert written.returncode == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == done.stdout  # greedy: the same letter again

    kept = letterdesk("generate", str(case_file), "--model", str(tiny_gguf), "--constrain-numbers")
    assert kept.returncode == 0, kept.stderr
    allowed = case_numbers(parse_case(json.dumps(case_document())))
    numbers = free_numbers(kept.stdout)
    assert numbers  # the random model writes numbers; constrained, only the case's
    assert all(any(a.startswith(n.rstrip(".,")) for a in allowed) for n in numbers)
