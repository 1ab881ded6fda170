"""The recipient's postal address as the letter's envelope window shows it (DIN 5008)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from letterdesk.core.foundation import notation

Case = Mapping[str, Any]


def address_block(case: Case) -> list[str]:
    """The recipient's address lines for the envelope window (DIN 5008): institution, name with
    salutation and title, street, postal code and city. Empty when the case has no recipient."""
    r = case.get("recipient") or {}
    if not r:
        return []
    language = notation.check_language(str(case["language"]))
    title, salutation = r.get("title", ""), r.get("salutation", "")
    # English addresses drop Ms/Mr before an academic title ("Dr Anna Weber").
    lead = [salutation] if salutation and (language == "de" or not title) else []
    name = " ".join(p for p in (*lead, title, r.get("given_name", ""), r["family_name"]) if p)
    place = " ".join(p for p in (r.get("postal_code", ""), r.get("city", "")) if p)
    return [line for line in (r.get("institution", ""), name, r.get("street", ""), place) if line]
