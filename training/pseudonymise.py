"""Surrogates for training: invented values in the placeholders' place.

A model trained on placeholders (:mod:`letterdesk.core.cases.pseudonymise`) would learn to write
``[PATIENT_NAME]``. So before training and evaluation, :func:`fill_surrogates` puts invented
values (surrogates) in the placeholders' place, consistently within a pair and in each
placeholder's own notation: the model still learns to copy the name and birth date from the
case into the letter.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from functools import cache
from typing import Any

from letterdesk.core.cases.pseudonymise import DATE_FORMS, PLACEHOLDER, SPECIFIC
from letterdesk.core.foundation import notation

SURROGATE_SEED = 4_242_421  # surrogate names come from synthetic cases of their own series


# --- surrogates --------------------------------------------------------------------------------


@cache
def _surrogate_people() -> tuple[dict[str, Any], ...]:
    from letterdesk.core.synthetic.generator import generate_case

    cases = [generate_case(SURROGATE_SEED, i) for i in range(400)]
    return tuple({**c["patient"], "recipient": c.get("recipient") or {}} for c in cases)


def surrogate_values(
    sex: str, language: str, rng: random.Random, *, with_others: bool = True
) -> dict[str, str]:
    """Placeholder name → an invented value for one pair, each in its placeholder's notation."""
    people = _surrogate_people()
    same_sex = [p for p in people if p["sex"] == sex] or list(people)
    person, neighbour = rng.choice(same_sex), rng.choice(people)
    given, family = person["given_name"], rng.choice(people)["family_name"]
    birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(65 * 365))
    values = {
        "PATIENT_NAME": notation.full_name(given, family),
        "PATIENT_NAME_REVERSED": f"{family}, {given}",
        "PATIENT_FAMILY_NAME": family,
        "PATIENT_GIVEN_NAME": given,
        "PATIENT_ID": f"SUR-P-{rng.randrange(10**6):06d}",
        "CASE_ID": f"SUR-{rng.randrange(10**6):06d}",
        "PATIENT_ADDRESS": f"{neighbour['recipient'].get('street', 'Hauptstraße 1')}",
        "PATIENT_STREET": neighbour["recipient"].get("street", "Hauptstraße 1"),
        "PATIENT_POSTAL_CODE": neighbour["recipient"].get("postal_code", "10115"),
        "PATIENT_CITY": neighbour["recipient"].get("city", "Berlin"),
        "PATIENT_PHONE": f"0{rng.randrange(10**9, 10**10)}",
        "PATIENT_EMAIL": "patient@example.org",
        "RECIPIENT_STREET": rng.choice(people)["recipient"].get("street", "Hauptstraße 1"),
        "RECIPIENT_POSTAL_CODE": rng.choice(people)["recipient"].get("postal_code", "10115"),
    }
    values.update({name: form(birth, language) for name, form in DATE_FORMS.items()})
    if not with_others:  # another patient named in a pair's texts gets a second identity
        return values
    second = surrogate_values(sex, language, rng, with_others=False)
    values.update({f"OTHER_{n.removeprefix('PATIENT_')}": second[n] for n in SPECIFIC})
    return values


def fill_surrogates(
    case: Mapping[str, Any], texts: list[str], rng: random.Random
) -> tuple[dict[str, Any], list[str]]:
    """A pseudonymised case and its texts with one set of invented values in every placeholder.

    Unknown placeholders are left as they are.
    """
    values = surrogate_values(
        str(case["patient"].get("sex", "unknown")), str(case["language"]), rng
    )

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return fill(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(dict(case)), [fill(t) for t in texts]
