"""Which llama.cpp backend runs: asked of the llama.cpp installed here."""

from __future__ import annotations

from letterdesk.core.engine.backend_info import backend_info, cpu_features

CUDA_BUILD = (
    "CUDA : ARCHS = 750,800,860,890,900 | USE_GRAPHS = 1 | PEER_MAX_BATCH_SIZE = 128 | "
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | AVX512 = 0 | LLAMAFILE = 1 | "
)


def test_the_installed_llama_cpp_names_its_backend_and_devices():
    info = backend_info()

    assert info.backend in info.backends
    assert "CPU" in info.backends
    assert any(device.kind == "cpu" for device in info.devices)
    assert info.gpu_offload == (info.backend != "CPU")
    assert info.summary().startswith(info.backend)
    assert info.llama_cpp_python in info.summary()


def test_cpu_features_come_from_the_cpu_section_only():
    assert cpu_features(CUDA_BUILD) == ("SSE3", "SSSE3", "AVX", "AVX2", "LLAMAFILE")
    assert cpu_features("") == ()
