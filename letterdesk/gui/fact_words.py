"""The fact check's findings in the physician's words, in the interface language.

The core words its findings in English for the CLI and the audit log; the window says the
same in the interface language and names an omitted fact by the field it comes from
("Start of radiotherapy: 04.05.2020"), not by its kind.
"""

from __future__ import annotations

import re

from letterdesk.core.facts.findings import Findings, Omitted, Unsupported
from letterdesk.gui.qt import QCoreApplication

_FIELD = re.compile(r"^\$\.(\w+)(?:\[\d+\])?\.(\w+)$")
FLAGS_ASKED = 4
"""The sign-off question lists this many flags; the rest are under the letter."""


def kind_word(kind: str) -> str:
    """What a fact of this kind is called (``dose`` → "Dose")."""
    words = {
        "dose": QCoreApplication.translate("facts", "Dose"),
        "fractions": QCoreApplication.translate("facts", "Number of fractions"),
        "date": QCoreApplication.translate("facts", "Date"),
        "icd10": QCoreApplication.translate("facts", "ICD-10 code"),
        "tnm": QCoreApplication.translate("facts", "TNM"),
        "uicc_stage": QCoreApplication.translate("facts", "UICC stage"),
        "laterality": QCoreApplication.translate("facts", "Side"),
        "drug": QCoreApplication.translate("facts", "Drug"),
        "ctcae_grade": QCoreApplication.translate("facts", "CTCAE grade"),
        "name": QCoreApplication.translate("facts", "Name"),
    }
    return words.get(kind, kind)


def field_word(path: str, kind: str) -> str:
    """What the case field at a JSON path holds ("Start of radiotherapy"), else the kind's word."""
    words = {
        ("patient", "family_name"): QCoreApplication.translate("facts", "Patient's name"),
        ("patient", "birth_date"): QCoreApplication.translate("facts", "Date of birth"),
        ("diagnoses", "date"): QCoreApplication.translate("facts", "Date of diagnosis"),
        ("history", "date"): QCoreApplication.translate("facts", "Date in the history"),
        ("radiotherapy", "total_dose_gy"): QCoreApplication.translate("facts", "Total dose"),
        ("radiotherapy", "dose_per_fraction_gy"): QCoreApplication.translate(
            "facts", "Dose per fraction"
        ),
        ("radiotherapy", "start_date"): QCoreApplication.translate(
            "facts", "Start of radiotherapy"
        ),
        ("radiotherapy", "end_date"): QCoreApplication.translate("facts", "End of radiotherapy"),
        ("radiotherapy", "concurrent_therapy"): QCoreApplication.translate(
            "facts", "Concurrent therapy"
        ),
        ("toxicities", "ctcae_grade"): QCoreApplication.translate("facts", "Side effect"),
        ("follow_up", "date"): QCoreApplication.translate("facts", "Follow-up appointment"),
    }
    found = _FIELD.match(path)
    return words.get(found.groups(), kind_word(kind)) if found else kind_word(kind)


def unsupported_item(flag: Unsupported) -> str:
    """A letter fact without support, as the flag list names it: Dose “45 Gy” (case: 50 Gy)."""
    if flag.instead:
        return QCoreApplication.translate("facts", "{kind} “{text}” (case: {instead})").format(
            kind=kind_word(flag.kind), text=flag.text, instead=flag.instead
        )
    return QCoreApplication.translate("facts", "{kind} “{text}”").format(
        kind=kind_word(flag.kind), text=flag.text
    )


def omitted_item(flag: Omitted) -> str:
    """A case fact the letter leaves out, as the flag list names it: Total dose: 50,4 Gy."""
    return f"{field_word(flag.path, flag.kind)}: {flag.expected}"


def sentence(flag: Unsupported | Omitted) -> str:
    """One flag as a sentence, for the tooltip and the sign-off question."""
    if isinstance(flag, Omitted):
        return QCoreApplication.translate(
            "facts", "{field} {value} from the case data is not in the letter."
        ).format(field=field_word(flag.path, flag.kind), value=flag.expected)
    if flag.instead:
        return QCoreApplication.translate(
            "facts", "{kind} “{text}” is not in the case data (case: {instead})."
        ).format(kind=kind_word(flag.kind), text=flag.text, instead=flag.instead)
    return QCoreApplication.translate("facts", "{kind} “{text}” is not in the case data.").format(
        kind=kind_word(flag.kind), text=flag.text
    )


def sign_off_question(findings: Findings) -> str:
    """The question before signing off a flagged letter: counts, the first flags, the ask."""
    flags = [*findings.unsupported, *findings.omitted]
    lines = [
        QCoreApplication.translate("facts", "The fact check flags this letter."),
        "",
        QCoreApplication.translate("facts", "Not in the case data: {n}").format(
            n=len(findings.unsupported)
        ),
        QCoreApplication.translate("facts", "Not in the letter: {n}").format(
            n=len(findings.omitted)
        ),
        "",
        *(f"• {sentence(flag)}" for flag in flags[:FLAGS_ASKED]),
    ]
    if len(flags) > FLAGS_ASKED:
        lines.append(
            QCoreApplication.translate("facts", "… and {n} more, listed under the letter.").format(
                n=len(flags) - FLAGS_ASKED
            )
        )
    lines += [
        "",
        QCoreApplication.translate(
            "facts",
            "Sign off this letter as final anyway? It cannot be changed afterwards. "
            "Your confirmation is recorded in the audit log.",
        ),
    ]
    return "\n".join(lines)
