"""benchmarks/scaled_model.py: a larger model that reads prompts exactly as the demo model does."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from letterdesk.core.models.gguf_header import read_header

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "models" / "letterdesk-demo.gguf"


def _scaled_model():
    spec = importlib.util.spec_from_file_location(
        "scaled_model", ROOT / "benchmarks" / "scaled_model.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_scaled_model_has_its_size_and_the_demo_models_tokens(tmp_path):
    import llama_cpp

    gguf = _scaled_model().build(tmp_path, width=128, layers=1, seed=0)

    header, demo = read_header(gguf), read_header(DEMO)
    assert (header.block_count, header.quantization) == (1, "Q8_0")
    assert header.chat_template == demo.chat_template
    text = "Schreibe den Abschlussbericht nach Strahlentherapie.\nPatient: Frau Øberg, 06.01.1957"
    ids = []
    for path in (gguf, DEMO):
        llama = llama_cpp.Llama(model_path=str(path), n_ctx=64, vocab_only=True, verbose=False)
        ids.append(llama.tokenize(text.encode(), add_bos=True, special=True))
        llama.close()
    assert ids[0] == ids[1] and len(ids[0]) > 10
    assert (tmp_path / "hf" / "config.json").is_file()
