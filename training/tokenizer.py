"""The tokenizer: training a LLaMA-3-style byte-level BPE, and reading one back for a GGUF file.

Two pre-tokenizers are supported, the two llama.cpp reproduces exactly for byte-level BPE:

- ``llama-bpe``: the LLaMA-3 split regex, then byte-level mapping without its own regex;
  llama.cpp also skips the merges for words already in the vocabulary (``ignore_merges``).
- ``gpt2``: byte-level mapping with the GPT-2 regex built in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from letterdesk.core.foundation.files import write_text_atomically
from training.errors import ToolchainError
from training.files import read_json, write_shared_text

PreTokenizer = Literal["llama-bpe", "gpt2"]

LLAMA3_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

BOS = "<|begin_of_text|>"
EOS = "<|end_of_text|>"
START_HEADER = "<|start_header_id|>"
END_HEADER = "<|end_header_id|>"
EOT = "<|eot_id|>"
PAD = "<|finetune_right_pad_id|>"
SPECIAL_TOKENS = (BOS, EOS, START_HEADER, END_HEADER, EOT, PAD)

# LLaMA-3 turn layout; the instruct models end each turn (and generation) with <|eot_id|>.
CHAT_TEMPLATE = (
    "{{- bos_token -}}"
    "{%- for message in messages -%}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}"
    "{%- endif -%}"
)


def chat_template_with_system(default_system: str) -> str:
    """:data:`CHAT_TEMPLATE` that opens with ``default_system`` as the system message whenever
    the conversation brings none, as LLaMA-3.1's own template adds its default system message.

    The text becomes part of the template (and so of the GGUF file): every prompt of the model
    starts with the same tokens, which the engine's KV cache keeps from one letter to the next.
    """
    text = default_system.strip()
    if not text or any(mark in text for mark in ("{{", "{%", "{#", "<|")):
        raise ToolchainError("a default system message must be plain, non-empty text")
    return (
        "{{- bos_token -}}"
        "{%- if not messages or messages[0]['role'] != 'system' -%}"
        "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' -}}"
        f"{text}"
        "{{- '<|eot_id|>' -}}"
        "{%- endif -%}" + CHAT_TEMPLATE.removeprefix("{{- bos_token -}}")
    )


# Names llama.cpp gives the two pre-tokenizers in `tokenizer.ggml.pre`.
GGUF_PRE_NAMES: dict[PreTokenizer, str] = {"llama-bpe": "llama-bpe", "gpt2": "gpt-2"}


def train_tokenizer(
    texts: Iterable[str],
    vocab_size: int,
    out_dir: Path,
    *,
    pre_tokenizer: PreTokenizer = "llama-bpe",
    user_tokens: Sequence[str] = (),
    chat_template: str = CHAT_TEMPLATE,
) -> Path:
    """Train a byte-level BPE on ``texts`` and write tokenizer.json + tokenizer_config.json
    (with ``chat_template``).

    ``vocab_size`` counts everything, the LLaMA-3 special tokens and ``user_tokens`` included;
    a small corpus can run out of merges first, so the result may be smaller. The special
    tokens come last, as in LLaMA-3. Returns ``out_dir``, loadable by
    ``transformers.AutoTokenizer.from_pretrained``.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from tokenizers.trainers import BpeTrainer

    if pre_tokenizer not in GGUF_PRE_NAMES:
        raise ToolchainError(
            f"unknown pre-tokenizer {pre_tokenizer!r}; use one of {list(GGUF_PRE_NAMES)}"
        )
    n_added = len(SPECIAL_TOKENS) + len(user_tokens)
    if vocab_size < 256 + n_added:
        raise ToolchainError(
            f"vocab_size {vocab_size} is below the 256 byte tokens plus {n_added} added ones"
        )

    # llama.cpp skips the merges for words already in the vocabulary with llama-bpe, not with gpt-2
    tokenizer = Tokenizer(models.BPE(ignore_merges=pre_tokenizer == "llama-bpe"))
    if pre_tokenizer == "llama-bpe":
        tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
            [
                pre_tokenizers.Split(
                    Regex(LLAMA3_SPLIT_PATTERN), behavior="isolated", invert=False
                ),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
            ]
        )
    else:
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()

    trainer = BpeTrainer(
        vocab_size=vocab_size - n_added,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # every byte stays encodable
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    tokenizer.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS]
    )
    if user_tokens:
        tokenizer.add_tokens([AddedToken(t, special=False, normalized=False) for t in user_tokens])
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = TemplateProcessing(
        single=f"{BOS}:0 $A:0", pair=f"{BOS}:0 $A:0 {BOS}:1 $B:1", special_tokens=[(BOS, bos_id)]
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": BOS,
        "eos_token": EOT,
        "pad_token": PAD,
        "chat_template": chat_template,
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": 131072,
    }
    write_shared_text(out_dir / "tokenizer.json", tokenizer.to_str(pretty=True))
    write_shared_text(
        out_dir / "tokenizer_config.json", json.dumps(config, indent=2, ensure_ascii=False)
    )
    return out_dir


