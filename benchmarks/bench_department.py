"""Benchmark: a department's clinical day on one PostgreSQL store (issue 20).

Run: .venv/bin/python benchmarks/bench_department.py [--clients 20] [--minutes 5]
                                                     [--restarts 2] [--json FILE]

A real PostgreSQL server (started here, as the tests start it), ``letterdesk store init`` and
one physician login per workstation, synthetic cases, and llama-cpp-python's OpenAI-compatible
server on loopback with a tiny random-weight model. Then ``--clients`` processes, each a
workstation with its own data folder and offline journal, work through their cases until the
time is up: open the case, generate the draft through the server backend, type corrections
(an autosave every 0.3–1 s, as the editor saves when typing pauses), rate, sign off, export
the Word file. With ``--restarts N`` the database server is stopped for 5 s N times in the
middle; a step that needs the store waits and tries again, corrections wait in the journal.

Afterwards every letter's revisions are compared with the texts its workstation saved (lost
or duplicated revisions), the audit chain is verified, and the store operations' latencies
(open, save, rate, sign; generation and export are the model's and the Word writer's time)
are reported as p50/p95. The goal: 0 lost, 0 duplicated, 0 errors, chain intact, p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

P95_GOAL_MS = 50.0
STORE_OPS = ("open", "save", "rate", "sign")
DOWN_S = 5.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _tiny_model(folder: Path) -> Path:
    from training.convert import convert
    from training.tiny import build_tiny_model

    out = folder / "tiny.gguf"
    convert(build_tiny_model(folder / "tiny-llama"), out, outtype="f32")
    return out


def _model_server(gguf: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1",
         "--verbose", "false", "--interrupt_requests", "false"],
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"llama_cpp.server did not start, see {log}") from None
            time.sleep(0.3)


def _until_the_store_answers(step: Any, waits: list[float]) -> Any:
    """Run a step that needs the store; while it cannot be reached, wait and try again."""
    from letterdesk.core.store.postgres import StoreUnreachable

    started = None
    while True:
        try:
            result = step()
        except StoreUnreachable:
            started = started or time.monotonic()
            time.sleep(0.5)
            continue
        if started is not None:
            waits.append(time.monotonic() - started)
        return result


class _Day:
    """One workstation's day: its timings, the texts it saved per letter, its failures."""

    def __init__(self, store: Any, journal: Any, engine: Any, home: Path, seed: int) -> None:
        self.store, self.journal, self.engine, self.home = store, journal, engine, home
        self.rng = random.Random(seed)
        self.login = store.acting_user()
        self.timings: dict[str, list[float]] = {op: [] for op in (*STORE_OPS, "generate", "export")}
        self.saved: dict[int, list[str]] = {}
        self.waits: list[float] = []
        self.held = 0

    def timed(self, op: str, step: Any) -> Any:
        started = time.perf_counter()
        result = _until_the_store_answers(step, self.waits)
        self.timings[op].append(time.perf_counter() - started)
        return result

    def letter(self, case_id: str) -> None:
        """Open the case, draft, correct with autosaves, rate, sign, export."""
        from letterdesk.core.documents.docx import export_letter
        from letterdesk.core.engine.types import DecodingOptions
        from letterdesk.core.generation.draft import generate_letter
        from letterdesk.core.store import letters, ratings
        from letterdesk.core.store.journal import save_correction, write_waiting

        store, login = self.store, self.login
        self.timed("open", lambda: (store.case(case_id), letters.letters_for_case(store, case_id)))
        options = DecodingOptions(max_tokens=24)
        result = self.timed(
            "generate", lambda: generate_letter(store, case_id, self.engine, options=options,
                                                author=login)
        )  # fmt: skip
        letter_id, latest = result.letter.id, result.revision
        text, self.saved[letter_id] = latest.text, [latest.text]
        for n in range(self.rng.randint(3, 6)):
            time.sleep(self.rng.uniform(0.3, 1.0))  # typing, then a pause: the autosave
            text += f" Korrektur {n} ({login})."
            save = functools.partial(
                save_correction, store, self.journal, letter_id, text, author=login,
                based_on=latest.id,
            )  # fmt: skip
            kept = self.timed("save", save)
            self.saved[letter_id].append(text)
            self.held += kept.revision is None
            latest = kept.revision or latest
        while _until_the_store_answers(lambda: write_waiting(store, self.journal)[0], self.waits):
            time.sleep(0.5)  # sign-off waits until the store has every correction
        newest = letters.revisions(store, letter_id)[-1].id
        scores = {"factual_correctness": 3, "clinical_benefit": 3}
        self.timed("rate", lambda: ratings.rate(store, newest, login, scores))
        self.timed("sign", lambda: letters.sign_off(store, letter_id, newest, user=login))
        out = self.home / f"letter-{letter_id}.docx"
        self.timed("export", lambda: export_letter(store, letter_id, None, out, user=login))


def workstation(index: int, url: str, server_url: str, gguf: str, cases: list[str],
                deadline: float, home: str, out: str) -> None:  # fmt: skip
    """One physician's workstation: its cases, one after another, until the deadline."""
    os.environ["LETTERDESK_HOME"] = home
    os.environ["LETTERDESK_PASSPHRASE"] = f"bench-journal-{index}"  # the journal's key
    from letterdesk.core.engine.factory import open_engine
    from letterdesk.core.engine.types import EngineSettings
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.journal import Journal

    waits: list[float] = []
    store = _until_the_store_answers(lambda: Store(url), waits)
    settings = EngineSettings(backend="server", server_url=server_url + "/v1",
                              model_path=Path(gguf))  # fmt: skip
    day = _Day(store, Journal(), open_engine(settings), Path(home), index)
    errors: list[str] = []
    for case_id in cases:
        if time.monotonic() > deadline:
            break
        try:
            day.letter(case_id)
        except Exception as exc:  # every failure is counted, none stops the day
            errors.append(f"{case_id}: {type(exc).__name__}: {exc}")
    day.journal.close()
    store.close()
    report = {"timings": day.timings, "saved": day.saved, "errors": errors,
              "waits": waits + day.waits, "held": day.held}  # fmt: skip
    Path(out).write_text(json.dumps(report), encoding="utf-8")


