"""HF LLaMA checkpoint → GGUF: llama.cpp must tokenize and compute what transformers does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import gguf
import numpy as np
import pytest

from tests.training.helpers import (
    F32_LOGIT_LIMIT,
    FAR_OFF,
    hf_logits,
    letter_tokens,
    llama_logits,
    max_diff,
)
from training.convert import convert, field_value, read_gguf
from training.errors import ToolchainError

LETTER_TEXTS = [
    "Sehr geehrte Frau Dr. Öztürk-Weiß,\n\nvielen Dank für die Überweisung Ihrer Patientin.",
    "Diagnose: Rektumkarzinom uT3 uN1 M0, Erstdiagnose 06.01.2025, Beginn der RCT am 13.01.2025.",
    "Bestrahlung bis 60 Gy, Einzeldosis 2,67 Gy; kumulativ 50,4 Gy / 28 Fx (1,8 Gy × 28).",
    "Patienten: Nguyễn Văn Thành, Øberg-Müller, Siobhán O'Sullivan, Ayşe Şahin, Đorđe Petrović.",
    "Fallnummer 123456789012345678901234567890, Tel.: +49 (0)221 478-0, PLZ 50937, 1.000.000,00 €",
    "Straße, Größe, Maß, Fuß — „Anführungszeichen“ ‚einfach‘ «Guillemets» und ‹halbe›.",
    "  mehrere   Leerzeichen\tTab\r\nWindows-Zeilenende\n\n\nDrei Leerzeilen  \n",
    "I'm sure she'll say they've done it; WE'RE ready, it's O'Neil's and DON'T.",
    "70 Gy @ 2 Gy/Fx, 3½ Wochen, 10⁻³, α/β = 10 Gy, ²³⁵U, 5×/Woche, ≤ 2 cm, ± 3 mm",
    "👍 Therapie gut vertragen 🙂; 患者 مريض ασθενής пациент",
    "Termin: 06.01.2025 08:30 Uhr\n- Labor\n- CT\n\t- Kontrast: ja",
    "60\u00a0Gy mit geschütztem Leerzeichen, 2\u202f000 mit schmalem",
    "",
    " ",
    "\n",
    "Ende.",
]

CHAT = [
    {"role": "system", "content": "Du schreibst Arztbriefe der Strahlentherapie."},
    {
        "role": "user",
        "content": "Fall: Frau Şahin, 60 Gy in 30 Fraktionen à 2 Gy, Abschluss 06.01.2025.",
    },
    {
        "role": "assistant",
        "content": "Sehr geehrte Kolleginnen und Kollegen,\n\nwir berichten über ...",
    },
    {"role": "user", "content": "Bitte kürzer, und nenne Øberg-Müller als Mitbehandlerin."},
]


# --- tokenizer ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["llama-bpe", "gpt2"])
def tokenizer_model(request, tiny_model, tiny_gguf):
    """(checkpoint, gguf) with a vocabulary big enough for whole words, plus user-defined tokens."""
    kwargs = dict(
        pre_tokenizer=request.param, vocab_size=1500, user_tokens=("[PATIENT]", "[DATUM]")
    )
    return tiny_model(**kwargs), tiny_gguf(**kwargs)


def test_pre_tokenizer_is_named_as_llama_cpp_knows_it(tokenizer_model):
    checkpoint, path = tokenizer_model
    pre = json.loads((checkpoint / "tokenizer.json").read_text())["pre_tokenizer"]
    expected = "gpt-2" if pre["type"] == "ByteLevel" else "llama-bpe"
    assert field_value(read_gguf(path), gguf.Keys.Tokenizer.PRE) == expected


@pytest.mark.parametrize("add_bos", [True, False])
def test_llama_cpp_tokenizes_letters_as_transformers_does(tokenizer_model, add_bos):
    from llama_cpp import Llama
    from transformers import AutoTokenizer

    checkpoint, path = tokenizer_model
    hf = AutoTokenizer.from_pretrained(checkpoint)
    llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    texts = [*LETTER_TEXTS, "Patient [PATIENT], geboren am [DATUM], 60 Gy."]
    try:
        for text in texts:
            expected = hf(text, add_special_tokens=add_bos).input_ids
            assert llm.tokenize(text.encode(), add_bos=add_bos, special=False) == expected, text
            assert llm.tokenize(text.encode(), add_bos=add_bos, special=True) == expected, text
    finally:
        llm.close()


def test_special_tokens_in_text_are_parsed_only_when_asked(tokenizer_model):
    from llama_cpp import Llama
    from transformers import AutoTokenizer

    checkpoint, path = tokenizer_model
    hf = AutoTokenizer.from_pretrained(checkpoint)
    text = "Ende des Briefes.<|eot_id|><|start_header_id|>user<|end_header_id|>"
    llm = Llama(model_path=str(path), vocab_only=True, verbose=False)
    try:
        parsed = llm.tokenize(text.encode(), add_bos=False, special=True)
        literal = llm.tokenize(text.encode(), add_bos=False, special=False)
    finally:
        llm.close()
    assert parsed == hf(text, add_special_tokens=False).input_ids
    assert hf.convert_tokens_to_ids("<|eot_id|>") in parsed
    assert hf.convert_tokens_to_ids("<|eot_id|>") not in literal


def test_token_types_and_special_ids(tokenizer_model):
    from transformers import AutoTokenizer

    checkpoint, path = tokenizer_model
    hf = AutoTokenizer.from_pretrained(checkpoint)
    reader = read_gguf(path)
    types = field_value(reader, gguf.Keys.Tokenizer.TOKEN_TYPE)
    ids = hf.convert_tokens_to_ids
    assert types[ids("<|eot_id|>")] == gguf.TokenType.CONTROL
    assert types[ids("<|begin_of_text|>")] == gguf.TokenType.CONTROL
    assert types[ids("[PATIENT]")] == gguf.TokenType.USER_DEFINED
    assert all(
        types[i] == gguf.TokenType.NORMAL
        for i in hf(" Gy Strahlentherapie", add_special_tokens=False).input_ids
    )
    assert field_value(reader, gguf.Keys.Tokenizer.BOS_ID) == hf.bos_token_id
    assert field_value(reader, gguf.Keys.Tokenizer.EOS_ID) == hf.eos_token_id == ids("<|eot_id|>")
    assert field_value(reader, gguf.Keys.Tokenizer.EOT_ID) == ids("<|eot_id|>")
    assert field_value(reader, gguf.Keys.Tokenizer.PAD_ID) == hf.pad_token_id
    assert field_value(reader, gguf.Keys.Tokenizer.ADD_BOS) is True
    merges = json.loads((checkpoint / "tokenizer.json").read_text())["model"]["merges"]
    assert field_value(reader, gguf.Keys.Tokenizer.MERGES) == [" ".join(pair) for pair in merges]


def test_chat_template_renders_and_tokenizes_identically(tiny_model, tiny_gguf):
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(tiny_model())
    expected = hf.apply_chat_template(CHAT, add_generation_prompt=True, tokenize=True)["input_ids"]

    llm = Llama(model_path=str(tiny_gguf()), vocab_only=True, verbose=False)
    try:
        # what llama-cpp-python's create_chat_completion does with the template in the GGUF file
        formatter = Jinja2ChatFormatter(
            template=llm.metadata["tokenizer.chat_template"],
            bos_token=llm._model.token_get_text(llm.token_bos()),
            eos_token=llm._model.token_get_text(llm.token_eos()),
        )
        prompt = formatter(messages=CHAT)
        tokens = llm.tokenize(
            prompt.prompt.encode(), add_bos=not prompt.added_special, special=True
        )
    finally:
        llm.close()
    assert tokens == expected
    assert prompt.prompt.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")


# --- logits ------------------------------------------------------------------------------------

MODEL_CONFIGS = {
    "plain-untied-gqa": dict(rope="plain", tie_embeddings=False, n_kv_heads=2),
    "plain-tied-gqa": dict(rope="plain", tie_embeddings=True, n_kv_heads=2),
    "llama3-untied-gqa": dict(rope="llama3", tie_embeddings=False, n_kv_heads=2),
    "llama3-tied-gqa": dict(rope="llama3", tie_embeddings=True, n_kv_heads=2),
    "plain-mqa-gpt2": dict(rope="plain", n_kv_heads=1, pre_tokenizer="gpt2"),
}


@pytest.mark.parametrize("config", MODEL_CONFIGS.values(), ids=MODEL_CONFIGS.keys())
def test_f32_logits_match_transformers(tiny_model, tiny_gguf, config):
    checkpoint = tiny_model(**config)
    tokens = letter_tokens(checkpoint, 200)  # well past the llama3 scaling's original context of 64
    expected = hf_logits(checkpoint, tokens)
    got = llama_logits(tiny_gguf("f32", **config), tokens)
    assert np.abs(expected).max() > 2.0, "logits too flat for the comparison to mean anything"
    difference = max_diff(got, expected)
    print(f"F32 logits, llama.cpp vs transformers: max difference {difference:.2e}")
    assert difference < F32_LOGIT_LIMIT


def test_tied_embeddings_write_no_output_tensor(tiny_gguf):
    names = {t.name for t in read_gguf(tiny_gguf(tie_embeddings=True)).tensors}
    assert "token_embd.weight" in names and "output.weight" not in names
    assert "output.weight" in {t.name for t in read_gguf(tiny_gguf()).tensors}


def test_llama3_rope_scaling_matters_at_this_length(tiny_model):
    """Guards the llama3 parity test: unscaled rope is far off, so ignoring the scaling fails."""
    checkpoint = tiny_model(rope="llama3")
    tokens = letter_tokens(checkpoint, 200)
    unscaled = hf_logits(
        checkpoint, tokens, rope_parameters={"rope_type": "default", "rope_theta": 10000.0}
    )
    assert max_diff(unscaled, hf_logits(checkpoint, tokens)) > FAR_OFF


def test_skipping_the_qk_permutation_is_caught(tiny_model, tmp_path, monkeypatch):
    """Guards the parity tests: without llama.cpp's rotary row order the logits are far off."""
    import training.convert

    monkeypatch.setattr(training.convert, "permute_for_rope", lambda weight, n_heads: weight)
    checkpoint = tiny_model()
    tokens = letter_tokens(checkpoint, 64)
    wrong = convert(checkpoint, tmp_path / "unpermuted.gguf", outtype="f32").path
    difference = max_diff(llama_logits(wrong, tokens), hf_logits(checkpoint, tokens))
    assert difference > FAR_OFF


