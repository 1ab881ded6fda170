"""Which llama.cpp backend writes letters on this computer: CPU, CUDA, Metal, Vulkan ...

llama.cpp is asked, not guessed: :func:`backend_info` loads its backends the way the engine
does (a portable build picks the CPU variant that suits this processor and loads a GPU
backend only where its driver is present), then lists the backends it registered, their
devices and its system-info line. Importing llama_cpp loads the native library, so this
is meant for ``letterdesk selftest`` and diagnostics; the app itself loads llama.cpp only
in the engine's worker process.
"""

from __future__ import annotations

import ctypes
import logging
from dataclasses import dataclass
from typing import Any

from letterdesk.core.foundation.errors import ModelError

DEVICE_KINDS = ("cpu", "gpu", "igpu", "accel", "meta")
"""ggml's ``enum ggml_backend_dev_type``, in its order."""


@dataclass(frozen=True)
class Device:
    """One device llama.cpp can run on."""

    name: str
    """ggml's name for it, e.g. ``CUDA0``, ``Metal``, ``CPU``."""
    description: str
    """What it is, e.g. ``NVIDIA H100 80GB HBM3`` or the processor's model name."""
    kind: str
    """``cpu``, ``gpu`` (dedicated memory), ``igpu`` (shared memory), ``accel`` or ``meta``."""
    backend: str
    """The backend that drives it, e.g. ``CUDA``, ``Metal``, ``CPU``."""
    memory_total: int
    """Bytes of memory the device has (0 where ggml does not say)."""


@dataclass(frozen=True)
class BackendInfo:
    """What llama.cpp runs on here."""

    backend: str
    """The backend letters run on: the first GPU backend with a device, else ``CPU``."""
    gpu_offload: bool
    """True when layers can be offloaded to a GPU (``llama_supports_gpu_offload``)."""
    llama_cpp_python: str
    """Version of llama-cpp-python (which pins the llama.cpp it was built from)."""
    backends: tuple[str, ...]
    """Every backend llama.cpp registered, e.g. ``("CUDA", "CPU")``."""
    devices: tuple[Device, ...]
    """Every device of those backends."""
    cpu_features: tuple[str, ...]
    """Instruction-set features the CPU backend in use was built for, e.g. ``AVX2``."""
    system_info: str
    """llama.cpp's own line (``llama_print_system_info``), for IT."""

    def summary(self) -> str:
        """One line for people: the backend, its devices, and the CPU code path."""
        gpus = [d for d in self.devices if d.kind in ("gpu", "igpu")]
        shown = ", ".join(_device_words(d) for d in gpus)
        cpu = " ".join(self.cpu_features) or "baseline"
        head = f"{self.backend} ({shown})" if shown else self.backend
        return f"{head}; CPU code path: {cpu}; llama-cpp-python {self.llama_cpp_python}"


def _device_words(device: Device) -> str:
    if device.memory_total <= 0:
        return device.description
    return f"{device.description}, {device.memory_total / 2**30:.1f} GiB"


def backend_info() -> BackendInfo:
    """Ask llama.cpp which backends and devices it has; ModelError if it cannot be loaded."""
    try:
        import llama_cpp
        from llama_cpp import _ggml
    except (ImportError, OSError) as exc:  # a missing or broken native library
        raise ModelError(
            f"The letter generator (llama.cpp) cannot be loaded: {exc}.",
            "Reinstall LetterDesk; a self-built llama-cpp-python must match this computer.",
        ) from exc
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)  # no loader chatter
    gpu_offload = bool(llama_cpp.llama_supports_gpu_offload())  # loads the backends first
    registry = _Registry(_ggml.libggml)
    devices = tuple(registry.devices())
    system_info = llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()
    gpu_backends = [d.backend for d in devices if d.kind in ("gpu", "igpu")]
    return BackendInfo(
        backend=gpu_backends[0] if gpu_backends else "CPU",
        gpu_offload=gpu_offload,
        llama_cpp_python=str(getattr(llama_cpp, "__version__", "unknown")),
        backends=tuple(registry.backend_names()),
        devices=devices,
        cpu_features=cpu_features(system_info),
        system_info=system_info,
    )


def cpu_features(system_info: str) -> tuple[str, ...]:
    """The features switched on (``= 1``) in the ``CPU :`` section of llama.cpp's system info.

    The line reads ``CUDA : ARCHS = 890 | ... | CPU : SSE3 = 1 | AVX2 = 1 | ...``: a
    ``NAME :`` prefix opens each backend's section.
    """
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for item in system_info.split("|"):
        item = item.strip()
        if " : " in item:
            current, item = (part.strip() for part in item.split(" : ", 1))
        if "=" in item:
            key, value = (part.strip() for part in item.split("=", 1))
            sections.setdefault(current, {})[key] = value
    return tuple(key for key, value in sections.get("CPU", {}).items() if value == "1")


class _Registry:
    """ggml's backend registry, read through ctypes from libggml (which holds it)."""

    def __init__(self, libggml: Any) -> None:
        lib = ctypes.CDLL(libggml._name)  # own function objects: llama_cpp's stay untouched
        pointer, text, size = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t
        signatures = {
            "ggml_backend_reg_count": ([], size),
            "ggml_backend_reg_get": ([size], pointer),
            "ggml_backend_reg_name": ([pointer], text),
            "ggml_backend_dev_count": ([], size),
            "ggml_backend_dev_get": ([size], pointer),
            "ggml_backend_dev_name": ([pointer], text),
            "ggml_backend_dev_description": ([pointer], text),
            "ggml_backend_dev_type": ([pointer], ctypes.c_int),
            "ggml_backend_dev_backend_reg": ([pointer], pointer),
            "ggml_backend_dev_memory": ([pointer, ctypes.c_void_p, ctypes.c_void_p], None),
        }
        for name, (arguments, result) in signatures.items():
            function = getattr(lib, name)
            function.argtypes, function.restype = arguments, result
        self._lib = lib

    def backend_names(self) -> list[str]:
        lib = self._lib
        return [_text(lib.ggml_backend_reg_name(lib.ggml_backend_reg_get(i)))
                for i in range(lib.ggml_backend_reg_count())]  # fmt: skip

    def _backend_of(self, device: int) -> str:
        return _text(
            self._lib.ggml_backend_reg_name(self._lib.ggml_backend_dev_backend_reg(device))
        )

    def devices(self) -> list[Device]:
        lib, found = self._lib, []
        for index in range(lib.ggml_backend_dev_count()):
            device = lib.ggml_backend_dev_get(index)
            free, total = ctypes.c_size_t(0), ctypes.c_size_t(0)
            lib.ggml_backend_dev_memory(device, ctypes.byref(free), ctypes.byref(total))
            kind = lib.ggml_backend_dev_type(device)
            found.append(
                Device(
                    name=_text(lib.ggml_backend_dev_name(device)),
                    description=_text(lib.ggml_backend_dev_description(device)),
                    kind=DEVICE_KINDS[kind] if 0 <= kind < len(DEVICE_KINDS) else str(kind),
                    backend=self._backend_of(device),
                    memory_total=int(total.value),
                )
            )
        return found


def _text(raw: bytes | None) -> str:
    return raw.decode("utf-8", "replace").strip() if raw else ""