def _check(url: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    from letterdesk.core.store import letters
    from letterdesk.core.store.database import Store

    lost = duplicated = letters_done = 0
    with Store(url) as store:
        for result in results:
            for letter_id, texts in result["saved"].items():
                stored = [r.text for r in letters.revisions(store, int(letter_id))]
                letters_done += 1
                lost += sum(1 for t in texts if t not in stored)
                duplicated += len(stored) - len(set(stored))
        chain = store.verify_audit()
        revisions = store.conn.execute("SELECT COUNT(*) FROM revisions").fetchone()[0]
    return {"letters": letters_done, "revisions": revisions, "lost": lost,
            "duplicated": duplicated, "audit_entries": chain.entries,
            "audit_intact": chain.first_bad is None}  # fmt: skip


def run(clients: int, minutes: float, restarts: int) -> dict[str, Any]:
    from letterdesk.core.cases.case import parse_case
    from letterdesk.core.engine.factory import open_engine
    from letterdesk.core.engine.types import EngineSettings
    from letterdesk.core.generation.draft import model_identity
    from letterdesk.core.models.identity import register
    from letterdesk.core.store import department
    from letterdesk.core.store.database import Store
    from letterdesk.core.synthetic.generator import generate_cases
    from tests.postgres_server import _free_port as free_port
    from tests.postgres_server import start_server

    server = start_server()
    folder = Path(tempfile.mkdtemp(prefix="letterdesk-bench-department-"))
    model_server = None
    try:
        database = server.new_database()
        owner = server.store_url(database)
        department.init(owner)
        logins = [f"dr_{n:02d}" for n in range(clients)]
        for login in logins:
            department.grant(owner, login, "physician")
        per_client = int(minutes * 60 / 1.5)  # more than a day's worth: the clock ends the day
        documents = generate_cases(clients * per_client, seed=11)
        with Store(owner) as store:
            store.import_cases([parse_case(json.dumps(d, ensure_ascii=False)) for d in documents])
        ids = [d["case_id"] for d in documents]
        gguf = _tiny_model(folder)
        port = free_port()
        model_server = _model_server(gguf, port, folder / "model-server.log")
        served = f"http://127.0.0.1:{port}/v1"
        engine = open_engine(EngineSettings(backend="server", server_url=served, model_path=gguf))
        engine.load()
        with Store(owner) as store:  # the admin registers the department's model
            register(store, model_identity(store, engine))
        deadline = time.monotonic() + minutes * 60
        context = multiprocessing.get_context("spawn")
        processes = []
        for n, login in enumerate(logins):
            out = folder / f"result-{n}.json"
            home = folder / f"home-{n}"
            home.mkdir()
            process = context.Process(target=workstation, args=(
                n, server.store_url(database, user=login), f"http://127.0.0.1:{port}", str(gguf),
                ids[n::clients], deadline, str(home), str(out)))  # fmt: skip
            process.start()
            processes.append((process, out))
        for k in range(restarts):  # evenly inside the run
            time.sleep(max(0.0, deadline - time.monotonic()) / (restarts - k + 1))
            server.stop()
            time.sleep(DOWN_S)
            server.start()
        for process, _ in processes:
            process.join()
        ran_s = time.monotonic() - (deadline - minutes * 60)
        results = [json.loads(out.read_text(encoding="utf-8")) for _, out in processes]
        checked = _check(owner, results)
    finally:
        if model_server is not None:
            model_server.terminate()
            model_server.wait(30)
        server.stop()
        import shutil

        shutil.rmtree(server.folder, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    ran_out = sum(len(r["saved"]) for r in results) >= len(ids)
    if ran_out:  # every case done before the clock ran out: the day was too short
        raise RuntimeError("the workstations ran out of cases; raise per_client")
    store_ms = [1000 * t for r in results for op in STORE_OPS for t in r["timings"][op]]
    by_op = {
        op: {"n": len(v), "p50_ms": round(1000 * statistics.median(v), 1) if v else None,
             "p95_ms": round(1000 * _percentile(v, 0.95), 1) if v else None}
        for op in (*STORE_OPS, "generate", "export")
        for v in [[t for r in results for t in r["timings"][op]]]
    }  # fmt: skip
    errors = [e for r in results for e in r["errors"]]
    return {
        "clients": clients, "minutes": minutes, "ran_s": round(ran_s, 1), "restarts": restarts,
        **checked,
        "errors": len(errors), "error_samples": errors[:5],
        "held_in_journal": sum(r["held"] for r in results),
        "waited_for_store": len([w for r in results for w in r["waits"]]),
        "store_ops": len(store_ms), "store_p50_ms": round(statistics.median(store_ms), 1),
        "store_p95_ms": round(_percentile(store_ms, 0.95), 1), "p95_goal_ms": P95_GOAL_MS,
        "by_operation": by_op,
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--restarts", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = run(args.clients, args.minutes, args.restarts)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    good = (report["lost"] == report["duplicated"] == report["errors"] == 0
            and report["audit_intact"] and report["store_p95_ms"] <= P95_GOAL_MS)  # fmt: skip
    return 0 if good else 1


if __name__ == "__main__":
    raise SystemExit(main())