# the random tiny models amplify rounding (and llama.cpp rounds activations to the weight type
# for the matmul too): measured max differences are ~1% (f16) and ~6% (bf16) of the largest logit
@pytest.mark.parametrize("outtype, relative_tolerance", [("f16", 0.02), ("bf16", 0.1)])
def test_half_precision_files_load_and_stay_close_to_f32(
    tiny_model, tiny_gguf, outtype, relative_tolerance
):
    tokens = letter_tokens(tiny_model(), 64)
    reference = llama_logits(tiny_gguf("f32"), tokens)
    path = tiny_gguf(outtype)
    got = llama_logits(path, tokens)
    assert max_diff(got, reference) < relative_tolerance * np.abs(reference).max()
    assert (got.argmax(-1) == reference.argmax(-1)).mean() > 0.9
    types = {t.name: t.tensor_type.name for t in read_gguf(path).tensors}
    assert types["blk.0.attn_q.weight"] == outtype.upper()
    assert types["blk.0.attn_norm.weight"] == "F32"


def test_written_file_describes_the_model(tiny_model, tiny_gguf):
    config = json.loads((tiny_model(rope="llama3").joinpath("config.json")).read_text())
    reader = read_gguf(tiny_gguf(rope="llama3"))
    arch = "llama"

    def value(key: str):
        return field_value(reader, key.format(arch=arch))

    assert value(gguf.Keys.General.ARCHITECTURE) == arch
    assert value(gguf.Keys.LLM.BLOCK_COUNT) == config["num_hidden_layers"]
    assert value(gguf.Keys.Attention.HEAD_COUNT_KV) == 2
    assert value(gguf.Keys.Rope.FREQ_BASE) == 10000.0
    rope_freqs = next(t for t in reader.tensors if t.name == "rope_freqs.weight")
    # head_dim 16: one band kept, two interpolated, five divided by the factor 8
    factors = np.asarray(rope_freqs.data)
    assert factors[0] == 1.0 and np.all(factors[3:] == 8.0)
    assert np.all((factors[1:3] > 1) & (factors[1:3] < 8))


