"""The GPU path on a machine without a GPU: llama.cpp and its GPU memory query are faked, the
engine's own code runs. How many layers go to the GPU, and both ways back to the CPU when the
GPU load fails: an error the worker catches, and a worker that dies while loading."""

from __future__ import annotations

import signal
import sys
import types
from pathlib import Path

import pytest

from letterdesk.core.engine import placement, worker
from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.protocol import Load, Loading, LoadNotice, Ready
from letterdesk.core.engine.types import EngineSettings, Notice
from letterdesk.core.foundation.errors import ModelError

GIB, MIB = 1 << 30, 1 << 20


def load_spec(n_gpu_layers: int | str = "auto") -> Load:
    # 32 layers of 200 MiB weights + 8 MiB KV cache each: an 8B model in Q4, roughly
    return Load("model", "/m.gguf", None, 4096, 512, 1, n_gpu_layers, 200 * MIB, 32, 8 * MIB)


def fake_llama_cpp(*, gpu: bool = True, gpu_load_fails: bool = False) -> types.SimpleNamespace:
    """A llama_cpp module with just what the worker calls."""
    opened: list[int] = []

    class Llama:
        def __init__(self, **kwargs: object) -> None:
            opened.append(int(kwargs["n_gpu_layers"]))  # type: ignore[call-overload]
            if gpu_load_fails and kwargs["n_gpu_layers"] != 0:
                raise ValueError("Failed to load model from file: CUDA error: out of memory")
            self.model = object()

        def n_ctx(self) -> int:
            return 4096

        def token_bos(self) -> int:
            return 1

        def eval(self, tokens: list[int]) -> None:
            pass

        def reset(self) -> None:
            pass

        def n_vocab(self) -> int:
            return 4

        def detokenize(self, tokens: list[int]) -> bytes:
            return b"t"

        def close(self) -> None:
            pass

    return types.SimpleNamespace(
        Llama=Llama,
        llama_supports_gpu_offload=lambda: gpu,
        llama_vocab_get_add_bos=lambda vocab: True,
        llama_model_get_vocab=lambda model: None,
        llama_vocab_is_eog=lambda vocab, token: token == 3,
        opened=opened,
    )


@pytest.mark.parametrize(
    ("gpu", "wanted", "free", "layers", "why"),
    [
        (False, "auto", 80 * GIB, 0, "this llama.cpp build has no GPU support"),
        (True, "20", 80 * GIB, 20, "as set in the settings"),
        (True, "auto", None, -1, "GPU memory could not be measured; trying every layer"),
        (True, "auto", 8 * GIB, -1, "all 32 layers fit in 8.0 GiB free GPU memory"),
        (True, "auto", 4 * GIB, 14, "14 of 32 layers fit in 4.0 GiB free GPU memory"),
        (True, "auto", GIB + 100 * MIB, 0, "no layer fits in 1.1 GiB free GPU memory"),
    ],
)
def test_layers_on_the_gpu_follow_the_free_memory(monkeypatch, gpu, wanted, free, layers, why):
    # 1 GiB stays free for the CUDA context: 4 GiB free leave room for 3072 MiB / 208 MiB = 14
    monkeypatch.setattr(placement, "free_gpu_bytes", lambda: free)

    assert placement.gpu_layers(fake_llama_cpp(gpu=gpu), load_spec(wanted)) == (layers, why)


def test_a_gpu_load_that_fails_falls_back_to_the_cpu_and_says_so(monkeypatch):
    fake = fake_llama_cpp(gpu_load_fails=True)
    monkeypatch.setitem(sys.modules, "llama_cpp", fake)
    monkeypatch.setattr(placement, "free_gpu_bytes", lambda: 80 * GIB)
    sent: list[object] = []

    loaded = worker._Worker(sent.append, cancel=None)
    loaded.load(load_spec())
    loaded.close()

    assert fake.opened == [-1, 0]  # every layer on the GPU first, then none
    loading, notice, ready = sent
    assert isinstance(loading, Loading) and "onto the GPU" in loading.message
    assert isinstance(notice, LoadNotice) and notice.code == "gpu_fallback"
    assert "CUDA error: out of memory" in notice.message and "on the CPU" in notice.message
    assert isinstance(ready, Ready)
    assert (ready.n_gpu_layers, ready.device, ready.device_reason) == (
        0,
        "CPU",
        "the GPU load failed",
    )


FAKE_PACKAGE = f'''"""A llama_cpp whose GPU load kills the process, as a driver crash does."""
import os, signal
def llama_supports_gpu_offload(): return True
def llama_vocab_get_add_bos(vocab): return True
def llama_model_get_vocab(model): return None
def llama_vocab_is_eog(vocab, token): return token == 3
class Llama:
    def __init__(self, **kwargs):
        if kwargs["n_gpu_layers"] != 0:
            os.kill(os.getpid(), {int(signal.SIGKILL)})
        self.model = object()
    def n_ctx(self): return 512
    def token_bos(self): return 1
    def eval(self, tokens): pass
    def reset(self): pass
    def n_vocab(self): return 4
    def detokenize(self, tokens): return b"t"
    def close(self): pass
'''


def install_fake(source: str, tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "fake" / "llama_cpp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(source, encoding="utf-8")
    # a spawned worker starts with this process's sys.path, so it imports the fake
    monkeypatch.syspath_prepend(str(package.parent))


def test_a_worker_that_dies_loading_onto_the_gpu_is_started_again_on_the_cpu(
    tiny_gguf: Path, tmp_path, monkeypatch
):
    install_fake(FAKE_PACKAGE, tmp_path, monkeypatch)
    steps: list[object] = []

    with Engine(EngineSettings(model_path=tiny_gguf, n_threads=1, n_gpu_layers=-1)) as engine:
        info = engine.load(steps.append)

    notices = [s for s in steps if isinstance(s, Notice)]
    assert [n.code for n in notices] == ["gpu_fallback"]
    assert "SIGKILL" in notices[0].message and "on the CPU" in notices[0].message
    assert (info.device, info.n_gpu_layers) == ("CPU", 0)


@pytest.mark.skipif(sys.platform == "win32", reason="signals are POSIX")
def test_a_llama_cpp_built_for_another_processor_is_named_not_retried_on_the_cpu(
    tiny_gguf: Path, tmp_path, monkeypatch, no_core_files
):
    # a native build copied to an older desk, or the AMX variant on an AMX Xeon
    # (docs/installers.md): the worker dies of SIGILL while loading, on the GPU or not
    died = FAKE_PACKAGE.replace('kwargs["n_gpu_layers"] != 0', "True").replace(
        str(int(signal.SIGKILL)), str(int(signal.SIGILL))
    )
    install_fake(died, tmp_path, monkeypatch)
    steps: list[object] = []
    with Engine(EngineSettings(model_path=tiny_gguf, n_threads=1, n_gpu_layers=-1)) as engine:
        with pytest.raises(ModelError) as failed:
            engine.load(steps.append)
    assert "SIGILL" in failed.value.message
    assert "built for another processor" in failed.value.hint
    assert "memory" not in failed.value.hint
    assert not [s for s in steps if isinstance(s, Notice)]  # no pointless try on the CPU
