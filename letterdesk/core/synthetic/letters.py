"""Reference letters for cases, in two house styles, written only from the case's facts.

The body is plain text in the shared letter format: paragraphs separated by a blank line, a section
heading is a line of its own ending in ``:``, list items start with ``- ``. Every value comes from
the case and is written through :mod:`letterdesk.core.foundation.notation`, so the key facts of
:mod:`letterdesk.core.facts.key_facts` appear verbatim. House style ``A`` is the department's
standard
letter; ``B`` carries the same facts with other headings, wording, dose notation
(``ED 2 Gy / GD 60 Gy``; ``60 Gy in 30 fractions of 2 Gy``), salutation, closing and section order.
The recipient's address is not part of the body: :func:`letterdesk.core.cases.address.address_block`
gives it separately.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from letterdesk.core.foundation import notation

HOUSE_STYLES = ("A", "B")

Case = Mapping[str, Any]

# "deutsch|english"; {placeholders} are filled per letter.
_TEXT: dict[str, dict[str, str]] = {
    "A": {
        "ref_final_report": "Abschlussbericht über die Strahlentherapie von {patient}, "
        "geb. {birth}|"
        "Final report on the radiotherapy of {patient}, born {birth}",
        "ref_initial_consultation": "Bericht über die Erstvorstellung von {patient}, geb. {birth}|"
        "Report on the initial consultation of {patient}, born {birth}",
        "ref_follow_up": "Nachsorgebericht über {patient}, geb. {birth}|"
        "Follow-up report on {patient}, born {birth}",
        "diagnosis": "Diagnose:|Diagnosis:",
        "diagnoses": "Diagnosen:|Diagnoses:",
        "first_diagnosed": "Erstdiagnose|first diagnosed",
        "histology": "Histologie|Histology",
        "stage": "UICC-Stadium|UICC stage",
        "history": "Bisherige Therapie:|Previous treatment:",
        "rt_final_report": "Durchgeführte Strahlentherapie:|Radiotherapy delivered:",
        "rt_follow_up": "Durchgeführte Strahlentherapie:|Radiotherapy delivered:",
        "rt_initial_consultation": "Geplante Strahlentherapie:|Proposed radiotherapy:",
        "total": "Gesamtdosis|total dose",
        "period": "{start} bis {end}|{start} to {end}",
        "planned": "geplant vom {start} bis {end}|planned from {start} to {end}",
        "concurrent": "simultan|concurrent",
        "course": "Verlauf und Verträglichkeit:|Course and tolerance:",
        "late": "Spätfolgen:|Late effects:",
        "side_effects": "Nebenwirkungen|Side effects",
        "ps": "Allgemeinzustand|Performance status",
        "findings_initial_consultation": "Befund:|Findings:",
        "findings_follow_up": "Aktueller Befund:|Current findings:",
        "consent": "Über mögliche Nebenwirkungen wie {terms} wurde aufgeklärt.|"
        "We explained possible side effects such as {terms}.",
        "advice": "Empfehlung:|Recommendations:",
        "follow_final_report": "Nachsorge:|Follow-up:",
        "follow_follow_up": "Nächste Nachsorgetermine:|Next follow-up appointments:",
        "closing": "Mit freundlichen kollegialen Grüßen|Kind regards",
    },
    "B": {
        "ref_final_report": "Arztbrief nach Strahlentherapie – {patient}, * {birth}|"
        "Radiotherapy summary – {patient}, DOB {birth}",
        "ref_initial_consultation": "Konsiliarbericht Strahlentherapie – {patient}, * {birth}|"
        "Radiotherapy consultation – {patient}, DOB {birth}",
        "ref_follow_up": "Nachsorge nach Strahlentherapie – {patient}, * {birth}|"
        "Radiotherapy follow-up – {patient}, DOB {birth}",
        "opening_final_report": "vielen Dank für die Zuweisung von {short}. Vom {start} bis {end} "
        "führten wir die nachfolgend beschriebene Bestrahlung durch.|"
        "Thank you for referring {short}. Between {start} and {end} we "
        "delivered the radiotherapy summarised below.",
        "opening_initial_consultation": "{short} stellte sich in unserer Sprechstunde zur Frage "
        "einer Strahlentherapie vor.|We saw {short} in our clinic "
        "to discuss radiotherapy.",
        "opening_follow_up": "{short} stellte sich zur planmäßigen Nachsorge in unserer Ambulanz "
        "vor.|{short} attended our clinic for routine follow-up.",
        "diagnoses": "Diagnosen:|Diagnoses:",
        "diagnosed": "diagnostiziert am|diagnosed on",
        "history": "Anamnese:|History:",
        "rt_final_report": "Therapieverlauf:|Treatment course:",
        "rt_initial_consultation": "Therapievorschlag:|Treatment proposal:",
        "rt_follow_up": "Zustand nach Strahlentherapie:|Previous radiotherapy:",
        "target": "Zielvolumen|Target",
        "technique": "Technik|Technique",
        "period": "vom {start} bis {end}|from {start} to {end}",
        "planned": "vorgesehen vom {start} bis {end}|scheduled from {start} to {end}",
        "concurrent": "Simultan|Concurrent therapy",
        "course": "Verträglichkeit:|Tolerance:",
        "late": "Nebenwirkungen im Verlauf:|Late toxicity:",
        "grade": "Grad {grade} nach CTCAE v5.0|grade {grade}, CTCAE v5.0",
        "ps": "Allgemeinzustand|General condition",
        "findings_initial_consultation": "Aktueller Befund:|Clinical findings:",
        "findings_follow_up": "Befund:|Findings:",
        "consent": "Die Aufklärung umfasste insbesondere {terms}.|"
        "The consent discussion covered in particular {terms}.",
        "advice": "Procedere:|Further management:",
        "follow_final_report": "Nachsorgetermine:|Follow-up schedule:",
        "follow_follow_up": "Weitere Termine:|Further appointments:",
        "on": "am|on",
        "closing": "Mit freundlichen Grüßen|Yours sincerely",
    },
}
# Style A's German opening names the patient by sex ("die o. g. Patientin"), else neutrally.
_PATIENT_PHRASE: dict[str, tuple[str, ...]] = {
    "final_report": (
        "wir berichten über {who}, die sich vom {start} bis {end} in unserer "
        "strahlentherapeutischen Behandlung befand.",
        "wir berichten über {who}, der sich vom {start} bis {end} in unserer "
        "strahlentherapeutischen Behandlung befand.",
        "wir berichten über die strahlentherapeutische Behandlung von {who} vom {start} bis {end}.",
        "We report on the above-named patient, who received radiotherapy in our "
        "department from {start} to {end}.",
    ),
    "initial_consultation": ("vielen Dank für die Vorstellung {who} in unserer Sprechstunde.",) * 3
    + ("Thank you for referring the above-named patient to our outpatient clinic.",),
    "follow_up": ("wir berichten über die Nachsorgeuntersuchung {who}.",) * 3
    + ("We report on the follow-up visit of the above-named patient.",),
}
_WHO = {
    "final_report": ("die o. g. Patientin", "den o. g. Patienten"),
    "initial_consultation": ("der o. g. Patientin", "des o. g. Patienten"),
    "follow_up": ("der o. g. Patientin", "des o. g. Patienten"),
}


def _pick(text: str, language: str) -> str:
    german, _, english = text.partition("|")
    return german if language == "de" else english


class _Writer:
    """Writes one letter: the case, its language and the house style."""

    def __init__(self, case: Case, style: str) -> None:
        if style not in HOUSE_STYLES:
            raise ValueError(f"unknown house style {style!r}; use one of {HOUSE_STYLES}")
        self.case, self.style = case, style
        self.language = notation.check_language(str(case["language"]))
        self.letter_type = str(case["letter_type"])

    def say(self, key: str, **values: str) -> str:
        return _pick(_TEXT[self.style][key], self.language).format(**values)

    def date(self, iso: str) -> str:
        return notation.format_date(iso, self.language)

    def gy(self, value: float) -> str:
        return notation.format_gy(value, self.language)

    def patient_name(self, short: bool = False) -> str:
        p = self.case["patient"]
        name = notation.titled_family_name if short else notation.titled_name
        return name(p["sex"], p["given_name"], p["family_name"], self.language)

    def period(self) -> tuple[str, str]:
        courses = self.case.get("radiotherapy") or []
        if not courses:
            return "", ""
        return self.date(courses[0]["start_date"]), self.date(courses[-1]["end_date"])

    def side(self, diagnosis: Mapping[str, Any]) -> str:
        word = notation.format_laterality(diagnosis.get("laterality"), self.language)
        if not word or re.search(rf"\b{word}\b", diagnosis["text"], re.IGNORECASE):
            return ""  # no side, or the text already names it ("Mammakarzinom links")
        # "Prostatakarzinom links", but "Mammakarzinom, oberer äußerer Quadrant, links"
        return f" {word}" if self.language == "de" and "," not in diagnosis["text"] else f", {word}"

    def ps(self) -> str:
        status = self.case.get("performance_status")
        if not status:
            return ""
        return notation.format_performance_status(status["scale"], status["value"], self.language)


def _section(heading: str, lines: Sequence[str]) -> list[str]:
    lines = [line for line in lines if line]
    return ["\n".join([heading, *lines])] if lines else []


def _reference(w: _Writer) -> list[str]:
    birth = w.date(w.case["patient"]["birth_date"])
    return [w.say(f"ref_{w.letter_type}", patient=w.patient_name(), birth=birth)]


def _salutation(w: _Writer) -> list[str]:
    r = w.case.get("recipient") or {}
    family, salutation = r.get("family_name", ""), r.get("salutation", "")
    if w.style == "B":
        if w.language == "en":
            return ["Dear Colleague,"]
        forms = {"Frau": f"Liebe Frau Kollegin {family},", "Herr": f"Lieber Herr Kollege {family},"}
        return [forms.get(salutation, "Liebe Kolleginnen und Kollegen,")]
    title = r.get("title", "")
    if w.language == "en":
        name = " ".join(p for p in (title or salutation or r.get("given_name", ""), family) if p)
        return [f"Dear {name}," if family else "Dear Colleague,"]
    short_title = title.replace(" med.", "").replace(" univ.", "")
    name = " ".join(p for p in (short_title, family) if p)
    if salutation == "Frau":
        return [f"Sehr geehrte Frau {name},"]
    if salutation == "Herr":
        return [f"Sehr geehrter Herr {name},"]
    if family:
        full = " ".join(p for p in (short_title, r.get("given_name", ""), family) if p)
        return [f"Guten Tag {full},"]
    return ["Sehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,"]


def _opening(w: _Writer) -> list[str]:
    start, end = w.period()
    if w.style == "B":
        short = w.patient_name(short=True)
        if w.language == "de" and w.letter_type == "final_report" and short.startswith("Herr "):
            short = "Herrn " + short[5:]  # dative: "die Zuweisung von Herrn Jäger"
        return [w.say(f"opening_{w.letter_type}", short=short, start=start, end=end)]
    phrases = _PATIENT_PHRASE[w.letter_type]
    if w.language == "en":
        return [phrases[3].format(start=start, end=end)]
    sex = w.case["patient"]["sex"]
    slot = {"female": 0, "male": 1}.get(sex, 2)
    who = _WHO[w.letter_type][slot] if slot < 2 else w.patient_name()
    if slot == 2 and w.letter_type != "final_report":
        who = f"von {who}"
    return [phrases[slot].format(who=who, start=start, end=end)]


def _diagnoses(w: _Writer) -> list[str]:
    diagnoses = w.case["diagnoses"]
    if w.style == "B":
        return _section(w.say("diagnoses"), [_diagnosis_item_b(w, d) for d in diagnoses])
    lines: list[str] = []
    for d in diagnoses:
        first = f"{d['text']}{w.side(d)}, ICD-10 {d['icd10']}"
        lines.append(
            f"{first}, {w.say('first_diagnosed')} {w.date(d['date'])}" if d.get("date") else first
        )
        tissue = ", ".join(d[k] for k in ("histology", "grading") if d.get(k))
        if tissue:
            lines.append(
                f"{w.say('histology')}: {tissue}" if d.get("histology") else f"Grading: {tissue}"
            )
        stage = [d.get("tnm", "")]
        if d.get("uicc_stage"):
            stage.append(f"{w.say('stage')} {d['uicc_stage']}")
        if any(stage):
            lines.append("Staging: " + ", ".join(s for s in stage if s))
    heading = w.say("diagnoses" if len(diagnoses) > 1 else "diagnosis")
    return _section(heading, lines)


def _diagnosis_item_b(w: _Writer, d: Mapping[str, Any]) -> str:
    parts = [f"{d['text']}{w.side(d)} ({d['icd10']})"]
    if d.get("date"):
        parts[0] += f", {w.say('diagnosed')} {w.date(d['date'])}"
    if d.get("tnm") or d.get("uicc_stage"):
        stage = f"UICC {d['uicc_stage']}" if d.get("uicc_stage") else ""
        parts.append(" ".join(p for p in (d.get("tnm", ""), f"({stage})" if stage else "") if p))
    tissue = ", ".join(d[k] for k in ("histology", "grading") if d.get(k))
    if tissue:
        parts.append(tissue)
    return "- " + "; ".join(parts)


def _history(w: _Writer) -> list[str]:
    items = []
    for entry in w.case.get("history") or []:
        when = w.date(entry["date"]) if entry.get("date") else ""
        if w.style == "A":
            items.append(
                f"- {when}: {entry['description']}" if when else f"- {entry['description']}"
            )
        else:
            items.append(
                f"- {entry['description']} ({when})" if when else f"- {entry['description']}"
            )
    return _section(w.say("history"), items)


def _course_a(w: _Writer, rt: Mapping[str, Any]) -> str:
    dates = {"start": w.date(rt["start_date"]), "end": w.date(rt["end_date"])}
    when = w.say("planned" if w.letter_type == "initial_consultation" else "period", **dates)
    schedule = notation.format_fraction_schedule(
        rt["fractions"], rt["dose_per_fraction_gy"], w.language
    )
    line = (
        f"- {rt['target']}, {rt['technique']}: {schedule}, "
        f"{w.say('total')} {w.gy(rt['total_dose_gy'])}, {when}"
    )
    if rt.get("concurrent_therapy"):
        line += f", {w.say('concurrent')} {rt['concurrent_therapy']}"
    return line


def _course_b(w: _Writer, rt: Mapping[str, Any]) -> str:
    dates = {"start": w.date(rt["start_date"]), "end": w.date(rt["end_date"])}
    when = w.say("planned" if w.letter_type == "initial_consultation" else "period", **dates)
    per, total, n = w.gy(rt["dose_per_fraction_gy"]), w.gy(rt["total_dose_gy"]), rt["fractions"]
    if w.language == "de":
        dose = f"ED {per} / GD {total} in {n} Fraktion{'' if n == 1 else 'en'}"
    else:
        dose = f"{total} in {n} fraction{'' if n == 1 else 's'} of {per}"
    parts = [f"{w.say('target')}: {rt['target']}", f"{w.say('technique')}: {rt['technique']}"]
    if rt.get("concurrent_therapy"):
        parts.append(f"{w.say('concurrent')}: {rt['concurrent_therapy']}")
    return f"{when[:1].upper()}{when[1:]}: {dose}. " + "; ".join(parts) + "."


def _radiotherapy(w: _Writer) -> list[str]:
    write = _course_a if w.style == "A" else _course_b
    courses = [write(w, rt) for rt in w.case.get("radiotherapy") or []]
    paragraphs = _section(w.say(f"rt_{w.letter_type}"), courses)
    if w.letter_type == "initial_consultation" and w.case.get("toxicities"):
        terms = [t["term"] for t in w.case["toxicities"]]
        if w.language == "en":
            terms = [t[:1].lower() + t[1:] for t in terms]
        joined = (
            ", ".join(terms[:-1])
            + (f" {'und' if w.language == 'de' else 'and'} " if len(terms) > 1 else "")
            + terms[-1]
        )
        paragraphs.append(w.say("consent", terms=joined))
    return paragraphs


def _tolerance(w: _Writer) -> list[str]:
    toxicities = w.case.get("toxicities") or []
    heading = w.say("late" if w.letter_type == "follow_up" else "course")
    closing = w.case.get("findings", "") if w.letter_type == "final_report" else ""
    ps = w.ps()
    if w.style == "A":
        grades = ", ".join(
            f"{t['term']} {notation.format_ctcae_grade(t['ctcae_grade'], w.language)}"
            for t in toxicities
        )
        lines = [
            f"{w.say('side_effects')}: {grades}" if grades else "",
            f"{w.say('ps')}: {ps}" if ps else "",
            closing,
        ]
        return _section(heading, lines)
    items = [f"- {t['term']} ({w.say('grade', grade=str(t['ctcae_grade']))})" for t in toxicities]
    summary = " ".join(p for p in (f"{w.say('ps')} {ps}." if ps else "", closing) if p)
    return _section(heading, [*items, summary])


def _findings(w: _Writer) -> list[str]:
    findings = w.case.get("findings", "")
    ps = w.ps() if w.letter_type == "initial_consultation" else ""
    if w.style == "A":
        lines = [findings, f"{w.say('ps')}: {ps}" if ps else ""]
    else:
        lines = [" ".join(p for p in (findings, f"{w.say('ps')} {ps}." if ps else "") if p)]
    return _section(w.say(f"findings_{w.letter_type}"), lines)


def _advice(w: _Writer) -> list[str]:
    end = "" if w.style == "A" else "."
    items = [f"- {text}{end}" for text in w.case.get("recommendations") or []]
    return _section(w.say("advice"), items)


def _follow_up(w: _Writer) -> list[str]:
    items = []
    for entry in w.case.get("follow_up") or []:
        when = w.date(entry["date"]) if entry.get("date") else ""
        if not when:
            items.append(f"- {entry['description']}")
        elif w.style == "A":
            items.append(f"- {when}: {entry['description']}")
        else:
            items.append(f"- {entry['description']} {w.say('on')} {when}")
    return _section(w.say(f"follow_{w.letter_type}"), items)


def _closing(w: _Writer) -> list[str]:
    author = w.case.get("author") or {}
    name, role = author.get("name", ""), author.get("role", "")
    if w.style == "A":
        signature = "\n".join(p for p in (name, role) if p)
    else:
        signature = f"{name} ({role})" if name and role else name
    return [w.say("closing"), signature] if signature else [w.say("closing")]


_Part = Callable[[_Writer], list[str]]
_ORDER: dict[tuple[str, str], tuple[_Part, ...]] = {
    ("A", "final_report"): (_diagnoses, _history, _radiotherapy, _tolerance, _advice, _follow_up),
    ("B", "final_report"): (_diagnoses, _radiotherapy, _tolerance, _history, _follow_up, _advice),
    ("A", "initial_consultation"): (_diagnoses, _history, _findings, _radiotherapy, _advice),
    ("B", "initial_consultation"): (_diagnoses, _findings, _radiotherapy, _history, _advice),
    ("A", "follow_up"): (_diagnoses, _radiotherapy, _findings, _tolerance, _follow_up),
    ("B", "follow_up"): (_diagnoses, _findings, _tolerance, _radiotherapy, _follow_up),
}


def reference_letter(case: Case, style: str = "A") -> str:
    """The letter body for ``case`` in its language and letter type, in house style A or B.

    Only facts from the case appear, in :mod:`letterdesk.core.foundation.notation`'s notation; the
    recipient's address is not part of the body
    (:func:`letterdesk.core.cases.address.address_block`), nor are ``notes``.
    """
    writer = _Writer(case, style)
    parts = (_reference, _salutation, _opening, *_ORDER[(style, writer.letter_type)], _closing)
    return "\n\n".join(paragraph for part in parts for paragraph in part(writer))
