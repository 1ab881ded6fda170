"""The committed demo model and demo cases, as the engine tests load them."""

from __future__ import annotations

from typing import Any

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.foundation.paths import resource

DEMO = resource("models", "letterdesk-demo.gguf")
DEMO_CASES = sorted(resource("demo_cases").glob("*.json"))


def demo_case(number: int) -> Case:
    """Demo case ``SYN-DEMO-<number>`` (1 to 24)."""
    path = resource("demo_cases", f"SYN-DEMO-{number:03d}.json")
    return parse_case(path.read_text(encoding="utf-8"), path.name)


def demo_worker(send: Any, cancel: Any, pause: Any = None, n_ctx: int = 2048) -> Any:
    """A worker in this process (no pipe: its replies go to ``send``) with the demo model
    loaded on the CPU, one thread."""
    from letterdesk.core.engine.protocol import Load
    from letterdesk.core.engine.worker import _Worker

    worker = _Worker(send, cancel, pause)
    worker.load(
        Load(name="demo", model_path=str(DEMO), lora_path=None, n_ctx=n_ctx, n_batch=512,
             n_threads=1, n_gpu_layers=0, layer_bytes=None, block_count=None,
             kv_bytes_per_layer=None)
    )  # fmt: skip
    return worker