# --- reading a checkpoint's tokenizer for GGUF -------------------------------------------------


@dataclass(frozen=True)
class GgufVocab:
    """A tokenizer in the terms of GGUF's `tokenizer.ggml.*` keys (llama.cpp's BPE vocabulary)."""

    pre: str
    """llama.cpp's name of the pre-tokenizer: "llama-bpe" or "gpt-2"."""
    tokens: list[str]
    """Token text by id; byte-level encoded for BPE tokens, raw for added tokens."""
    token_types: list[int]
    """gguf.TokenType per id: NORMAL, CONTROL (special), USER_DEFINED (added), UNUSED (padding)."""
    merges: list[str]
    """BPE merges as "left right", in rank order."""
    bos_id: int | None
    eos_id: int | None
    eot_id: int | None
    pad_id: int | None
    add_bos: bool
    """Whether tokenizing a text starts it with BOS (the tokenizer's post-processor does)."""
    add_eos: bool
    chat_template: str | None


def read_gguf_vocab(checkpoint_dir: Path, n_vocab: int) -> GgufVocab:
    """Read a checkpoint's tokenizer.json + tokenizer_config.json as a GGUF vocabulary of n_vocab.

    Raises ToolchainError for anything llama.cpp would tokenize differently from Hugging Face:
    an unknown pre-tokenizer, a normalizer, a non-BPE model, added tokens that strip spaces.
    """
    import gguf

    tokenizer_path = checkpoint_dir / "tokenizer.json"
    config_path = checkpoint_dir / "tokenizer_config.json"
    state = read_json(tokenizer_path)
    config = read_json(config_path)

    model = state.get("model") or {}
    if model.get("type") != "BPE":
        raise ToolchainError(
            f"{tokenizer_path}: tokenizer model {model.get('type')!r} is not a byte-level BPE"
        )
    pre = detect_pre_tokenizer(state, tokenizer_path)
    wanted_ignore_merges = pre == "llama-bpe"  # what llama.cpp does for each pre-tokenizer
    if bool(model.get("ignore_merges", False)) != wanted_ignore_merges:
        raise ToolchainError(
            f"{tokenizer_path}: ignore_merges={model.get('ignore_merges', False)} but llama.cpp's "
            f"{GGUF_PRE_NAMES[pre]!r} pre-tokenizer uses ignore_merges={wanted_ignore_merges}; "
            "token ids would differ"
        )
    for key in ("continuing_subword_prefix", "end_of_word_suffix"):
        if model.get(key):
            raise ToolchainError(
                f"{tokenizer_path}: BPE {key}={model[key]!r} is not supported by llama.cpp"
            )
    if model.get("byte_fallback"):
        raise ToolchainError(f"{tokenizer_path}: byte_fallback is not byte-level BPE")

    tokens: list[str | None] = [None] * n_vocab
    types = [int(gguf.TokenType.NORMAL)] * n_vocab
    for text, token_id in model["vocab"].items():
        _place(tokens, token_id, text, tokenizer_path)
    for added in state.get("added_tokens", []):
        if added.get("lstrip") or added.get("rstrip") or added.get("single_word"):
            raise ToolchainError(
                f"{tokenizer_path}: added token {added['content']!r} uses "
                "lstrip/rstrip/single_word, which llama.cpp does not reproduce"
            )
        _place(tokens, added["id"], added["content"], tokenizer_path)
        types[added["id"]] = int(
            gguf.TokenType.CONTROL if added.get("special") else gguf.TokenType.USER_DEFINED
        )
    for i, text in enumerate(tokens):
        if text is None:  # the model's embedding has more rows than the tokenizer has tokens
            tokens[i] = f"[PAD{i}]"
            types[i] = int(gguf.TokenType.UNUSED)
    ids = {text: i for i, text in enumerate(tokens)}

    add_bos, add_eos = _post_processor_adds(state, config)
    eos_text = _token_text(config.get("eos_token"))
    return GgufVocab(
        pre=GGUF_PRE_NAMES[pre],
        tokens=[t for t in tokens if t is not None],
        token_types=types,
        merges=[m if isinstance(m, str) else " ".join(m) for m in model.get("merges", [])],
        bos_id=ids.get(_token_text(config.get("bos_token")) or ""),
        eos_id=ids.get(eos_text or ""),
        eot_id=ids.get(EOT),
        pad_id=ids.get(_token_text(config.get("pad_token")) or ""),
        add_bos=add_bos,
        add_eos=add_eos,
        chat_template=_chat_template(checkpoint_dir, config),
    )


