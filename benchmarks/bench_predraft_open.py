"""Benchmark: from selecting a case whose draft was written ahead to that draft in the editor.

Run by ``letterdesk bench`` (``predraft_open_ms``) in a process of its own, with an empty
LETTERDESK_HOME and Qt's offscreen platform unless QT_QPA_PLATFORM says otherwise:

    .venv/bin/python benchmarks/bench_predraft_open.py --model GGUF [--letters 6] [--tokens N]

It fills a new store with the bundled synthetic demo cases, writes ``--letters`` drafts ahead
with the model (LetterDesk's own pre-drafting, :mod:`letterdesk.core.desk.predraft`), opens
the main window on that store, then selects each of those cases in turn and waits until the
editor shows its complete draft; the time of each, in milliseconds, is printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench_predraft_open.py")
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--letters", type=int, default=6)
    parser.add_argument("--tokens", type=int, default=1024, help="longest draft written ahead")
    args = parser.parse_args()
    os.environ.setdefault("LETTERDESK_PASSPHRASE", "benchmark-only")  # a throw-away store

    from letterdesk.core.desk.demo import seed_demo_cases
    from letterdesk.core.desk.predraft import model_key, next_case, write_ahead
    from letterdesk.core.engine.local import Engine
    from letterdesk.core.engine.types import DecodingOptions, EngineSettings
    from letterdesk.core.foundation.paths import store_path
    from letterdesk.core.foundation.settings import Settings
    from letterdesk.core.store import written_ahead
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.letters import letters_for_case, revisions

    settings = EngineSettings(model_path=args.model)
    drafts: dict[str, str] = {}
    with Store(store_path()) as store, Engine(settings) as engine:
        seed_demo_cases(store)
        key = model_key(engine)
        while (case_id := next_case(store, key, ahead=args.letters)) is not None:
            result = write_ahead(
                store,
                case_id,
                engine,
                author="Benchmark",
                options=DecodingOptions(max_tokens=args.tokens),
            )
            if result is None:
                raise SystemExit(f"the draft for {case_id} could not be written ahead")
        for case_id in written_ahead.waiting(store):
            (letter,) = letters_for_case(store, case_id)
            drafts[case_id] = revisions(store, letter.id)[-1].text

    from letterdesk.gui.main_window import MainWindow
    from letterdesk.gui.qt import QApplication

    app = QApplication.instance() or QApplication([])
    window = MainWindow(
        Settings(author_name="Benchmark", ui_language="en", predraft=False),
        engine=settings,
        load_model=False,
    )
    window.show()
    _until(app, lambda: window.letter_pane.desk is not None)
    drafts.pop(window.letter_pane.desk.case.case_id, None)  # the one the window opened first
    timings = []
    for case_id, text in drafts.items():
        started = time.perf_counter()
        window.case_list.select_case(case_id)
        _until(app, lambda text=text: window.letter_pane.editor.text == text)
        timings.append((time.perf_counter() - started) * 1000)
    window.close()
    print(json.dumps({"open_ms": timings}))
    return 0


def _until(app: object, done: object, timeout_s: float = 30.0) -> None:
    end = time.perf_counter() + timeout_s
    while not done():  # type: ignore[operator]
        app.processEvents()  # type: ignore[attr-defined]
        if time.perf_counter() > end:
            raise SystemExit("the window did not show the draft in time")
        time.sleep(0.0005)
    app.processEvents()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