# --- bad input ---------------------------------------------------------------------------------


def _copy_checkpoint(checkpoint: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(checkpoint, tmp_path / "checkpoint"))


@pytest.mark.parametrize("architecture", ["MistralForCausalLM", "GPT2LMHeadModel"])
def test_other_architecture_is_refused_by_name(tiny_model, tmp_path, architecture):
    checkpoint = _copy_checkpoint(tiny_model(), tmp_path)
    config = json.loads((checkpoint / "config.json").read_text())
    config["architectures"] = [architecture]
    (checkpoint / "config.json").write_text(json.dumps(config))
    with pytest.raises(
        ToolchainError, match=f"unsupported architecture {architecture}; only LlamaForCausalLM"
    ):
        convert(checkpoint, tmp_path / "out.gguf")
    assert not (tmp_path / "out.gguf").exists()


def test_quantized_hf_checkpoint_is_refused(tiny_model, tmp_path):
    checkpoint = _copy_checkpoint(tiny_model(), tmp_path)
    config = json.loads((checkpoint / "config.json").read_text())
    config["quantization_config"] = {"quant_method": "bitsandbytes", "load_in_4bit": True}
    (checkpoint / "config.json").write_text(json.dumps(config))
    with pytest.raises(ToolchainError, match="bitsandbytes quantized weights"):
        convert(checkpoint, tmp_path / "out.gguf")


