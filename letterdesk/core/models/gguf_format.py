"""GGUF's vocabulary, as gguf-py's ``gguf.constants`` names it (the app cannot import gguf-py):
the file's magic and versions, the metadata keys LetterDesk reads and writes, the metadata value
types, the ggml tensor types with their block sizes and the file types' quantization names.

:mod:`letterdesk.core.models.gguf_header` reads a header with them; ``python -m training
convert`` writes LetterDesk's own keys.
"""

from __future__ import annotations

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4  # GGML_MAX_DIMS


class Keys:
    """Metadata keys used here, named as in gguf-py's ``gguf.Keys`` (the app cannot import it)."""

    class General:
        """Keys every GGUF file carries."""

        TYPE = "general.type"
        ARCHITECTURE = "general.architecture"
        ALIGNMENT = "general.alignment"
        FILE_TYPE = "general.file_type"
        NAME = "general.name"
        VERSION = "general.version"

    class LLM:
        """Per-architecture hyperparameters; format with ``arch=``."""

        CONTEXT_LENGTH = "{arch}.context_length"
        BLOCK_COUNT = "{arch}.block_count"
        EMBEDDING_LENGTH = "{arch}.embedding_length"

    class Attention:
        """Attention hyperparameters; format with ``arch=``."""

        HEAD_COUNT = "{arch}.attention.head_count"
        HEAD_COUNT_KV = "{arch}.attention.head_count_kv"

    class Tokenizer:
        """The vocabulary and chat template."""

        MODEL = "tokenizer.ggml.model"
        LIST = "tokenizer.ggml.tokens"
        BOS_ID = "tokenizer.ggml.bos_token_id"
        EOS_ID = "tokenizer.ggml.eos_token_id"
        EOT_ID = "tokenizer.ggml.eot_token_id"
        ADD_BOS = "tokenizer.ggml.add_bos_token"
        CHAT_TEMPLATE = "tokenizer.chat_template"

    class Adapter:
        """Keys of LoRA adapter files."""

        TYPE = "adapter.type"

    class LetterDesk:
        """LetterDesk's own keys, written by ``python -m training convert``."""

        FACT_SLOTS = "letterdesk.fact_slots"
        """True when the model writes fact slots (``[[patient.birth_date]]``) instead of the
        case's values (:mod:`letterdesk.core.facts.slots`); absent in any third-party file."""


# GGUF metadata value types with a fixed size → their struct format (8: string, 9: array).
SCALARS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
STRING, ARRAY = 8, 9
"""The value types of a string and of an array."""

# ggml tensor type → (elements per block, bytes per block), as gguf-py's GGML_QUANT_SIZES.
GGML_BLOCKS: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 40),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
}

# general.file_type → the quantization name people use (llama.cpp's LLAMA_FTYPE_*).
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}
