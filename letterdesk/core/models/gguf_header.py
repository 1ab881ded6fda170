"""A pure-Python check of a GGUF model file's header, before llama.cpp is asked to load it.

The header is read front to back (magic, version, counts, key/value metadata, tensor
infos) and nothing after it: tensor data is never read, only checked to lie inside the
file. Large metadata arrays (the vocabulary, merges) are skipped and remembered by offset,
so a token's text can be looked up later without keeping 128k strings in memory.

Every problem is a :class:`~letterdesk.core.foundation.errors.ModelError` naming what is wrong, so a
truncated download, a file that is not a model, or a model of the wrong kind is reported
in words instead of crashing the loader.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models.gguf_format import (
    ARRAY,
    DEFAULT_ALIGNMENT,
    FILE_TYPES,
    GGML_BLOCKS,
    MAGIC,
    MAX_DIMS,
    SCALARS,
    STRING,
    SUPPORTED_VERSIONS,
    Keys,
)

MAX_COUNT = 1 << 20
"""More tensors or metadata entries than this mark a header as garbage."""
LAZY_ARRAY_LENGTH = 256
"""Arrays longer than this are skipped and kept as a :class:`LazyArray`."""

# The architectures whose GGUF layout and prompt format LetterDesk supports (LLaMA family;
# Mistral-style models are stored as "llama" too).
LLAMA_FAMILY = ("llama", "llama4")


_HINT_DAMAGED = (
    "Copy the model file again (compare its SHA-256 with the published one) "
    "or choose another file in the settings."
)


@dataclass(frozen=True)
class LazyArray:
    """A long metadata array that was skipped; ``offset`` is where its first item starts."""

    item_type: int
    count: int
    offset: int


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header describes it; ``nbytes`` is None for an unknown ggml type."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int
    nbytes: int | None


@dataclass(frozen=True)
class GgufHeader:
    """What a GGUF file says about itself, read without loading the model."""

    path: Path
    version: int
    file_size: int
    metadata: Mapping[str, Any]
    tensors: tuple[TensorInfo, ...]
    data_offset: int

    @property
    def architecture(self) -> str:
        """``general.architecture``, e.g. ``llama``; empty when missing."""
        return str(self.metadata.get(Keys.General.ARCHITECTURE, ""))

    @property
    def name(self) -> str:
        """``general.name``, or the file name when the file carries none."""
        return str(self.metadata.get(Keys.General.NAME) or self.path.stem)

    @property
    def version_label(self) -> str:
        """``general.version``; empty when missing."""
        return str(self.metadata.get(Keys.General.VERSION, ""))

    @property
    def context_length(self) -> int | None:
        """The context the model was trained for (``<arch>.context_length``)."""
        return self._int(Keys.LLM.CONTEXT_LENGTH)

    @property
    def block_count(self) -> int | None:
        """Number of transformer layers (``<arch>.block_count``)."""
        return self._int(Keys.LLM.BLOCK_COUNT)

    @property
    def quantization(self) -> str:
        """The file type as a quantization name (``Q4_K_M``, ``F16``…); ``unknown`` if absent."""
        value = self.metadata.get(Keys.General.FILE_TYPE)
        if not isinstance(value, int):
            return "unknown"
        return FILE_TYPES.get(value, f"file type {value}")

    @property
    def chat_template(self) -> str | None:
        """``tokenizer.chat_template``, or None when the file carries none."""
        value = self.metadata.get(Keys.Tokenizer.CHAT_TEMPLATE)
        return value if isinstance(value, str) and value.strip() else None

    @property
    def add_bos(self) -> bool:
        """Whether the tokenizer puts a begin-of-text token before a prompt."""
        return bool(self.metadata.get(Keys.Tokenizer.ADD_BOS, True))

    @property
    def fact_slots(self) -> bool:
        """Whether the model writes fact slots that LetterDesk fills from the case."""
        return bool(self.metadata.get(Keys.LetterDesk.FACT_SLOTS, False))

    @property
    def is_adapter(self) -> bool:
        """True for a LoRA adapter file rather than a model."""
        kind = self.metadata.get(Keys.General.TYPE)
        return kind == "adapter" or Keys.Adapter.TYPE in self.metadata

    def token_text(self, token_id: int | None) -> str | None:
        """The text of one vocabulary entry (e.g. the BOS token), read from the file."""
        tokens = self.metadata.get(Keys.Tokenizer.LIST)
        if token_id is None or token_id < 0:
            return None
        if isinstance(tokens, tuple):
            return str(tokens[token_id]) if token_id < len(tokens) else None
        if not isinstance(tokens, LazyArray) or tokens.item_type != STRING:
            return None
        if token_id >= tokens.count:
            return None
        with _open(self.path) as file:
            reader = _Reader(file, self.file_size, self.path)
            reader.seek(tokens.offset)
            for _ in range(token_id):
                reader.skip(reader.u64("a vocabulary entry"), "a vocabulary entry")
            return reader.string("a vocabulary entry")

    def special_token(self, key: str) -> str | None:
        """The text of the token whose id is stored under ``key`` (``Keys.Tokenizer.BOS_ID``)."""
        value = self.metadata.get(key)
        return self.token_text(value) if isinstance(value, int) else None

    def _int(self, key: str) -> int | None:
        value = self.metadata.get(key.format(arch=self.architecture))
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

    def kv_cache_bytes_per_layer(self, n_ctx: int) -> int | None:
        """Bytes one layer's KV cache takes for ``n_ctx`` tokens (keys and values in f16)."""
        width = self._int(Keys.LLM.EMBEDDING_LENGTH)
        heads = self._int(Keys.Attention.HEAD_COUNT)
        kv_heads = self._int(Keys.Attention.HEAD_COUNT_KV) or heads
        if not width or not heads or not kv_heads:
            return None
        return 2 * n_ctx * (width // heads) * kv_heads * 2

    def layer_bytes(self) -> int | None:
        """Bytes of weights per transformer layer (``blk.N.*``), for GPU offload estimates."""
        blocks = self.block_count
        sizes = [t.nbytes for t in self.tensors if t.name.startswith("blk.")]
        if not blocks or not sizes or any(s is None for s in sizes):
            return None
        return sum(s for s in sizes if s is not None) // blocks


def read_header(path: Path) -> GgufHeader:
    """Read and check a GGUF file's header; ModelError naming the problem when it is not sound."""
    path = Path(path)
    if not path.exists():
        raise ModelError(
            f"The model file {path} does not exist.",
            "Install the model or set another model path in LetterDesk's settings.",
        )
    if not path.is_file():
        raise ModelError(f"The model path {path} is not a file.", "Choose a .gguf file.")
    size = path.stat().st_size
    if size == 0:
        raise ModelError(f"The model file {path.name} is empty.", _HINT_DAMAGED)
    with _open(path) as file:
        reader = _Reader(file, size, path)
        return _read(reader, path, size)


def check_text_model(header: GgufHeader) -> None:
    """Refuse a GGUF that is not a LLaMA-family text model; ModelError saying what it is instead."""
    arch = header.architecture
    if header.is_adapter:
        raise ModelError(
            f"{header.path.name} is a LoRA adapter, not a language model.",
            "Set it as the adapter (lora_path) and choose the base model as the model file.",
        )
    if arch not in LLAMA_FAMILY:
        raise ModelError(
            f"{header.path.name} is a “{arch or 'unknown'}” model; LetterDesk writes letters "
            f"only with LLaMA-family models ({', '.join(LLAMA_FAMILY)}).",
            "Choose a LLaMA-3-style instruct model in GGUF format.",
        )
    if Keys.Tokenizer.MODEL not in header.metadata or Keys.Tokenizer.LIST not in header.metadata:
        raise ModelError(
            f"{header.path.name} has no vocabulary, so it cannot write text.",
            "The file is not a complete text model; convert the model again with its tokenizer.",
        )
    if not header.tensors:
        raise ModelError(f"{header.path.name} contains no weights.", _HINT_DAMAGED)


def _open(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")  # noqa: SIM115 - the caller closes it with `with`
    except OSError as exc:
        raise ModelError(
            f"The model file {path} cannot be read: {exc.strerror or exc}.",
            "Check the file's permissions.",
        ) from exc


class _Truncated(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class _Reader:
    """Little-endian reads that never go past the end of the file."""

    def __init__(self, file: BinaryIO, size: int, path: Path) -> None:
        self.file, self.size, self.path = file, size, path

    @property
    def pos(self) -> int:
        return self.file.tell()

    @property
    def left(self) -> int:
        return self.size - self.pos

    def seek(self, offset: int) -> None:
        self.file.seek(offset)

    def read(self, n: int, what: str) -> bytes:
        if n > self.left:
            raise _Truncated(what)
        data = self.file.read(n)
        if len(data) != n:
            raise _Truncated(what)
        return data

    def skip(self, n: int, what: str) -> None:
        if n > self.left:
            raise _Truncated(what)
        self.file.seek(n, 1)

    def scalar(self, fmt: str, what: str) -> Any:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt), what))[0]

    def u32(self, what: str) -> int:
        return int(self.scalar("<I", what))

    def u64(self, what: str) -> int:
        return int(self.scalar("<Q", what))

    def string(self, what: str) -> str:
        length = self.u64(what)
        if length > MAX_STRING_BYTES:
            raise _Truncated(what)
        return self.read(length, what).decode("utf-8", errors="replace")


