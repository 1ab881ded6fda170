"""``letterdesk bench --json FILE``: how fast letters are written, measured side by side.

One run, one model, the same prompts, the same number of generated tokens (end-of-turn is
suppressed so every path writes exactly ``--tokens``), greedy on every path, each path warm
and measured ``--repeat`` times on the two cases' prompts in turn (the median counts):

(a) llama-cpp-python's ``Llama.create_completion`` called directly (in a process of its
    own: the app never loads llama.cpp itself), and beside it the bare ``Llama.generate``
    token loop the engine's worker runs: ``create_completion`` decodes the whole text so far
    after every token, a cost that grows with the square of the letter's length;
(b) the app's engine, through its worker process;
(c) transformers' ``generate`` on the Hugging Face checkpoint of the same model, run by
    ``benchmarks/bench_engine.py`` in another Python process (the app never imports
    transformers); null, with the reason, when no checkpoint is given or it cannot run;

and the time to the first token of a first letter and of a second letter for another case
of the same type on the same engine: the shared prompt prefix stays in the worker's KV
cache, so only the rest of the second prompt is evaluated.

Tokens per second are counted from the request to the last token (prompt included), the
same way on every path. For (a) and (c) the prompt is also timed alone, which splits their
ratio into the prompt's and the decoding's (``transformers_vs_raw_prompt``, ``…_decoding``).

What to expect on a model as small as the demo model (3.7M parameters): a token takes well
under a millisecond of arithmetic, so every path's per-token overhead (Python, sampling,
transformers' generate loop) decides the figures more than the model does. The second
letter's time to first token shows what the KV cache can save: only the prompt tokens the
two cases share are reused — with the demo model, its house-style system message (which its
chat template puts before every case) and the letter type's instruction line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from letterdesk.commands import report_progress

BENCH_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_engine.py"


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``bench`` with the command's subparsers."""
    parser = sub.add_parser(
        "bench",
        help="measure tokens/s (llama.cpp, the app's engine, transformers) and KV-cache reuse",
    )
    parser.add_argument("--model", type=Path, help="GGUF model file (default: the demo model)")
    parser.add_argument(
        "--json", type=Path, required=True, metavar="FILE", help="write the results as JSON to FILE"
    )
    parser.add_argument(
        "--hf-checkpoint",
        type=Path,
        metavar="DIR",
        help="Hugging Face checkpoint of the same model, for transformers",
    )
    parser.add_argument(
        "--tokens",
        type=int,
        default=128,
        metavar="N",
        help="tokens each path generates (default 128)",
    )
    parser.add_argument("--language", choices=("de", "en"), default="de")
    parser.add_argument("--letter-type", default="final_report")
    parser.add_argument("--seed", type=int, default=7, help="series of the synthetic cases")
    parser.add_argument(
        "--threads", type=int, metavar="N", help="CPU threads on every path (default: half)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        metavar="N",
        help="timed runs of each path; the median counts (default 5)",
    )
    parser.add_argument(
        "--letters",
        type=int,
        default=8,
        metavar="N",
        help="letters in the prompt-lookup series, and drafts written ahead (default 8)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run all measurements, print a table, write the JSON file."""
    from letterdesk.core.engine.local import Engine, check_model_file
    from letterdesk.core.engine.types import EngineSettings
    from letterdesk.core.foundation.errors import ConfigurationError

    if args.tokens < 1 or args.repeat < 1 or args.letters < 2:
        raise ConfigurationError("--tokens and --repeat must be at least 1, --letters 2.")
    threads = args.threads or max(1, (os.cpu_count() or 2) // 2)
    settings = EngineSettings(model_path=args.model, n_threads=threads).checked()
    header = check_model_file(settings)
    n_ctx = min(header.context_length or settings.max_context, settings.max_context)
    engine = Engine(settings)
    try:
        info = engine.load(report_progress)
        prompts = _synthetic_prompts(args, info)
        engine.close()  # (a) runs alone, on a freshly loaded model like (b) after it
        raw = _in_own_process(
            _llama_cpp_alone, str(header.path), prompts, args.tokens, args.repeat, n_ctx,
            settings.n_batch, threads, info.n_gpu_layers,
        )  # fmt: skip
        load_s, letters, engine_runs = _engine_path(engine, prompts, args)
    finally:
        engine.close()
    hf, hf_note = _transformers(
        args.hf_checkpoint, raw["prompt_ids"], args.tokens, threads, args.repeat
    )
    results = _results(args, header, info, threads, raw, engine_runs, letters, hf, hf_note)
    results["load_s"] = load_s
    results.update(_speedups(args, settings))
    _print_table(results)
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def _speedups(args: argparse.Namespace, settings: Any) -> dict[str, Any]:
    """Prompt lookup, the saved prefix and pre-drafting, each side by side (bench_speedups)."""
    from letterdesk.commands import bench_speedups
    from letterdesk.core.engine.types import DecodingOptions

    # the first case warms the lookup series' engines up; the restart is measured on it too
    cases = bench_speedups.synthetic_cases(
        args.seed, 1 + args.letters, args.language, args.letter_type
    )
    guess = DecodingOptions().prompt_lookup
    results = bench_speedups.lookup_series(
        settings, cases[0], cases[1:], args.tokens, guess, args.repeat
    )
    results.update(bench_speedups.restart_ttft(settings, cases[0], args.repeat))
    opened, why = bench_speedups.predraft_open(settings.model, args.letters, args.tokens)
    results.update(opened or {"predraft_open_ms": None, "predraft_open_runs_ms": None})
    results["predraft_note"] = why or None
    return results


def _synthetic_prompts(args: argparse.Namespace, info: Any) -> list[str]:
    """Prompts of two synthetic cases of the same type and language, as the app builds them."""
    from letterdesk.commands.bench_speedups import synthetic_cases
    from letterdesk.core.generation.draft import case_prompt

    cases = synthetic_cases(args.seed, 2, args.language, args.letter_type)
    return [case_prompt(case, info) for case in cases]


def _engine_path(
    engine: Any, prompts: list[str], args: argparse.Namespace
) -> tuple[float, list[dict[str, Any]], list[float]]:
    """(b): the load time; a first letter, another case's and the same case's again (times to
    first token); then the timed runs' tokens/s."""
    loading = time.perf_counter()
    engine.load(report_progress)  # loading is not part of the first letter's time
    load_s = time.perf_counter() - loading
    letters = [
        _engine_letter(engine, prompts[0], args.tokens),
        _engine_letter(engine, prompts[1], args.tokens),
        _engine_letter(engine, prompts[1], 8),
    ]
    # the same sequence as (a): each prompt follows the other, so each is evaluated whole
    runs = [_engine_letter(engine, prompts[i % 2], args.tokens) for i in range(args.repeat)]
    return load_s, letters, [r["tokens_per_s"] for r in runs]


def _engine_letter(engine: Any, prompt: str, tokens: int) -> dict[str, Any]:
    from letterdesk.core.engine.types import DecodingOptions, Finished, TextDelta

    started = time.perf_counter()
    first, finished = None, None
    # the per-token path as it was measured before prompt lookup (measured on its own, below)
    options = DecodingOptions(max_tokens=tokens, ignore_eos=True, prompt_lookup=0)
    for chunk in engine.stream(prompt, options):
        if isinstance(chunk, TextDelta) and first is None:
            first = time.perf_counter()
        elif isinstance(chunk, Finished):
            finished = chunk
        else:
            report_progress(chunk)
    ended = time.perf_counter()
    assert finished is not None
    return {
        "tokens_per_s": finished.timing.completion_tokens / (ended - started),
        "ttft_s": (first or ended) - started,
        "prompt_tokens": finished.timing.prompt_tokens,
        "cached_prompt_tokens": finished.timing.cached_prompt_tokens,
        "completion_tokens": finished.timing.completion_tokens,
    }


def _in_own_process(function: Any, *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            result: dict[str, Any] = pool.submit(function, *args).result()
            return result
    except BrokenProcessPool as exc:
        from letterdesk.core.foundation.errors import ModelError

        raise ModelError(
            "The llama.cpp benchmark process stopped unexpectedly.",
            "Run it again; check free memory.",
        ) from exc


def _llama_cpp_alone(
    model_path: str, prompts: list[str], tokens: int, repeat: int, n_ctx: int, n_batch: int,
    threads: int, layers: int,
) -> dict[str, Any]:  # fmt: skip
    """(a) in a process of its own: ``create_completion``, and for reference the bare token
    loop under it (``Llama.generate``, no text), which is what the engine's worker runs."""
    import llama_cpp

    llama = llama_cpp.Llama(
        model_path=model_path,
        n_ctx=n_ctx,
        n_batch=n_batch,
        n_threads=threads,
        n_threads_batch=threads,
        n_gpu_layers=layers,
        seed=0,
        verbose=False,
    )
    try:
        alone = _Alone(llama_cpp, llama, prompts)
        llama.eval(alone.prompt_ids[0][:1])  # the same one-token warm-up the engine's worker does
        llama.reset()
        return {
            "completion_runs": alone.series(alone.complete, tokens, repeat),
            "generate_runs": alone.series(alone.generate, tokens, repeat),
            "prompt_runs_s": alone.prompt_times(repeat),
            "prompt_ids": alone.prompt_ids,
        }
    finally:
        llama.close()


class _Alone:
    """llama-cpp-python with nothing around it; the prompts tokenized as the engine does."""

    def __init__(self, llama_cpp: Any, llama: Any, prompts: list[str]) -> None:
        from letterdesk.core.engine.processors import forbid_tokens

        self.llama = llama
        vocab = llama_cpp.llama_model_get_vocab(llama.model)
        bos = [llama.token_bos()] if llama_cpp.llama_vocab_get_add_bos(vocab) else []
        self.prompt_ids = []
        for prompt in prompts:
            ids = llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
            if bos and ids[:1] != bos:
                ids = bos + ids
            self.prompt_ids.append(ids)
        self.end_tokens = [
            t for t in range(llama.n_vocab()) if llama_cpp.llama_vocab_is_eog(vocab, t)
        ]
        # the worker's own processor: the bare loop bans end-of-turn as the engine does
        banned = forbid_tokens(frozenset(self.end_tokens))
        self.processors = llama_cpp.LogitsProcessorList([banned])

    def series(self, run: Any, tokens: int, repeat: int) -> list[float]:
        """Tokens/s of ``repeat`` timed runs, each on the other prompt than the run before."""
        run(self.prompt_ids[1], 8)  # as the engine's last untimed letter before its timed runs
        rates = []
        for i in range(repeat):
            started = time.perf_counter()
            generated = run(self.prompt_ids[i % 2], tokens)
            rates.append(generated / (time.perf_counter() - started))
        return rates

    def prompt_times(self, repeat: int) -> list[float]:
        """Seconds to evaluate each prompt whole (the cache emptied first), in turn as above:
        the prompt's share of every timed run."""
        times = []
        for i in range(repeat):
            self.llama.reset()
            started = time.perf_counter()
            self.llama.eval(self.prompt_ids[i % 2])
            times.append(time.perf_counter() - started)
        return times

    def complete(self, ids: list[int], max_tokens: int) -> int:
        """One ``create_completion``; the number of tokens it wrote."""
        # not streamed: llama-cpp-python's streaming re-decodes held-back text, which costs much
        # more than the model itself when a (random test) model writes bytes that are no UTF-8
        completion = self.llama.create_completion(
            ids,
            max_tokens=max_tokens,
            temperature=0.0,
            top_k=0,
            min_p=0.0,
            top_p=1.0,
            repeat_penalty=1.0,
            logit_bias=dict.fromkeys(self.end_tokens, float("-inf")),
        )
        return int(completion["usage"]["completion_tokens"])

    def generate(self, ids: list[int], max_tokens: int) -> int:
        """The same tokens from ``Llama.generate``, without turning them into text."""
        count = 0
        for _ in self.llama.generate(
            ids, temp=0.0, top_k=0, min_p=0.0, top_p=1.0, repeat_penalty=1.0,
            logits_processor=self.processors,
        ):  # fmt: skip
            count += 1
            if count >= max_tokens:
                break
        return count


def _transformers(
    checkpoint: Path | None, prompt_ids: list[list[int]], tokens: int, threads: int, repeat: int
) -> tuple[dict[str, Any] | None, str]:
    if checkpoint is None:
        return None, "no Hugging Face checkpoint given (--hf-checkpoint DIR)"
    if not (checkpoint / "config.json").is_file():
        return None, f"{checkpoint} is not a Hugging Face checkpoint (no config.json)"
    if not BENCH_SCRIPT.is_file():
        return None, f"{BENCH_SCRIPT} is missing (it ships with the source tree only)"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH_SCRIPT),
            "transformers",
            "--checkpoint",
            str(checkpoint),
            "--tokens",
            str(tokens),
            "--threads",
            str(threads),
            "--repeat",
            str(repeat),
        ],
        input=json.dumps(prompt_ids),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"transformers could not run: {last}"
    return json.loads(done.stdout.strip().splitlines()[-1]), ""


def _results(
    args: argparse.Namespace, header: Any, info: Any, threads: int, raw: dict[str, Any],
    engine_runs: list[float], letters: list[dict[str, Any]], hf: dict[str, Any] | None,
    hf_note: str,
) -> dict[str, Any]:  # fmt: skip
    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    first, second, again = letters
    raw_rate, engine_rate = (
        statistics.median(raw["completion_runs"]),
        statistics.median(engine_runs),
    )
    generate_rate = statistics.median(raw["generate_runs"])
    hf_rate = statistics.median(hf["runs"]) if hf else None
    return {
        "model": str(header.path),
        "quantization": header.quantization,
        "device": info.device,
        "tokens": args.tokens,
        "threads": threads,
        "repeat": args.repeat,
        "prompt_tokens": first["prompt_tokens"],
        "raw_tokens_per_s": raw_rate,
        "generate_tokens_per_s": generate_rate,
        "engine_tokens_per_s": engine_rate,
        "transformers_tokens_per_s": hf_rate,
        "transformers_note": hf_note or None,
        "raw_runs_tokens_per_s": raw["completion_runs"],
        "generate_runs_tokens_per_s": raw["generate_runs"],
        "engine_runs_tokens_per_s": engine_runs,
        "transformers_runs_tokens_per_s": hf["runs"] if hf else None,
        "engine_vs_raw": ratio(engine_rate, raw_rate),
        "generate_vs_raw": ratio(generate_rate, raw_rate),
        "engine_vs_generate": ratio(engine_rate, generate_rate),
        "transformers_vs_raw": ratio(hf_rate, raw_rate),
        **_prompt_and_decoding(args.tokens, raw_rate, raw["prompt_runs_s"], hf_rate, hf),
        "first_ttft_s": first["ttft_s"],
        "second_ttft_s": second["ttft_s"],
        "second_vs_first_ttft": ratio(second["ttft_s"], first["ttft_s"]),
        "second_prompt_tokens": second["prompt_tokens"],
        "second_cached_prompt_tokens": second["cached_prompt_tokens"],
        "regenerate_ttft_s": again["ttft_s"],
        "regenerate_vs_first_ttft": ratio(again["ttft_s"], first["ttft_s"]),
    }


def _prompt_and_decoding(
    tokens: int, raw_rate: float, raw_prompt_runs: list[float], hf_rate: float | None,
    hf: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """Each run of llama.cpp and of transformers split into its prompt (measured on its own)
    and its decoding (the rest of the run's time): which of the two a ratio comes from."""

    def decoding(rate: float | None, prompt_s: float | None) -> float | None:
        if rate is None or prompt_s is None or tokens / rate <= prompt_s:
            return None
        return tokens / (tokens / rate - prompt_s)

    raw_prompt = statistics.median(raw_prompt_runs)
    hf_prompt = statistics.median(hf["prompt_runs_s"]) if hf else None
    raw_decoding, hf_decoding = decoding(raw_rate, raw_prompt), decoding(hf_rate, hf_prompt)
    return {
        "raw_prompt_s": raw_prompt,
        "raw_decoding_tokens_per_s": raw_decoding,
        "transformers_prompt_s": hf_prompt,
        "transformers_decoding_tokens_per_s": hf_decoding,
        "transformers_vs_raw_prompt": raw_prompt / hf_prompt if hf_prompt else None,
        "transformers_vs_raw_decoding": (
            hf_decoding / raw_decoding if hf_decoding and raw_decoding else None
        ),
    }


def _print_table(r: dict[str, Any]) -> None:
    def num(value: float | None, unit: str = "") -> str:
        return "null" if value is None else f"{value:.3f}{unit}"

    rows = [
        ("llama.cpp create_completion", num(r["raw_tokens_per_s"], " tok/s"), "1.000"),
        ("llama.cpp generate, tokens only", num(r["generate_tokens_per_s"], " tok/s"),
         num(r["generate_vs_raw"])),
        ("LetterDesk engine (worker)", num(r["engine_tokens_per_s"], " tok/s"),
         num(r["engine_vs_raw"])),
        ("transformers generate", num(r["transformers_tokens_per_s"], " tok/s"),
         num(r["transformers_vs_raw"])),
        ("first letter, time to 1st token", num(r["first_ttft_s"], " s"), "1.000"),
        ("other case, time to 1st token", num(r["second_ttft_s"], " s"),
         num(r["second_vs_first_ttft"])),
        ("same case again, time to 1st token", num(r["regenerate_ttft_s"], " s"),
         num(r["regenerate_vs_first_ttft"])),
    ]  # fmt: skip
    print(
        f"{r['tokens']} tokens on the {r['device']}, {r['threads']} threads, median of "
        f"{r['repeat']} runs; prompt "
        f"{r['prompt_tokens']} tokens; the other case's prompt shares "
        f"{r['second_cached_prompt_tokens']} of its {r['second_prompt_tokens']} tokens"
    )
    for name, value, share in rows:
        print(f"{name:36} {value:>16} {share:>8}")
    if r["transformers_note"]:
        print(f"transformers: {r['transformers_note']}")
    else:
        print(
            f"the prompt alone: llama.cpp {num(r['raw_prompt_s'], ' s')}, transformers "
            f"{num(r['transformers_prompt_s'], ' s')} ({num(r['transformers_vs_raw_prompt'])}); "
            f"decoding: llama.cpp {num(r['raw_decoding_tokens_per_s'], ' tok/s')}, "
            f"transformers {num(r['transformers_decoding_tokens_per_s'], ' tok/s')} "
            f"({num(r['transformers_vs_raw_decoding'])})"
        )
    print(
        f"{r['lookup_letters']} letters as the app writes them (after "
        f"{r['lookup_warm_up_letters']} to warm up): engine "
        f"{num(r['engine_letters_tokens_per_s'], ' tok/s')}, with prompt lookup "
        f"{num(r['lookup_tokens_per_s'], ' tok/s')} ({num(r['lookup_speedup'])}x, "
        f"{r['lookup_guessed_share']:.0%} of tokens guessed; writing alone "
        f"{num(r['lookup_writing_speedup'])}x), identical: {r['identical_output']}; "
        f"a fresh engine's first letter {num(r['lookup_first_letter_speedup'])}x, after a "
        f"restart (the model's {r['lookup_recalled_letters']} letters taken) "
        f"{num(r['lookup_restart_first_letter_speedup'])}x"
    )
    print(
        f"first letter after a start, time to 1st token: {num(r['cold_first_ttft_s'], ' s')} "
        f"without a saved prefix, {num(r['restart_first_ttft_s'], ' s')} with the one used "
        f"last, loaded after the model ({num(r['restart_vs_cold_ttft'])}); with it loaded "
        f"before the letter (another type's): {num(r['restart_at_letter_ttft_s'], ' s')} "
        f"({num(r['restart_at_letter_vs_cold_ttft'])}); the first start, saving it: "
        f"{num(r['first_start_ttft_s'], ' s')}"
    )
    print(
        f"pre-drafted case opened, draft on screen: {num(r['predraft_open_ms'], ' ms')}"
        + (f" ({r['predraft_note']})" if r["predraft_note"] else "")
    )