def test_unknown_pre_tokenizer_is_refused(tiny_model, tmp_path):
    checkpoint = _copy_checkpoint(tiny_model(), tmp_path)
    state = json.loads((checkpoint / "tokenizer.json").read_text())
    state["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = (
        r"\p{L}+|\p{N}|\s+|[^\s\p{L}\p{N}]+"
    )
    (checkpoint / "tokenizer.json").write_text(json.dumps(state))
    with pytest.raises(ToolchainError, match="unknown pre-tokenizer"):
        convert(checkpoint, tmp_path / "out.gguf")


def test_llama_bpe_without_ignore_merges_is_refused(tiny_model, tmp_path):
    """llama.cpp skips merges for whole-word tokens with llama-bpe; a tokenizer must do the same."""
    checkpoint = _copy_checkpoint(tiny_model(), tmp_path)
    state = json.loads((checkpoint / "tokenizer.json").read_text())
    state["model"]["ignore_merges"] = False
    (checkpoint / "tokenizer.json").write_text(json.dumps(state))
    with pytest.raises(ToolchainError, match="ignore_merges"):
        convert(checkpoint, tmp_path / "out.gguf")


def test_truncated_gguf_is_reported_as_truncated(tiny_gguf, tmp_path):
    from llama_cpp import Llama

    data = tiny_gguf().read_bytes()
    for name, cut in (("half", len(data) // 2), ("header", 200)):
        truncated = tmp_path / f"{name}.gguf"
        truncated.write_bytes(data[:cut])
        with pytest.raises(ToolchainError, match="truncated or corrupt"):
            read_gguf(truncated)
        with pytest.raises(ValueError, match="Failed to load model"):  # what the app's engine sees
            Llama(model_path=str(truncated), verbose=False)


def test_cli_converts_and_reports_errors(tiny_model, tmp_path):
    out = tmp_path / "cli.gguf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "training",
            "convert",
            str(tiny_model()),
            "--out",
            str(out),
            "--outtype",
            "bf16",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.exists() and "bf16" in done.stdout
    failed = subprocess.run(
        [sys.executable, "-m", "training", "convert", str(tmp_path / "missing"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1 and "does not exist" in failed.stderr
