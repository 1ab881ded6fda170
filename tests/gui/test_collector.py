"""Garbage is collected on the GUI thread only: a cycle holding a Qt object that a worker thread
would have collected (and Qt then destroyed off its thread) waits for the GUI thread's timer."""

from __future__ import annotations

import gc
import threading

from letterdesk.gui.collector import INTERVAL_MS, GuiThreadCollector
from letterdesk.gui.qt import QObject

destroyed_on: list[str] = []
kept: list[list[object]] = []  # what the worker allocated, alive until the test looks


class Held(QObject):
    def __del__(self) -> None:
        destroyed_on.append(threading.current_thread().name)


def drop_a_cycle_then_allocate_in_a_worker() -> None:
    held = Held()
    held.me = held  # a cycle: only the collector frees it
    del held
    kept.clear()
    worker = threading.Thread(name="worker", target=lambda: kept.extend([] for _ in range(20_000)))
    worker.start()
    worker.join()  # the worker passed the collector's threshold many times over


def test_a_cycle_holding_a_qt_object_is_collected_on_the_gui_thread(qtbot, gui_thread_collector):
    destroyed_on.clear()
    drop_a_cycle_then_allocate_in_a_worker()
    assert destroyed_on == []  # the worker did not collect it
    qtbot.waitUntil(lambda: destroyed_on != [], timeout=INTERVAL_MS * 20)
    assert destroyed_on == [threading.main_thread().name]
    kept.clear()


def test_stopping_hands_collection_back_to_python_after_collecting_on_this_thread(
    gui_thread_collector,
):
    destroyed_on.clear()
    gui_thread_collector.stop()
    assert gc.isenabled()
    drop_a_cycle_then_allocate_in_a_worker()  # without the collector: the worker collects
    assert destroyed_on == ["worker"]
    kept.clear()


def test_the_whole_heap_is_walked_at_most_once_a_minute(gui_thread_collector, monkeypatch):
    from letterdesk.gui import collector

    now = [collector.time.monotonic()]
    collected: list[int] = []
    monkeypatch.setattr(collector.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: collected.append(generation))
    over = tuple(most + 1 for most in gc.get_threshold())
    monkeypatch.setattr(collector.gc, "get_count", lambda: over)
    started = GuiThreadCollector()  # every generation due at once, right after the start
    assert started.collect_due() == 1  # the younger ones only
    now[0] += collector.FULL_EVERY_S
    assert started.collect_due() == 2  # a minute on: the whole heap
    assert started.collect_due() == 1  # and not again at once
    assert collected == [1, 2, 1]
    started._timer.stop()
