"""Where the model's layers go: how many fit in the free GPU memory (``n_gpu_layers: auto``).

Runs in the engine's worker process, which imports llama_cpp; measured through ggml's device
list, so it needs no vendor tool (nvidia-smi) and sees every backend llama.cpp was built with.
"""

from __future__ import annotations

from typing import Any

from letterdesk.core.engine.protocol import Load

GIB = 1 << 30
GPU_RESERVE_BYTES = GIB  # CUDA/Metal context, compute buffers: left free when estimating


def gpu_layers(llama_cpp: Any, spec: Load) -> tuple[int, str]:
    """The n_gpu_layers to load with and why; "auto" fills the free GPU memory layer by layer."""
    wanted = spec.n_gpu_layers
    if not llama_cpp.llama_supports_gpu_offload():
        return 0, "this llama.cpp build has no GPU support"
    if wanted != "auto":
        return int(wanted), "as set in the settings"
    free = free_gpu_bytes()
    per_layer, blocks = spec.layer_bytes, spec.block_count
    if free is None or not per_layer or not blocks:
        return -1, "GPU memory could not be measured; trying every layer"
    per_layer += spec.kv_bytes_per_layer or 0
    fit = max(0, (free - GPU_RESERVE_BYTES) // per_layer)
    if fit >= blocks:
        return -1, f"all {blocks} layers fit in {free / GIB:.1f} GiB free GPU memory"
    if fit == 0:
        return 0, f"no layer fits in {free / GIB:.1f} GiB free GPU memory"
    return int(fit), f"{fit} of {blocks} layers fit in {free / GIB:.1f} GiB free GPU memory"


def free_gpu_bytes() -> int | None:
    """Free memory summed over ggml's GPU devices; None when ggml cannot tell."""
    try:
        import ctypes

        from llama_cpp import _ggml

        lib = _ggml.libggml
        lib.ggml_backend_dev_count.restype = ctypes.c_size_t
        lib.ggml_backend_dev_get.argtypes = [ctypes.c_size_t]
        lib.ggml_backend_dev_get.restype = ctypes.c_void_p
        lib.ggml_backend_dev_type.argtypes = [ctypes.c_void_p]
        lib.ggml_backend_dev_type.restype = ctypes.c_int
        lib.ggml_backend_dev_memory.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(ctypes.c_size_t),
        ]
        total_free, found = 0, False
        for index in range(lib.ggml_backend_dev_count()):
            device = lib.ggml_backend_dev_get(index)
            if lib.ggml_backend_dev_type(device) not in (1, 2):  # GPU, integrated GPU
                continue
            free, total = ctypes.c_size_t(), ctypes.c_size_t()
            lib.ggml_backend_dev_memory(device, ctypes.byref(free), ctypes.byref(total))
            total_free += free.value
            found = True
        return total_free if found else None
    except (ImportError, AttributeError, OSError):
        return None
