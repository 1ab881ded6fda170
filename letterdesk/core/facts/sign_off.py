"""Signing off a letter with its fact check: the findings confirmed and kept in the audit log.

The check itself (:mod:`letterdesk.core.facts.grounding`) touches no store; here a sign-off
refuses findings of another text, asks for confirmation of flagged ones and records them in
the ``sign_off`` entry of the audit log.
"""

from __future__ import annotations

from typing import Any

from letterdesk.core.facts.findings import Findings, sha256
from letterdesk.core.foundation.errors import LetterDeskError
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import Letter


class UnconfirmedFindings(LetterDeskError):
    """A letter with unresolved fact-check findings was to be signed without confirmation."""


def audit_details(findings: Findings, confirmed: bool) -> dict[str, Any]:
    """What the audit log records about the fact check at sign-off."""
    return {
        "text_sha256": findings.text_sha256,
        "confirmed": confirmed,
        "unsupported": [
            {"kind": u.kind, "text": u.text, "start": u.start, "end": u.end, "instead": u.instead}
            for u in findings.unsupported
        ],
        "omitted": [
            {"kind": o.kind, "expected": o.expected, "path": o.path} for o in findings.omitted
        ],
    }


def sign_off_with_flags(
    store: Store,
    letter_id: int,
    revision_id: int,
    *,
    user: str,
    findings: Findings,
    confirmed: bool = False,
) -> Letter:
    """Sign off a revision and record its fact check in the audit log's ``sign_off`` entry.

    ``findings`` must be the check of exactly this revision's text. When it flags anything,
    the physician must have confirmed signing anyway (``confirmed=True``); otherwise
    :class:`UnconfirmedFindings` is raised and nothing is signed.
    """
    text = letters.revision(store, revision_id).text
    if findings.text_sha256 != sha256(text):
        raise LetterDeskError(
            "The fact check does not match this version of the letter.",
            "Check the letter again (grounding.check) right before signing it off.",
        )
    if findings.flagged and not confirmed:
        n, m = len(findings.unsupported), len(findings.omitted)
        raise UnconfirmedFindings(
            f"The letter has {n} fact(s) not found in the case and omits {m} case fact(s). "
            "Please confirm that you want to sign it off as it is.",
            "Pass confirmed=True once the physician has confirmed.",
        )
    details = {"fact_check": audit_details(findings, confirmed)}
    return letters.sign_off(store, letter_id, revision_id, user=user, details=details)
