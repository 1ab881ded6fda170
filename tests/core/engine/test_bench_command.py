"""``letterdesk bench``: every path measured side by side, on a real tiny GGUF model and its
Hugging Face checkpoint (the figures themselves come from benchmark runs, not from tests)."""

from __future__ import annotations

import json

from tests.core.engine.test_engine import letterdesk

# enough that decoding, not the tiny model's ~900-token prompt, is most of every run
TOKENS = 64


def test_letterdesk_bench_measures_every_path_side_by_side(tmp_path, tiny_gguf, tiny_checkpoint):
    report = tmp_path / "bench.json"
    done = letterdesk(
        "bench",
        "--model",
        str(tiny_gguf),
        "--hf-checkpoint",
        str(tiny_checkpoint),
        "--tokens",
        str(TOKENS),
        "--threads",
        "1",
        "--letters",
        "3",
        "--json",
        str(report),
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(report.read_text(encoding="utf-8"))
    for key in (
        "raw_tokens_per_s",
        "generate_tokens_per_s",
        "engine_tokens_per_s",
        "transformers_tokens_per_s",
        "first_ttft_s",
        "second_ttft_s",
        "regenerate_ttft_s",
    ):
        assert results[key] > 0, key
    # each run split into its prompt (timed alone) and its decoding (the rest of its time)
    for path, rate in (("raw", "raw_tokens_per_s"), ("transformers", "transformers_tokens_per_s")):
        prompt, decoding = results[f"{path}_prompt_s"], results[f"{path}_decoding_tokens_per_s"]
        assert 0 < prompt < TOKENS / results[rate], path
        assert abs(prompt + TOKENS / decoding - TOKENS / results[rate]) < 1e-9, path
    assert results["transformers_vs_raw_decoding"] == (
        results["transformers_decoding_tokens_per_s"] / results["raw_decoding_tokens_per_s"]
    )
    assert results["transformers_vs_raw_prompt"] == (
        results["raw_prompt_s"] / results["transformers_prompt_s"]
    )
    assert "the prompt alone: llama.cpp" in done.stdout
    assert results["engine_vs_raw"] == results["engine_tokens_per_s"] / results["raw_tokens_per_s"]
    assert len(results["engine_runs_tokens_per_s"]) == results["repeat"] == 5  # medians of 5
    assert 0 < results["second_cached_prompt_tokens"] < results["second_prompt_tokens"]
    assert "LetterDesk engine (worker)" in done.stdout
    # the three ways of not waiting, each measured beside its baseline
    assert results["lookup_letters"] == 3 and results["identical_output"] is True
    assert results["lookup_warm_up_letters"] == 1 and results["lookup_first_letter_speedup"] > 0
    assert results["lookup_recalled_letters"] == 3  # the worker took the series' letters
    assert results["lookup_restart_first_letter_speedup"] > 0
    assert 0 <= results["lookup_first_letter_guessed_share"] <= 1
    assert 0 <= results["lookup_restart_first_letter_guessed_share"] <= 1
    assert len(results["lookup_runs_speedup"]) == 5  # the series in turn, medians of 5
    assert results["lookup_speedup"] == (
        results["lookup_tokens_per_s"] / results["engine_letters_tokens_per_s"]
    )
    assert results["restart_prefix"] == (  # the window's: loaded at the load, kept after
        "evaluated at the letter, then loaded at the letter"
        " / loaded at the load, kept at the letter"
    )
    assert 0 < results["restart_first_ttft_s"] and 0 < results["cold_first_ttft_s"]
    assert 0 < results["restart_at_letter_ttft_s"] and len(results["restart_at_letter_runs_s"]) == 5
    assert results["predraft_open_ms"] > 0 and results["predraft_note"] is None
    assert len(results["predraft_open_runs_ms"]) >= 1
    assert "with prompt lookup" in done.stdout
