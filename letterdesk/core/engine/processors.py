"""The logits processors a letter's decoding options ask for, in the order they run.

One place names every rule the engine's worker lays over the model's choice of token: end of
turn forbidden (``ignore_eos``), numbers kept to the case's
(:class:`letterdesk.core.engine.constrained.NumberConstraint`), and for a slot model the fact
slots (:class:`letterdesk.core.engine.constrained.SlotConstraint`) and the lists set out in full
(:class:`letterdesk.core.engine.lists.ListConstraint`). They run in the worker process, where
numpy and llama_cpp come with llama-cpp-python; what they cost a step, beside a step of the
model, is measured by ``benchmarks/bench_processor_cost.py`` (``docs/fact-slots.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from letterdesk.core.engine.constrained import Vocabulary


def letter_processors(
    options: dict[str, Any],
    vocabulary: Callable[[], Vocabulary],
    tokenize: Callable[[str], Sequence[int]],
    end_tokens: frozenset[int],
) -> Any:
    """A ``llama_cpp.LogitsProcessorList`` of the rules ``options`` (a
    :class:`letterdesk.core.engine.types.DecodingOptions` as a dict) ask for, or None when they
    ask for none. ``vocabulary`` gives the model's token texts and their indexes (built once
    per model by the caller), ``tokenize`` cuts text as the model's tokenizer does, without a
    start token."""
    processors = []
    if options.get("ignore_eos") and end_tokens:
        processors.append(forbid_tokens(end_tokens))
    if options.get("constrain_numbers"):
        from letterdesk.core.engine.constrained import NumberConstraint

        processors.append(NumberConstraint(vocabulary().texts, options["allowed_numbers"]))
    if options.get("slot_names"):
        from letterdesk.core.engine.constrained import SlotConstraint
        from letterdesk.core.engine.lists import ListConstraint

        names = options["slot_names"]
        processors.append(SlotConstraint(vocabulary(), names))
        processors.append(
            ListConstraint(vocabulary(), names, tokenize, options.get("key_slots", ()))
        )
    if not processors:
        return None
    from llama_cpp import LogitsProcessorList

    return LogitsProcessorList(processors)


def forbid_tokens(end_tokens: frozenset[int]) -> Any:
    """A logits processor that never lets these tokens be chosen (``ignore_eos``)."""
    import numpy as np

    banned = np.array(sorted(end_tokens), dtype=np.intc)

    def forbid_end(_input_ids: Any, scores: Any) -> Any:
        scores[banned] = -np.inf
        return scores

    return forbid_end
