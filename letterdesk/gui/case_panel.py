"""The case panel: the input data a letter is written from, laid out to be read and copied.

Values appear in the letter's notation (dates, doses, grades as
:mod:`letterdesk.core.foundation.notation`
writes them), so a value copied from here is what a correct letter says. Every value is
selectable with mouse and keyboard and copies with Ctrl+C. Synthetic demo cases carry a
banner that says so.

Each value is marked with its field's JSON path (``$.radiotherapy[0].total_dose_gy``), so the
fact check can point at the source of a flagged fact: :meth:`CasePanel.reveal` scrolls to the
field and highlights it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from letterdesk.core.cases.case import Case
from letterdesk.core.desk.demo import is_demo_case
from letterdesk.core.foundation import notation
from letterdesk.gui.field_marks import FieldMarks, Html
from letterdesk.gui.qt import (
    QColor,
    QEvent,
    QLabel,
    Qt,
    QTextBrowser,
    QTextCursor,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

_CSS = """
h2 { margin: 0 0 2px 0; }
h3 { margin: 14px 0 4px 0; color: #1f4e79; }
table { border-collapse: collapse; }
td { padding: 2px 10px 2px 0; vertical-align: top; }
td.key { color: #555555; }
"""
_REVEALED = QColor("#ffe08a")  # the marker-pen yellow of a revealed field


def _e(value: object) -> str:
    return value if isinstance(value, Html) else html.escape(str(value))


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
        self.marks = FieldMarks()
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
        self.browser.setExtraSelections([])
        self.marks = FieldMarks()
        if case is None:
            hint = self.tr("Select a case from the list.")
            self.browser.setHtml(f"<p>{_e(hint)}</p>")
        else:
            self.browser.setHtml(self.case_html(case))
        self.marks.locate(self.browser.document())

    def reveal(self, path: str) -> bool:
        """Scroll to the value of the field at a JSON path and highlight it.

        A field not shown on its own (``$.radiotherapy`` for a cumulative dose) reveals the
        nearest enclosing one. False when nothing of it is shown.
        """
        span = self.marks.span(path)
        if span is None:
            self.browser.setExtraSelections([])
            return False
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        marker = QTextEdit.ExtraSelection()
        marker.cursor = cursor
        marker.format.setBackground(_REVEALED)
        self.browser.setExtraSelections([marker])
        cursor.clearSelection()  # a selection would paint over the marker
        self.browser.setTextCursor(cursor)
        self.browser.ensureCursorVisible()
        return True

    def revealed_text(self) -> str:
        """The value the last :meth:`reveal` highlighted, or empty."""
        markers = self.browser.extraSelections()
        return markers[0].cursor.selectedText() if markers else ""

    def case_html(self, case: Case) -> str:
        """The case as rich text, section by section."""
        data, lang = case.data, case.language
        parts = [self._patient(case)]
        mark = self.marks.mark
        parts += self._section(
            mark(self.tr("Diagnoses"), "$.diagnoses"),
            self._diagnoses(data.get("diagnoses", []), lang),
        )
        parts += self._section(
            mark(self.tr("Therapy history"), "$.history"),
            self._history(data.get("history", []), lang),
        )
        parts += self._section(
            mark(self.tr("Radiotherapy"), "$.radiotherapy"),
            self._courses(data.get("radiotherapy", []), lang),
        )
        parts += self._section(
            mark(self.tr("Toxicities"), "$.toxicities"),
            self._toxicities(data.get("toxicities", []), lang),
        )
        if ps := data.get("performance_status"):
            text = notation.format_performance_status(ps["scale"], ps["value"], lang)
            body = f"<p>{mark(text, '$.performance_status')}</p>"
            parts += self._section(self.tr("Performance status"), body)
        if findings := data.get("findings"):
            parts += self._section(self.tr("Findings"), f"<p>{mark(findings, '$.findings')}</p>")
        parts += self._section(
            mark(self.tr("Follow-up plan"), "$.follow_up"), self._follow_up(data, lang)
        )
        if notes := data.get("notes"):
            body = f'<p style="white-space:pre-wrap">{mark(notes, "$.notes")}</p>'
            parts += self._section(self.tr("Notes"), body)
        parts += self._section(
            mark(self.tr("Recipient"), "$.recipient"),
            self._recipient(data.get("recipient") or {}),
        )
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
        mark = self.marks.mark
        born = notation.format_date(p["birth_date"], lang)
        return f"<h2>{mark(name, '$.patient.family_name', '$.patient')}</h2>" + _rows(
            [
                (self.tr("Born"), mark(born, "$.patient.birth_date")),
                (self.tr("Patient ID"), mark(p["patient_id"], "$.patient.patient_id")),
                (self.tr("Case"), mark(case.case_id, "$.case_id")),
                (self.tr("Letter"), letter_types.get(case.letter_type, case.letter_type)),
                (self.tr("Letter language"), languages.get(lang, lang)),
            ]
        )

    def _diagnoses(self, diagnoses: Sequence[Mapping[str, Any]], lang: str) -> str:
        blocks, mark = [], self.marks.mark
        for i, d in enumerate(diagnoses):
            at = f"$.diagnoses[{i}]"
            side = notation.format_laterality(d.get("laterality"), lang)
            title = f"{mark(d['text'], f'{at}.text', at)} {mark(side, f'{at}.laterality')}"
            date = d.get("date") and notation.format_date(d["date"], lang)
            blocks.append(
                f"<p><b>{title.strip()}</b></p>"
                + _rows(
                    [
                        ("ICD-10", mark(d["icd10"], f"{at}.icd10")),
                        ("TNM", mark(d.get("tnm"), f"{at}.tnm")),
                        (self.tr("UICC stage"), mark(d.get("uicc_stage"), f"{at}.uicc_stage")),
                        (self.tr("Histology"), mark(d.get("histology"), f"{at}.histology")),
                        (self.tr("Grading"), mark(d.get("grading"), f"{at}.grading")),
                        (self.tr("Diagnosed"), mark(date, f"{at}.date")),
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
        mark = self.marks.mark
        rows = [
            (
                mark(
                    h.get("date") and notation.format_date(h["date"], lang), f"$.history[{i}].date"
                ),
                kinds.get(h["kind"], h["kind"]),
                mark(h["description"], f"$.history[{i}].description", f"$.history[{i}]"),
            )
            for i, h in enumerate(history)
        ]
        return _table([self.tr("Date"), self.tr("Kind"), self.tr("Description")], rows)

    def _courses(self, courses: Sequence[Mapping[str, Any]], lang: str) -> str:
        blocks, mark = [], self.marks.mark
        for i, rt in enumerate(courses):
            at = f"$.radiotherapy[{i}]"
            schedule = notation.format_fraction_schedule(
                rt["fractions"], rt["dose_per_fraction_gy"], lang
            )
            start = mark(notation.format_date(rt["start_date"], lang), f"{at}.start_date")
            end = mark(notation.format_date(rt["end_date"], lang), f"{at}.end_date")
            total = notation.format_gy(rt["total_dose_gy"], lang)
            blocks.append(
                f"<p><b>{mark(rt['target'], f'{at}.target', at)}</b></p>"
                + _rows(
                    [
                        (self.tr("Technique"), mark(rt["technique"], f"{at}.technique")),
                        (self.tr("Total dose"), mark(total, f"{at}.total_dose_gy")),
                        (
                            self.tr("Fractionation"),
                            mark(schedule, f"{at}.fractions", f"{at}.dose_per_fraction_gy"),
                        ),
                        (self.tr("Period"), Html(f"{start} – {end}")),
                        (
                            self.tr("Concurrent"),
                            mark(rt.get("concurrent_therapy"), f"{at}.concurrent_therapy"),
                        ),
                    ]
                )
            )
        return "".join(blocks)

    def _toxicities(self, toxicities: Sequence[Mapping[str, Any]], lang: str) -> str:
        if not toxicities:
            return ""
        mark = self.marks.mark
        rows = [
            (
                mark(t["term"], f"$.toxicities[{i}].term", f"$.toxicities[{i}]"),
                mark(
                    notation.format_ctcae_grade(t["ctcae_grade"], lang),
                    f"$.toxicities[{i}].ctcae_grade",
                ),
            )
            for i, t in enumerate(toxicities)
        ]
        return _table([self.tr("Toxicity"), self.tr("Grade")], rows)

    def _follow_up(self, data: Mapping[str, Any], lang: str) -> str:
        visits, mark = data.get("follow_up", []), self.marks.mark
        body = ""
        if visits:
            rows = [
                (
                    mark(v.get("date") and notation.format_date(v["date"], lang), f"{at}.date"),
                    mark(v["description"], f"{at}.description", at),
                )
                for at, v in ((f"$.follow_up[{i}]", v) for i, v in enumerate(visits))
            ]
            body += _table([self.tr("Date"), self.tr("Plan")], rows)
        if recommendations := data.get("recommendations"):
            items = "".join(
                f"<li>{mark(r, f'$.recommendations[{i}]')}</li>"
                for i, r in enumerate(recommendations)
            )
            heading = mark(self.tr("Recommendations"), "$.recommendations")
            body += f"<p><b>{heading}</b></p><ul>{items}</ul>"
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
