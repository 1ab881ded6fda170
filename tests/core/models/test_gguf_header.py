"""The GGUF pre-check: real files written by gguf-py, cut and damaged in the ways downloads are."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import numpy as np
import pytest

from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models import gguf_header
from letterdesk.core.models.gguf_format import Keys
from letterdesk.core.models.gguf_header import LazyArray, check_text_model, read_header


def write_gguf(path: Path, arch: str = "llama", **extra) -> Path:
    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_name("test model")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_context_length(4096)
    writer.add_block_count(1)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"t{i}" for i in range(300)] + ["<|begin_of_text|>"])
    writer.add_bos_token_id(300)
    writer.add_chat_template("{{ messages }}")
    for key, (kind, value) in extra.items():
        getattr(writer, f"add_{kind}")(key, value)
    writer.add_tensor("token_embd.weight", np.zeros((8, 32), dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight", np.ones((32, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture()
def model_file(tmp_path) -> Path:
    return write_gguf(tmp_path / "model.gguf")


def test_the_metadata_a_model_carries_is_read_without_loading(tiny_gguf):
    header = read_header(tiny_gguf)
    assert header.version == 3 and header.architecture == "llama"
    assert header.context_length == 2048 and header.block_count == 2
    assert header.quantization == "F32" and header.add_bos is True
    assert header.chat_template and "assistant" in header.chat_template
    assert header.special_token(Keys.Tokenizer.BOS_ID) == "<|begin_of_text|>"
    assert header.special_token(Keys.Tokenizer.EOS_ID) == "<|eot_id|>"
    assert isinstance(header.metadata[Keys.Tokenizer.LIST], LazyArray)  # skipped, not kept
    reader = gguf.GGUFReader(str(tiny_gguf))
    assert len(header.tensors) == len(reader.tensors)
    assert header.data_offset == reader.data_offset
    for mine, theirs in zip(header.tensors, reader.tensors, strict=True):
        assert mine.name == theirs.name and mine.nbytes == theirs.n_bytes
        assert header.data_offset + mine.offset == theirs.data_offset


def test_every_value_type_is_parsed(tmp_path):
    path = write_gguf(
        tmp_path / "types.gguf",
        **{
            "t.u8": ("uint8", 200),
            "t.i8": ("int8", -100),
            "t.u16": ("uint16", 60000),
            "t.i16": ("int16", -30000),
            "t.u32": ("uint32", 4_000_000_000),
            "t.i32": ("int32", -2_000_000_000),
            "t.f32": ("float32", 0.5),
            "t.bool": ("bool", False),
            "t.str": ("string", "Grüße ✓"),
            "t.u64": ("uint64", 2**60),
            "t.i64": ("int64", -(2**60)),
            "t.f64": ("float64", 1e-300),
            "t.ints": ("array", [1, 2, 3]),
            "t.strs": ("array", ["a", "bé"]),
            "t.long": ("array", list(range(1000))),
        },
    )
    meta = read_header(path).metadata
    assert [meta[f"t.{k}"] for k in ("u8", "i8", "u16", "i16", "u32", "i32")] == [
        200,
        -100,
        60000,
        -30000,
        4_000_000_000,
        -2_000_000_000,
    ]
    assert meta["t.f32"] == 0.5 and meta["t.bool"] is False and meta["t.str"] == "Grüße ✓"
    assert (meta["t.u64"], meta["t.i64"], meta["t.f64"]) == (2**60, -(2**60), 1e-300)
    assert meta["t.ints"] == (1, 2, 3) and meta["t.strs"] == ("a", "bé")
    assert isinstance(meta["t.long"], LazyArray) and meta["t.long"].count == 1000
    assert read_header(path).quantization == "Q8_0"


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        (2, "ends inside the file signature"),
        (6, "ends inside the format version"),
        (30, "ends inside metadata entry 1 of"),
        (-1, "ends inside tensor description 2 of 2"),
        (-2, "the weights of 'blk.0.attn_q.weight' end at byte"),
    ],
)
def test_a_truncated_file_says_where_it_ends(model_file, keep, expected):
    data = model_file.read_bytes()
    offset = read_header(model_file).data_offset
    cut = {-1: offset - 40, -2: len(data) - 100}.get(keep, keep)
    model_file.write_bytes(data[:cut])
    with pytest.raises(ModelError, match="is incomplete") as refused:
        read_header(model_file)
    assert expected in refused.value.message and f"{cut:,} bytes" in refused.value.message


def test_files_that_are_no_gguf_or_damaged_are_named(tmp_path, model_file):
    cases = {
        b"": "is empty",
        b"PK\x03\x04 a zip file, not a model": "is not a GGUF model file",
        b"GGUF" + struct.pack("<I", 1) + bytes(64): "uses GGUF version 1",
        b"GGUF" + struct.pack(">I", 3) + bytes(64): "(a big-endian file)",
        b"GGUF" + struct.pack("<IQQ", 3, 2**40, 1) + bytes(64): "claims 1,099,511,627,776 tensors",
    }
    for content, expected in cases.items():
        path = tmp_path / "damaged.gguf"
        path.write_bytes(content)
        with pytest.raises(ModelError) as refused:
            read_header(path)
        assert expected in refused.value.message
    data = bytearray(model_file.read_bytes())
    key_end = 24 + 8 + len(b"general.architecture")
    data[key_end : key_end + 4] = struct.pack("<I", 77)  # the first entry's value type
    model_file.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="metadata entry 1 of .* has unknown type 77"):
        read_header(model_file)
    with pytest.raises(ModelError, match="does not exist"):
        read_header(tmp_path / "missing.gguf")


def test_only_the_header_is_read(model_file, monkeypatch, tiny_gguf):
    read_bytes: list[int] = []

    class Counting:
        def __init__(self, file) -> None:
            self.file = file

        def read(self, n: int) -> bytes:
            data = self.file.read(n)
            read_bytes.append(len(data))
            return data

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.file.close()

    monkeypatch.setattr(
        gguf_header, "open", lambda path, mode: Counting(open(path, mode)), raising=False
    )
    header = read_header(tiny_gguf)
    size = tiny_gguf.stat().st_size
    print(f"read {sum(read_bytes):,} of {size:,} bytes; the header ends at {header.data_offset:,}")
    assert 0 < sum(read_bytes) <= header.data_offset < size // 10  # read through this file


def test_only_llama_family_text_models_are_accepted(tmp_path, model_file):
    check_text_model(read_header(model_file))
    with pytest.raises(ModelError, match="“qwen2” model; LetterDesk writes letters only with"):
        check_text_model(read_header(write_gguf(tmp_path / "qwen.gguf", arch="qwen2")))
    adapter = write_gguf(tmp_path / "adapter.gguf", **{"general.type": ("string", "adapter")})
    with pytest.raises(ModelError, match="is a LoRA adapter, not a language model"):
        check_text_model(read_header(adapter))
