"""The model host: a letter longer than the context gets the room there is."""

from __future__ import annotations

from letterdesk.core.engine.types import DecodingOptions
from letterdesk.gui.generation_op import GenerationOp, ModelHost


def test_a_letter_longer_than_the_context_gets_the_room_there_is(qtbot, tiny_engine, store_path):
    host = ModelHost(tiny_engine, store_path, DecodingOptions(max_tokens=1024, ignore_eos=True))
    try:
        with qtbot.waitSignal(host.loaded, timeout=30000) as loaded:
            host.load()
        assert loaded.args[0].n_ctx == 512 and loaded.args[0].device == "CPU"
        op = GenerationOp("SYN-DEMO-004", None, "Dr. A")
        with qtbot.waitSignal(op.finished, timeout=30000) as finished:
            host.generate(op)
        result = finished.args[0]
        assert result.finish_reason == "length"
        assert result.timing.prompt_tokens + result.timing.completion_tokens == 512
        assert result.revision.kind == "draft" and result.letter.case_id == "SYN-DEMO-004"
    finally:
        host.close()
