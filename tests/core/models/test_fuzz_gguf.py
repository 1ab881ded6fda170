"""Fuzzing the GGUF pre-check: damaged model files give a clear ModelError, never a crash or hang.

Inputs are a valid GGUF file (written by gguf-py) with bits flipped, cut short, counts and
lengths made huge, value types changed, random bytes spliced in — or random bytes
altogether. Each input must either be read (and then its accessors work) or raise
:class:`ModelError` with a message and a hint, within TIME_LIMIT_S (30 s: it catches a hang,
not a slow input). The number of inputs tried is printed (``pytest -s``).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.models.gguf_format import Keys
from letterdesk.core.models.gguf_header import check_text_model, read_header
from tests.core.fuzzing import TIME_LIMIT_S, time_limit
from tests.core.models.test_gguf_header import write_gguf

EXAMPLES = 6000
HUGE = [0, 1, 3, 9, 13, 255, 256, 257, 2**20, 2**20 + 1, 2**31, 2**32 - 1, 2**32,
        2**63 - 1, 2**63, 2**64 - 1]  # fmt: skip


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> tuple[bytes, int]:
    """A valid model file's bytes and where its header ends (mutations mostly land before)."""
    path = write_gguf(tmp_path_factory.mktemp("seed") / "seed.gguf")
    return path.read_bytes(), read_header(path).data_offset


@st.composite
def damaged(draw: st.DrawFn, seed: tuple[bytes, int]) -> bytes:
    data, header_end = bytearray(seed[0]), seed[1]
    where = st.integers(0, header_end - 1)
    kind = draw(st.sampled_from(["flip", "cut", "count", "number", "splice", "random"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 16))):
            data[draw(where)] ^= 1 << draw(st.integers(0, 7))
    elif kind == "cut":
        del data[draw(st.integers(0, len(data) - 1)) :]
    elif kind == "count":  # the tensor count (offset 8) or the metadata count (offset 16)
        at = draw(st.sampled_from([8, 16]))
        data[at : at + 8] = draw(st.sampled_from(HUGE)).to_bytes(8, "little")
    elif kind == "number":  # a length, count, type or offset somewhere in the header
        width = draw(st.sampled_from([4, 8]))
        at = draw(st.integers(0, header_end - width))
        value = draw(st.one_of(st.sampled_from(HUGE), st.integers(0, 2 ** (8 * width) - 1)))
        data[at : at + width] = (value % 2 ** (8 * width)).to_bytes(width, "little")
    elif kind == "splice":
        at = draw(where)
        data[at : at + draw(st.integers(0, 64))] = draw(st.binary(min_size=1, max_size=64))
    else:
        prefix = draw(st.sampled_from([b"", b"GGUF", b"GGUF\x03\x00\x00\x00"]))
        data = bytearray(prefix + draw(st.binary(max_size=512)))
    return bytes(data)


def use(path: Path) -> None:
    """What the engine does with a header it accepted."""
    header = read_header(path)
    check_text_model(header)
    header.special_token(Keys.Tokenizer.BOS_ID)
    header.kv_cache_bytes_per_layer(2048)
    header.layer_bytes()
    assert isinstance(header.quantization, str) and header.name


def test_damaged_model_files_give_a_clear_error(seed, tmp_path):
    path = tmp_path / "model.gguf"
    outcomes = {"read": 0, "refused": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(damaged(seed))
    def one(data: bytes) -> None:
        path.write_bytes(data)
        try:
            with time_limit(TIME_LIMIT_S):
                use(path)
        except ModelError as exc:
            assert exc.message and exc.hint, f"an unclear error: {exc!r}"
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1

    one()
    tried = sum(outcomes.values())
    print(f"\nGGUF pre-check fuzz: {tried} inputs tried, {outcomes['refused']} refused with a "
          f"ModelError, {outcomes['read']} read and used")  # fmt: skip
    assert tried >= EXAMPLES * 0.9 and outcomes["refused"] > tried // 2


def nested_arrays(depth: int) -> bytes:
    """A header whose one metadata value is an array in an array in an array... ``depth`` deep."""

    def text(value: str) -> bytes:
        return struct.pack("<Q", len(value)) + value.encode()

    data = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + text("deep") + struct.pack("<I", 9)
    data += struct.pack("<IQ", 9, 1) * depth
    return data + struct.pack("<IQI", 4, 1, 7)


def test_deeply_nested_metadata_arrays_give_a_clear_error(tmp_path):
    path = tmp_path / "nested.gguf"
    path.write_bytes(nested_arrays(5000))
    with pytest.raises(ModelError, match="damaged"):
        read_header(path)
