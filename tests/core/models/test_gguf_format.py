"""GGUF's vocabulary: LetterDesk's copy of gguf-py's tables and keys says what gguf-py says."""

from __future__ import annotations

import gguf

from letterdesk.core.models.gguf_format import FILE_TYPES, GGML_BLOCKS, Keys


def test_the_tables_match_gguf_py():
    for ggml_type, (name, block, size) in GGML_BLOCKS.items():
        quant = gguf.GGMLQuantizationType(ggml_type)
        assert quant.name == name and gguf.GGML_QUANT_SIZES[quant] == (block, size)
    for file_type, name in FILE_TYPES.items():
        assert (
            gguf.LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_") == name
        )
    assert Keys.General.ARCHITECTURE == gguf.Keys.General.ARCHITECTURE
    assert Keys.General.FILE_TYPE == gguf.Keys.General.FILE_TYPE
    assert Keys.LLM.CONTEXT_LENGTH == gguf.Keys.LLM.CONTEXT_LENGTH
    assert Keys.LLM.BLOCK_COUNT == gguf.Keys.LLM.BLOCK_COUNT
    assert Keys.Attention.HEAD_COUNT_KV == gguf.Keys.Attention.HEAD_COUNT_KV
    assert Keys.Tokenizer.CHAT_TEMPLATE == gguf.Keys.Tokenizer.CHAT_TEMPLATE
    assert Keys.Tokenizer.BOS_ID == gguf.Keys.Tokenizer.BOS_ID
    assert Keys.Tokenizer.LIST == gguf.Keys.Tokenizer.LIST
    assert Keys.Adapter.TYPE == gguf.Keys.Adapter.TYPE
