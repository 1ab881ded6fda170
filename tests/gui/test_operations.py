"""Store operations run on the worker thread, in order, and report back on the GUI thread."""

from __future__ import annotations

import threading

import pytest

from letterdesk.core.foundation.errors import Interrupted, StoreError
from letterdesk.gui.operations import StoreOp, StoreWorker


@pytest.fixture
def worker(qtbot, store_path):
    worker = StoreWorker(store_path)
    yield worker
    worker.close()


def test_tasks_run_off_the_gui_thread_in_order_and_results_come_back(qtbot, worker):
    seen, threads = [], []

    def task(number):
        def run(store):
            threads.append(threading.current_thread())
            return number, len(store.cases())

        return run

    for number in range(5):
        StoreOp(worker, task(number)).success(seen.append).run()
    with qtbot.waitSignal(worker.idle, timeout=5000):
        pass
    assert seen == [(n, 24) for n in range(5)]
    assert len(set(threads)) == 1 and threads[0] is not threading.main_thread()


def test_a_failure_goes_to_its_callback_or_to_the_window(qtbot, worker):
    errors = []

    def fail(store):
        return store.case("NO-SUCH-CASE")

    StoreOp(worker, fail).failure(errors.append).run()
    with qtbot.waitSignal(worker.failed, timeout=5000) as unhandled:
        StoreOp(worker, fail).run()
    assert isinstance(errors[0], StoreError)
    assert "NO-SUCH-CASE" in errors[0].message
    assert isinstance(unhandled.args[0], StoreError)


def test_progress_is_reported_and_cancelling_is_silent(qtbot, worker):
    progress, outcomes = [], []

    def long_task(store):
        for step in range(1, 4):
            op.job.report(step, 3)
            if step == 2:
                op.job.cancel()
            if op.job.is_cancelled():
                raise Interrupted()
        return "done"

    op = StoreOp(worker, long_task).progress(lambda d, t: progress.append((d, t)))
    op.success(outcomes.append).failure(outcomes.append).run()
    with qtbot.waitSignal(worker.idle, timeout=5000):
        pass
    assert progress == [(1, 3), (2, 3)]
    assert outcomes == []


def test_close_finishes_queued_writes_first(qtbot, store_path, add_letter):
    from letterdesk.core.store.letters import add_revision, revisions

    letter, _ = add_letter()
    worker = StoreWorker(store_path)
    for number in range(3):
        StoreOp(
            worker,
            lambda store, n=number: add_revision(store, letter.id, f"text {n}", author="a"),
        ).run()
    worker.close()
    from letterdesk.core.store.database import Store

    with Store(store_path) as store:
        assert [r.text for r in revisions(store, letter.id)][1:] == ["text 0", "text 1", "text 2"]


def test_an_operation_after_close_is_dropped_as_cancelled(qtbot, store_path):
    worker = StoreWorker(store_path)
    worker.close()
    outcomes = []
    job = StoreOp(worker, lambda store: store.cases()).success(outcomes.append).run()
    qtbot.wait(50)
    assert job.is_cancelled()
    assert outcomes == []


def test_a_lane_holds_its_resource_on_its_thread_and_closes_it_there(qtbot):
    from letterdesk.gui.operations import Lane, Op

    opened, closed, results = [], [], []

    def open_resource():
        opened.append(threading.current_thread())
        return {"uses": 0}

    def use(resource):
        resource["uses"] += 1
        return resource["uses"], threading.current_thread()

    lane = Lane("test", open_resource, lambda r: closed.append(threading.current_thread()))
    for _ in range(3):
        Op(lane, use).success(results.append).run()
    with qtbot.waitSignal(lane.idle, timeout=5000):
        pass
    lane.close()
    assert [uses for uses, _ in results] == [1, 2, 3]  # one resource, opened once
    threads = {thread for _, thread in results}
    assert threads == set(opened) == set(closed) and threading.main_thread() not in threads


def test_a_cancelled_operation_ends_with_its_cancelled_callback_not_failure(qtbot):
    from letterdesk.gui.operations import Lane, Op

    lane = Lane("test")
    gate, outcomes = threading.Event(), []
    Op(lane, lambda _: gate.wait(5)).run()  # keeps the lane busy
    waiting = Op(lane, lambda _: "ran").success(outcomes.append).failure(outcomes.append)
    waiting.cancelled(lambda: outcomes.append("cancelled")).run().cancel()
    gate.set()
    with qtbot.waitSignal(lane.idle, timeout=5000):
        pass
    lane.close()
    assert outcomes == ["cancelled"]
