"""The case panel: the input data a letter is written from, laid out to be read and copied.

Values appear in the letter's notation (dates, doses, grades as :mod:`letterdesk.core.notation`
writes them), so a value copied from here is what a correct letter says. Every value is
selectable with mouse and keyboard and copies with Ctrl+C. Synthetic demo cases carry a
banner that says so.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from letterdesk.core import notation
from letterdesk.core.cases import Case
from letterdesk.core.demo import is_demo_case
from letterdesk.gui.qt import QEvent, QLabel, Qt, QTextBrowser, QVBoxLayout, QWidget

_CSS = """
h2 { margin: 0 0 2px 0; }
h3 { margin: 14px 0 4px 0; color: #1f4e79; }
table { border-collapse: collapse; }
td { padding: 2px 10px 2px 0; vertical-align: top; }
td.key { color: #555555; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _rows(pairs: Iterable[tuple[str, object]]) -> str:
    cells = [
        f'<tr><td class="key">{_e(key)}</td><td>{_e(value)}</td></tr>'
        for key, value in pairs
        if value not in (None, "")
    ]
    return f"<table>{''.join(cells)}</table>" if cells else ""


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f'<td class="key"><b>{_e(h)}</b></td>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


class CasePanel(QWidget):
    """The selected case's data, or a hint when no case is selected."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.banner = QLabel(self)
        self.banner.setObjectName("syntheticBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "#syntheticBanner { background: #fff4ce; color: #5c4400; border: 1px solid #e0c060;"
            " border-radius: 4px; padding: 6px; font-weight: bold; }"
        )
        self.banner.hide()
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(_CSS)
        self.browser.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.browser, 1)
        self.case: Case | None = None
        self.retranslate()

    def retranslate(self) -> None:
        self.banner.setText(self.tr("Synthetic demo data – not a real patient"))
        self.banner.setAccessibleName(self.banner.text())
        self.browser.setAccessibleName(self.tr("Case data"))
        self.browser.setAccessibleDescription(
            self.tr("Every value can be selected and copied with Ctrl+C.")
        )
        self.show_case(self.case)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_case(self, case: Case | None) -> None:
        """Show a case's data (None: the hint to pick one)."""
        self.case = case
        self.banner.setVisible(case is not None and is_demo_case(case.data))
        if case is None:
            hint = self.tr("Select a case from the list.")
            self.browser.setHtml(f"<p>{_e(hint)}</p>")
            return
        self.browser.setHtml(self.case_html(case))

    def case_html(self, case: Case) -> str:
        """The case as rich text, section by section."""
        data, lang = case.data, case.language
        parts = [self._patient(case)]
        parts += self._section(
            self.tr("Diagnoses"), self._diagnoses(data.get("diagnoses", []), lang)
        )
        parts += self._section(
            self.tr("Therapy history"), self._history(data.get("history", []), lang)
        )
        parts += self._section(
            self.tr("Radiotherapy"), self._courses(data.get("radiotherapy", []), lang)
        )
        parts += self._section(
            self.tr("Toxicities"), self._toxicities(data.get("toxicities", []), lang)
        )
        if ps := data.get("performance_status"):
            text = notation.format_performance_status(ps["scale"], ps["value"], lang)
            parts += self._section(self.tr("Performance status"), f"<p>{_e(text)}</p>")
        if findings := data.get("findings"):
            parts += self._section(self.tr("Findings"), f"<p>{_e(findings)}</p>")
        parts += self._section(self.tr("Follow-up plan"), self._follow_up(data, lang))
        if notes := data.get("notes"):
            parts += self._section(
                self.tr("Notes"), f'<p style="white-space:pre-wrap">{_e(notes)}</p>'
            )
        parts += self._section(self.tr("Recipient"), self._recipient(data.get("recipient") or {}))
        if case.warnings:
            items = "".join(f"<li>{_e(w.message)}</li>" for w in case.warnings)
            parts += self._section(self.tr("Checks"), f"<ul>{items}</ul>")
        return "".join(parts)

    @staticmethod
    def _section(title: str, body: str) -> list[str]:
        return [f"<h3>{_e(title)}</h3>{body}"] if body else []

    def _patient(self, case: Case) -> str:
        p, lang = case.patient, case.language
        name = notation.titled_name(p["sex"], p["given_name"], p["family_name"], lang)
        letter_types = {
            "final_report": self.tr("Final report"),
            "initial_consultation": self.tr("Initial consultation"),
            "follow_up": self.tr("Follow-up"),
        }
        languages = {"de": self.tr("German"), "en": self.tr("English")}
        return f"<h2>{_e(name)}</h2>" + _rows(
            [
                (self.tr("Born"), notation.format_date(p["birth_date"], lang)),
                (self.tr("Patient ID"), p["patient_id"]),
                (self.tr("Case"), case.case_id),
                (self.tr("Letter"), letter_types.get(case.letter_type, case.letter_type)),
                (self.tr("Letter language"), languages.get(lang, lang)),
            ]
        )

    def _diagnoses(self, diagnoses: Sequence[Mapping[str, Any]], lang: str) -> str:
        blocks = []
        for d in diagnoses:
            side = notation.format_laterality(d.get("laterality"), lang)
            title = f"{d['text']} {side}".strip()
            blocks.append(
                f"<p><b>{_e(title)}</b></p>"
                + _rows(
                    [
                        ("ICD-10", d["icd10"]),
                        ("TNM", d.get("tnm")),
                        (self.tr("UICC stage"), d.get("uicc_stage")),
                        (self.tr("Histology"), d.get("histology")),
                        (self.tr("Grading"), d.get("grading")),
                        (
                            self.tr("Diagnosed"),
                            d.get("date") and notation.format_date(d["date"], lang),
                        ),
                    ]
                )
            )
        return "".join(blocks)

    def _history(self, history: Sequence[Mapping[str, Any]], lang: str) -> str:
        if not history:
            return ""
        kinds = {
            "surgery": self.tr("surgery"),
            "chemotherapy": self.tr("chemotherapy"),
            "radiotherapy": self.tr("radiotherapy"),
            "systemic": self.tr("systemic therapy"),
            "imaging": self.tr("imaging"),
            "other": self.tr("other"),
        }
        rows = [
            (
                notation.format_date(h["date"], lang) if h.get("date") else "",
                kinds.get(h["kind"], h["kind"]),
                h["description"],
            )
            for h in history
        ]
        return _table([self.tr("Date"), self.tr("Kind"), self.tr("Description")], rows)

    def _courses(self, courses: Sequence[Mapping[str, Any]], lang: str) -> str:
        blocks = []
        for rt in courses:
            schedule = notation.format_fraction_schedule(
                rt["fractions"], rt["dose_per_fraction_gy"], lang
            )
            period = (
                f"{notation.format_date(rt['start_date'], lang)} – "
                f"{notation.format_date(rt['end_date'], lang)}"
            )
            blocks.append(
                f"<p><b>{_e(rt['target'])}</b></p>"
                + _rows(
                    [
                        (self.tr("Technique"), rt["technique"]),
                        (self.tr("Total dose"), notation.format_gy(rt["total_dose_gy"], lang)),
                        (self.tr("Fractionation"), schedule),
                        (self.tr("Period"), period),
                        (self.tr("Concurrent"), rt.get("concurrent_therapy")),
                    ]
                )
            )
        return "".join(blocks)

    def _toxicities(self, toxicities: Sequence[Mapping[str, Any]], lang: str) -> str:
        if not toxicities:
            return ""
        rows = [
            (t["term"], notation.format_ctcae_grade(t["ctcae_grade"], lang)) for t in toxicities
        ]
        return _table([self.tr("Toxicity"), self.tr("Grade")], rows)

    def _follow_up(self, data: Mapping[str, Any], lang: str) -> str:
        visits = data.get("follow_up", [])
        body = ""
        if visits:
            rows = [
                (notation.format_date(v["date"], lang) if v.get("date") else "", v["description"])
                for v in visits
            ]
            body += _table([self.tr("Date"), self.tr("Plan")], rows)
        if recommendations := data.get("recommendations"):
            items = "".join(f"<li>{_e(r)}</li>" for r in recommendations)
            heading = self.tr("Recommendations")
            body += f"<p><b>{_e(heading)}</b></p><ul>{items}</ul>"
        return body

    def _recipient(self, recipient: Mapping[str, Any]) -> str:
        if not recipient:
            return ""
        name = " ".join(
            str(recipient[k])
            for k in ("salutation", "title", "given_name", "family_name")
            if recipient.get(k)
        )
        place = " ".join(str(recipient[k]) for k in ("postal_code", "city") if recipient.get(k))
        lines = [name, recipient.get("institution"), recipient.get("street"), place]
        return "<p>" + "<br>".join(_e(line) for line in lines if line) + "</p>"
