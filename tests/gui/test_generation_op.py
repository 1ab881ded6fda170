"""The model host: a letter longer than the context gets the room there is; after a restart
the worker has the model's earlier letters before the first one is asked for."""

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


def test_a_restarted_window_hands_the_model_its_letters_while_the_physician_opens_a_case(
    qtbot, store_path
):
    from letterdesk.core.engine.types import EngineSettings
    from tests.core.engine.demo import DEMO

    settings = EngineSettings(model_path=DEMO, n_threads=1)

    def write(host: ModelHost, case_id: str):
        op = GenerationOp(case_id, None, "Dr. A")
        with qtbot.waitSignal(op.finished, timeout=60000) as finished:
            host.generate(op)
        return finished.args[0]

    before = ModelHost(settings, store_path)
    try:
        for case_id in ("SYN-DEMO-002", "SYN-DEMO-003", "SYN-DEMO-004"):
            write(before, case_id)
    finally:
        before.close()
    host = ModelHost(settings, store_path)  # the window started again
    try:
        with qtbot.waitSignal(host.loaded, timeout=30000):
            host.load()
        offered_again: list[int] = []
        taken: list[int] = []
        host.lane.call(
            lambda seat: taken.append(seat.engine.remember(lambda: offered_again.append(1) or []))
        )
        qtbot.waitUntil(lambda: bool(taken), timeout=30000)
        assert taken == [0] and offered_again == []  # the worker had them from the load
        first = write(host, "SYN-DEMO-001")
        assert first.timing.guessed_tokens / first.timing.completion_tokens > 0.5
    finally:
        host.close()
