"""Drafting: a case that fits the model's context, but not with the letter length asked for,
gets the room there is — the same rule for the window, the CLI, evaluations and studies."""

from __future__ import annotations

import pytest

from letterdesk.core.engine.types import ContextOverflow, DecodingOptions
from letterdesk.core.generation.draft import MIN_LETTER_TOKENS, with_room


def writer(prompt_tokens: int, n_ctx: int):
    asked: list[int] = []

    def write(options: DecodingOptions) -> int:
        asked.append(options.max_tokens)
        if prompt_tokens + options.max_tokens > n_ctx:
            raise ContextOverflow(prompt_tokens, options.max_tokens, n_ctx)
        return options.max_tokens

    return write, asked


def test_a_long_case_gets_the_room_left_in_the_context():
    write, asked = writer(prompt_tokens=1500, n_ctx=2048)
    assert with_room(write, DecodingOptions(max_tokens=1024)) == 548
    assert asked == [1024, 548]


def test_a_case_that_fits_is_written_once_as_asked():
    write, asked = writer(prompt_tokens=500, n_ctx=2048)
    assert with_room(write, DecodingOptions(max_tokens=1024)) == 1024 and asked == [1024]


def test_a_case_leaving_too_little_room_is_refused():
    write, asked = writer(prompt_tokens=2048 - MIN_LETTER_TOKENS + 1, n_ctx=2048)
    with pytest.raises(ContextOverflow, match="too long for the model"):
        with_room(write, DecodingOptions(max_tokens=1024))
    assert asked == [1024]