def detect_pre_tokenizer(state: dict[str, Any], where: Path) -> PreTokenizer:
    """Which supported pre-tokenizer tokenizer.json describes; ToolchainError for any other."""
    if state.get("normalizer") is not None:
        raise ToolchainError(
            f"{where}: a normalizer ({state['normalizer'].get('type')}) is not supported "
            "for byte-level BPE"
        )
    pre = state.get("pre_tokenizer") or {}
    steps = pre.get("pretokenizers", []) if pre.get("type") == "Sequence" else [pre]
    if (
        len(steps) == 1
        and steps[0].get("type") == "ByteLevel"
        and steps[0].get("use_regex", True)
        and not steps[0].get("add_prefix_space")
    ):
        return "gpt2"
    if len(steps) == 2 and steps[0].get("type") == "Split" and steps[1].get("type") == "ByteLevel":
        split, byte_level = steps
        if (
            split.get("pattern", {}).get("Regex") == LLAMA3_SPLIT_PATTERN
            and split.get("behavior") == "Isolated"
            and not split.get("invert")
            and not byte_level.get("use_regex", True)
            and not byte_level.get("add_prefix_space")
        ):
            return "llama-bpe"
    raise ToolchainError(
        f"{where}: unknown pre-tokenizer {json.dumps(pre)[:300]}; only the LLaMA-3 split regex "
        "('llama-bpe') and GPT-2 byte-level ('gpt2') are supported",
        hint="llama.cpp would split words differently, so the model would see other token ids",
    )


FACT_SLOTS_SETTING = "letterdesk_fact_slots"
"""The tokenizer_config.json setting that marks a model trained on slotted letters; the
converter writes it into the GGUF as ``letterdesk.fact_slots``."""


def writes_fact_slots(checkpoint_dir: Path) -> bool:
    """Whether the checkpoint's model was trained to write fact slots."""
    config = checkpoint_dir / "tokenizer_config.json"
    return config.is_file() and bool(read_json(config).get(FACT_SLOTS_SETTING, False))


def mark_fact_slots(tokenizer_dir: Path, writes_slots: bool = True) -> None:
    """Mark the tokenizer in ``tokenizer_dir`` as one of a model that writes fact slots (or,
    with ``writes_slots`` False, as one that does not)."""
    config = read_json(tokenizer_dir / "tokenizer_config.json")
    config[FACT_SLOTS_SETTING] = writes_slots
    write_text_atomically(
        tokenizer_dir / "tokenizer_config.json", json.dumps(config, indent=2, ensure_ascii=False)
    )


def _place(tokens: list[str | None], token_id: int, text: str, where: Path) -> None:
    if not 0 <= token_id < len(tokens):
        raise ToolchainError(
            f"{where}: token {text!r} has id {token_id}, outside the model's "
            f"vocabulary of {len(tokens)}"
        )
    tokens[token_id] = text


def _token_text(token: str | dict[str, Any] | None) -> str | None:
    return token.get("content") if isinstance(token, dict) else token


def _post_processor_adds(state: dict[str, Any], config: dict[str, Any]) -> tuple[bool, bool]:
    """(add_bos, add_eos) as the tokenizer applies them to a single text."""
    processor = state.get("post_processor") or {}
    steps = processor.get("processors", []) if processor.get("type") == "Sequence" else [processor]
    for step in steps:
        if step.get("type") == "TemplateProcessing":
            single = step.get("single", [])
            return (
                ("SpecialToken" in single[0], "SpecialToken" in single[-1])
                if single
                else (False, False)
            )
    return bool(config.get("add_bos_token", False)), bool(config.get("add_eos_token", False))


def _chat_template(checkpoint_dir: Path, config: dict[str, Any]) -> str | None:
    template = config.get("chat_template")
    if isinstance(template, list):  # named templates: llama.cpp uses the default one
        template = next((t["template"] for t in template if t.get("name") == "default"), None)
    jinja_file = checkpoint_dir / "chat_template.jinja"  # newer transformers save it apart
    if template is None and jinja_file.exists():
        template = jinja_file.read_text(encoding="utf-8")
    return template