def _read(reader: _Reader, path: Path, size: int) -> GgufHeader:
    try:
        magic = reader.read(4, "the file signature")
        if magic != MAGIC:
            raise ModelError(
                f"{path.name} is not a GGUF model file (it starts with {magic!r}, not {MAGIC!r}).",
                "LetterDesk runs models in llama.cpp's GGUF format; convert the model first.",
            )
        version = reader.u32("the format version")
        if version not in SUPPORTED_VERSIONS:
            swapped = struct.unpack(">I", struct.pack("<I", version))[0]
            detail = " (a big-endian file)" if swapped in SUPPORTED_VERSIONS else ""
            raise ModelError(
                f"{path.name} uses GGUF version {version}{detail}; LetterDesk reads versions "
                f"{' and '.join(map(str, SUPPORTED_VERSIONS))}.",
                "Convert the model again with a current llama.cpp.",
            )
        n_tensors = reader.u64("the tensor count")
        n_kv = reader.u64("the metadata count")
        _check_counts(path, n_tensors, n_kv)
        metadata: dict[str, Any] = {}
        for index in range(n_kv):
            where = f"metadata entry {index + 1} of {n_kv}"
            key = reader.string(where)
            metadata[key] = _value(reader, reader.u32(where), where, path)
        tensors_at = [_tensor_info(reader, i, n_tensors, path) for i in range(n_tensors)]
        alignment = metadata.get(Keys.General.ALIGNMENT, DEFAULT_ALIGNMENT)
        if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
            raise ModelError(
                f"{path.name} declares an impossible alignment {alignment!r}.", _HINT_DAMAGED
            )
        data_offset = -(-reader.pos // alignment) * alignment
    except _Truncated as exc:
        raise ModelError(
            f"The model file {path.name} is incomplete: it ends inside {exc.what} "
            f"(the file has {size:,} bytes).",
            "The download or copy did not finish; " + _HINT_DAMAGED,
        ) from None
    header = GgufHeader(path, version, size, metadata, tuple(tensors_at), data_offset)
    _check_tensor_data(header, alignment)
    return header


def _check_counts(path: Path, n_tensors: int, n_kv: int) -> None:
    # real models have thousands of tensors and dozens of entries: beyond this is garbage
    if n_tensors > MAX_COUNT or n_kv > MAX_COUNT:
        raise ModelError(
            f"{path.name} is damaged: its header claims {n_tensors:,} tensors and {n_kv:,} "
            "metadata entries.",
            _HINT_DAMAGED,
        )


MAX_ARRAY_NESTING = 8  # real files nest arrays at most once; a deeper file is crafted
MAX_STRING_BYTES = 64 * 1024 * 1024  # the largest real metadata string (a vocabulary) is far less


def _value(reader: _Reader, value_type: int, where: str, path: Path, depth: int = 0) -> Any:
    if depth > MAX_ARRAY_NESTING:
        raise ModelError(
            f"{path.name} is damaged: {where} nests arrays more than {MAX_ARRAY_NESTING} deep.",
            _HINT_DAMAGED,
        )
    if value_type in SCALARS:
        return reader.scalar(SCALARS[value_type], where)
    if value_type == STRING:
        return reader.string(where)
    if value_type != ARRAY:
        raise ModelError(
            f"{path.name} is damaged: {where} has unknown type {value_type}.", _HINT_DAMAGED
        )
    item_type, count = reader.u32(where), reader.u64(where)
    if item_type not in SCALARS and item_type not in (STRING, ARRAY):
        raise ModelError(
            f"{path.name} is damaged: {where} is an array of unknown type {item_type}.",
            _HINT_DAMAGED,
        )
    # the smallest an item can be: a scalar's size, a string's length, an array's type+count
    item_size = struct.calcsize(SCALARS[item_type]) if item_type in SCALARS else 8
    if count * item_size > reader.left:
        raise _Truncated(where)
    if count <= LAZY_ARRAY_LENGTH:
        return tuple(_value(reader, item_type, where, path, depth + 1) for _ in range(count))
    lazy = LazyArray(item_type, count, reader.pos)
    if item_type == STRING:
        for _ in range(count):
            reader.skip(reader.u64(where), where)
    elif item_type == ARRAY:
        for _ in range(count):
            _value(reader, ARRAY, where, path, depth + 1)
    else:
        reader.skip(count * item_size, where)
    return lazy


def _tensor_info(reader: _Reader, index: int, count: int, path: Path) -> TensorInfo:
    where = f"tensor description {index + 1} of {count}"
    name = reader.string(where)
    n_dims = reader.u32(where)
    if not 1 <= n_dims <= MAX_DIMS:
        raise ModelError(
            f"{path.name} is damaged: tensor {name!r} has {n_dims} dimensions.", _HINT_DAMAGED
        )
    shape = tuple(reader.u64(where) for _ in range(n_dims))
    ggml_type, offset = reader.u32(where), reader.u64(where)
    elements = 1
    for dim in shape:
        elements *= dim
    block = GGML_BLOCKS.get(ggml_type)
    nbytes = None
    if block is not None:
        _, per_block, block_bytes = block
        if elements % per_block:
            raise ModelError(
                f"{path.name} is damaged: tensor {name!r} of type {block[0]} has "
                f"{elements} elements, not a multiple of {per_block}.",
                _HINT_DAMAGED,
            )
        nbytes = elements // per_block * block_bytes
    return TensorInfo(name, shape, ggml_type, offset, nbytes)


def _check_tensor_data(header: GgufHeader, alignment: int) -> None:
    room = header.file_size - header.data_offset
    for tensor in header.tensors:
        if tensor.offset % alignment:
            raise ModelError(
                f"{header.path.name} is damaged: tensor {tensor.name!r} is not "
                f"aligned to {alignment} bytes.",
                _HINT_DAMAGED,
            )
        end = tensor.offset + (tensor.nbytes or 0)
        if end > room:
            raise ModelError(
                f"The model file {header.path.name} is incomplete: the weights of "
                f"{tensor.name!r} end at byte {header.data_offset + end:,}, but the file has "
                f"only {header.file_size:,} bytes.",
                "The download or copy did not finish; " + _HINT_DAMAGED,
            )
