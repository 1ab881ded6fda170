"""The facts a case states: one derivation, key facts a view of it."""

from __future__ import annotations

from letterdesk.core.facts.case_facts import structured_facts
from letterdesk.core.facts.key_facts import key_facts
from tests.core.sample_cases import case


def test_key_facts_are_the_key_facts_of_the_structured_facts():
    sample = case()
    keyed = [(f.name, f.expected) for f in structured_facts(sample, "de") if f.key]
    assert [(f.name, f.value) for f in key_facts(sample)] == keyed
