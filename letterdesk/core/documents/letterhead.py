"""The institution's letterhead: a Word template whose pages every exported letter is set on.

The template owns the logo, headers and footers, fonts, styles and margins. IT swaps it by
pointing the ``letterhead_template`` setting at another .docx or .dotx; no code changes. The
template's own body text is dropped, except a paragraph in the style ``Return Address``: its
text becomes the sender line above the recipient in the envelope window (DIN 5008).

A template that is missing or cannot be read falls back to the bundled one, with a warning the
caller shows. Styles the exporter uses but a template lacks are added with plain defaults based
on the template's ``Normal`` style, so a letterhead made in Word needs none of them. All of
that happens once per template (:func:`load_letterhead`); each letter then only copies it.

What this module puts on the page for every letter: the DIN 5008 address window with the
information block beside it, "Seite X von Y" in the footer, the draft marks, and a line naming
the patient in the header of pages 2 onward.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Emu, Length, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.paths import resource

BUNDLED = ("letterhead", "letterhead.docx")
MAX_TEMPLATE_BYTES = 20_000_000
RETURN_ADDRESS_STYLE = "Return Address"

_TEMPLATE_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
_DOCUMENT_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DRAFT_RED = RGBColor(0xC0, 0x00, 0x00)
_GREY = RGBColor(0x59, 0x59, 0x59)

_WORDS = {
    "de": {
        "page": "Seite {page} von {pages}",
        "draft": "ENTWURF",
        "draft_line": "ENTWURF – nicht freigegeben, nicht versenden",
    },
    "en": {
        "page": "Page {page} of {pages}",
        "draft": "DRAFT",
        "draft_line": "DRAFT – not signed off, do not send",
    },
}


def bundled_template() -> Path:
    """The default letterhead shipped with LetterDesk."""
    return resource(*BUNDLED)


@dataclass(frozen=True)
class Letterhead:
    """A template read and prepared once; every letter gets a fresh document from it."""

    source: Path
    """The template file in use (the bundled one after a fallback)."""
    package: bytes
    """The template as a .docx package, its body emptied and every letter style present."""
    sender: str
    """The return-address line from the template's body; empty when it has none."""
    styles: Styles
    numbered_bullets: bool
    """True when List Bullet draws its bullet itself (Word numbering)."""
    warnings: tuple[str, ...] = ()
    """Why the template asked for is not the one in use; empty when it is."""

    def new_document(self) -> DocxDocument:
        """A new document with the template's pages and styles and an empty body."""
        return Document(io.BytesIO(self.package))


def load_letterhead(path: Path | str | None = None) -> Letterhead:
    """The letterhead at ``path`` (empty: the bundled one); a bad file falls back with a warning.

    Raises ConfigurationError only when the bundled letterhead itself is missing or broken.
    """
    bundled = bundled_template()
    if path and Path(path).resolve() != bundled.resolve():
        try:
            return _prepare(Path(path), ())
        except ConfigurationError as exc:
            warning = f"{exc.message} The built-in letterhead was used instead."
            return _bundled(bundled, (warning,))
    return _bundled(bundled, ())


def _bundled(bundled: Path, warnings: tuple[str, ...]) -> Letterhead:
    try:
        return _prepare(bundled, warnings)
    except ConfigurationError as exc:
        raise ConfigurationError(
            exc.message, "LetterDesk's installation is incomplete; reinstall it."
        ) from exc


def _prepare(path: Path, warnings: tuple[str, ...]) -> Letterhead:
    """Read the template, empty its body and add the letter styles it lacks, once."""
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise ConfigurationError(f"The letterhead template {path} is too large.")
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"The letterhead template {path} cannot be read ({exc.strerror})."
        ) from exc
    try:
        document = Document(io.BytesIO(_as_document_package(raw)))
        sender = take_body(document)
        styles = ensure_letter_styles(document)
        bullets = has_numbered_bullets(document)
        package = io.BytesIO()
        document.save(package)
    except Exception as exc:  # any fault while reading a foreign file means "unusable"
        raise ConfigurationError(
            f"The letterhead template {path} is not a readable Word document ({exc}).",
            "Save the letterhead from Word as .docx or .dotx and point letterhead_template at it.",
        ) from exc
    return Letterhead(path, package.getvalue(), sender, styles, bullets, warnings)


def _as_document_package(raw: bytes) -> bytes:
    """A .dotx differs from a .docx only in its main part's content type; rewrite that."""
    with zipfile.ZipFile(io.BytesIO(raw)) as source:
        types = source.read("[Content_Types].xml")
        if _TEMPLATE_TYPE not in types:
            return raw
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(_TEMPLATE_TYPE, _DOCUMENT_TYPE)
                target.writestr(item, data)
    return out.getvalue()


# --- the body and its styles -----------------------------------------------------------------


def take_body(document: DocxDocument) -> str:
    """Empty the template's body (its page setup stays); return its return-address line."""
    body = document.element.body
    sender = ""
    for paragraph in document.paragraphs:
        if paragraph.style is not None and paragraph.style.name == RETURN_ADDRESS_STYLE:
            sender = sender or paragraph.text.strip()
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return sender


@dataclass(frozen=True)
class _StyleDefault:
    size: float | None = None
    bold: bool = False
    grey: bool = False
    before: float = 0
    after: float = 0
    keep_with_next: bool = False
    align: WD_ALIGN_PARAGRAPH | None = None


_LETTER_STYLES = {
    "Heading 1": _StyleDefault(bold=True, before=10, after=3, keep_with_next=True),
    "List Bullet": _StyleDefault(after=2),
    "Letter Subject": _StyleDefault(bold=True, after=2, keep_with_next=True),
    "Letter Patient": _StyleDefault(after=14),
    RETURN_ADDRESS_STYLE: _StyleDefault(size=7, grey=True),
    "Recipient Address": _StyleDefault(),
    "Letter Info": _StyleDefault(size=8.5),
    "Closing": _StyleDefault(before=12, keep_with_next=True),
    "Signature": _StyleDefault(keep_with_next=True),
    "Draft Mark": _StyleDefault(size=9, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT),
    "Continuation": _StyleDefault(size=8, grey=True, after=0),
}


class Styles:
    """Paragraph styles by name, looked up once: python-docx scans every style per lookup."""

    def __init__(self, document: DocxDocument) -> None:
        self._ids = {
            style.name: style.style_id
            for style in document.styles
            if style.type == WD_STYLE_TYPE.PARAGRAPH
        }

    def apply(self, paragraph: Paragraph, name: str) -> Paragraph:
        """Give ``paragraph`` the style ``name``; return it."""
        paragraph._p.get_or_add_pPr().style = self._ids[name]
        return paragraph

    def add(self, container: Any, text: str, name: str) -> Paragraph:
        """A new paragraph with ``text`` in style ``name`` at the end of ``container``."""
        return self.apply(container.add_paragraph(text), name)


LETTER_STYLES = tuple(_LETTER_STYLES)
"""The paragraph styles letters use; a template lacking one gets a plain default."""


def ensure_letter_styles(document: DocxDocument) -> Styles:
    """Add every paragraph style the exporter uses that the template lacks, based on Normal."""
    styles = document.styles
    names = {style.name for style in styles}
    for name, default in _LETTER_STYLES.items():
        if name in names:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        font, layout = style.font, style.paragraph_format
        font.bold = default.bold or None
        if default.size:
            font.size = Pt(default.size)
        if default.grey:
            font.color.rgb = _GREY
        layout.space_before, layout.space_after = Pt(default.before), Pt(default.after)
        layout.keep_with_next = default.keep_with_next or None
        layout.alignment = default.align
        if name == "List Bullet":  # no numbering definition to borrow: the item carries a "•"
            layout.left_indent, layout.first_line_indent = Mm(6), Mm(-6)
            layout.tab_stops.add_tab_stop(Mm(6))
        if name == "Draft Mark":
            font.color.rgb = _DRAFT_RED
    return Styles(document)


def has_numbered_bullets(document: DocxDocument) -> bool:
    """True when the template's List Bullet style draws its bullet itself (Word numbering)."""
    ppr = document.styles["List Bullet"].element.pPr
    return ppr is not None and ppr.find(qn("w:numPr")) is not None


# --- page 1: the DIN 5008 address window and information block ------------------------------

# DIN 5008 Form B, measured from the page's top and left edges
ADDRESS_TOP, ADDRESS_LEFT = Mm(45), Mm(20)
ADDRESS_WIDTH, NOTE_ZONE, ADDRESS_ZONE = Mm(85), Mm(17.7), Mm(27.3)
INFO_LEFT = Mm(125)
ADDRESS_INSET = Mm(5)  # address text starts at 25 mm, flush with the body text


def add_lines(paragraph: Paragraph, text: str) -> None:
    """Text into a paragraph, its line breaks kept as line breaks (not new paragraphs)."""
    for number, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if number:
            run.add_break()
        run.add_text(line)


def address_window(
    document: DocxDocument,
    styles: Styles,
    sender: str,
    address: Sequence[str],
    info: Sequence[tuple[str, str]],
) -> list[str]:
    """The address field (sender line over the recipient) and the information block beside it,
    as the body's first element; warnings when the letterhead's margins prevent the position.

    A borderless table with exact row heights holds both, at the top of the body: the bundled
    letterhead's top margin is 45 mm, a smaller margin gets a spacer paragraph above it, so Word
    and LibreOffice put the address on the same spot.
    """
    section, warnings = document.sections[-1], []
    top = Emu(section.top_margin if section.top_margin is not None else Mm(25))
    left = Emu(section.left_margin if section.left_margin is not None else Mm(25))
    right = Emu(section.right_margin if section.right_margin is not None else Mm(20))
    width = Emu(section.page_width if section.page_width is not None else Mm(210))
    if top < ADDRESS_TOP - Mm(0.5):
        spacer = document.add_paragraph().paragraph_format
        spacer.space_before = spacer.space_after = Pt(0)
        spacer.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        spacer.line_spacing = Emu(ADDRESS_TOP - top)
    elif top > ADDRESS_TOP + Mm(0.5):
        warnings.append(
            f"The letterhead's top margin is {top.mm:.0f} mm, so the address sits lower than the "
            "45 mm a window envelope needs (DIN 5008)."
        )
    info_width = Emu(max(width - right - INFO_LEFT, Mm(40)))
    columns = (ADDRESS_WIDTH, Emu(INFO_LEFT - ADDRESS_LEFT - ADDRESS_WIDTH), info_width)
    table = document.add_table(rows=2, cols=3)
    _place_table(table, Emu(ADDRESS_LEFT - left), columns)
    for row, height in zip(table.rows, (NOTE_ZONE, ADDRESS_ZONE), strict=True):
        row.height_rule, row.height = WD_ROW_HEIGHT_RULE.EXACTLY, height
    note, recipient = table.cell(0, 0), table.cell(1, 0)
    note.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    for cell, lines, style in (
        (note, [sender], RETURN_ADDRESS_STYLE),
        (recipient, address, "Recipient Address"),
    ):
        _cell_inset(cell, ADDRESS_INSET)
        styles.apply(cell.paragraphs[0], style)
        add_lines(cell.paragraphs[0], "\n".join(line for line in lines if line))
    note.paragraphs[0].paragraph_format.space_after = Pt(2)
    _info_block(table.cell(0, 2).merge(table.cell(1, 2)), styles, info)
    return warnings


def _info_block(cell: _Cell, styles: Styles, rows: Sequence[tuple[str, str]]) -> None:
    """Label, tab, value; the last row (the date) in bold."""
    for number, (label, value) in enumerate(rows):
        paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
        styles.apply(paragraph, "Letter Info")
        paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(28))
        paragraph.add_run(f"{label}\t")
        paragraph.add_run(value).bold = number == len(rows) - 1


def _place_table(table: Any, indent: Length, columns: Sequence[Length]) -> None:
    """A borderless, fixed-width table starting ``indent`` from the left margin, no cell padding."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    successors = (
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
    )
    tbl_w = tbl_pr.makeelement(
        qn("w:tblW"), {qn("w:w"): str(sum(c.twips for c in columns)), qn("w:type"): "dxa"}
    )
    tbl_pr.insert_element_before(tbl_w, *successors)
    tbl_ind = tbl_pr.makeelement(
        qn("w:tblInd"), {qn("w:w"): str(indent.twips), qn("w:type"): "dxa"}
    )
    tbl_pr.insert_element_before(tbl_ind, *successors[3:])
    margins = tbl_pr.makeelement(qn("w:tblCellMar"), {})
    for side in ("top", "left", "bottom", "right"):
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): "0", qn("w:type"): "dxa"}))
    tbl_pr.insert_element_before(margins, "w:tblLook")
    for column, width in zip(table.columns, columns, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _cell_inset(cell: _Cell, left: Length) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    margins = tc_pr.makeelement(qn("w:tcMar"), {})
    margins.append(
        margins.makeelement(qn("w:left"), {qn("w:w"): str(left.twips), qn("w:type"): "dxa"})
    )
    tc_pr.insert_element_before(margins, "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")


# --- page furniture: page numbers, draft marks, continuation line ----------------------------


def page_number_line(section: Section, language: str) -> None:
    """ "Seite X von Y" / "Page X of Y" (PAGE and NUMPAGES fields) at the end of each footer,
    unless the template's footer already counts pages."""
    before, middle, after = _split_page_words(_WORDS[language]["page"])
    for footer in _used(section, "footer"):
        if any("PAGE" in (t.text or "") for t in footer._element.iter(qn("w:instrText"))):
            continue
        paragraph = footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.space_before = Pt(2)
        _small(paragraph.add_run(before))
        _field(paragraph, "PAGE", "1")
        _small(paragraph.add_run(middle))
        _field(paragraph, "NUMPAGES", "1")
        if after:
            _small(paragraph.add_run(after))


def _split_page_words(pattern: str) -> tuple[str, str, str]:
    before, _, rest = pattern.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    return before, middle, after


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field; Word and LibreOffice compute its value when they lay out the page."""
    for kind in ("begin", None, "separate", shown, "end"):
        run = paragraph.add_run()
        _small(run)
        if kind in ("begin", "separate", "end"):
            run._r.append(run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
        elif kind is None:
            code = run._r.makeelement(qn("w:instrText"), {})
            code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            run.text = kind


def _small(run: object) -> None:
    run.font.size = Pt(8)  # type: ignore[attr-defined]


def draft_marks(section: Section, styles: Styles, language: str) -> None:
    """A red "ENTWURF"/"DRAFT" line at the end of every header, and a watermark behind the text."""
    words = _WORDS[language]
    for number, header in enumerate(_used(section, "header"), start=1):
        paragraph = styles.add(header, "", "Draft Mark")
        run = paragraph.add_run(words["draft_line"])
        run.font.color.rgb = _DRAFT_RED
        paragraph._p.append(parse_xml(_watermark_xml(words["draft"], number)))


def continuation_line(section: Section, styles: Styles, text: str) -> None:
    """Who the letter is about, in the header of pages 2 onward (when page 1 has its own)."""
    if section.different_first_page_header_footer:
        styles.add(section.header, text, "Continuation")


def _used(section: Section, kind: str) -> list:
    """The headers or footers pages of this section show (first page, then the others)."""
    first = section.first_page_header if kind == "header" else section.first_page_footer
    other = section.header if kind == "header" else section.footer
    parts = [first] if section.different_first_page_header_footer else []
    return [*parts, other]


_VML = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)
# The WordArt text shape (VML shape type 136) as Word itself defines it for watermarks.
_TEXT_SHAPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(
        f'<v:f eqn="{eqn}"/>'
        for eqn in (
            "sum #0 0 10800",
            "prod #0 2 1",
            "sum 21600 0 @1",
            "sum 0 0 @2",
            "sum 21600 0 @3",
            "if @0 @3 0",
            "if @0 21600 @1",
            "if @0 0 @2",
            "if @0 @4 21600",
            "mid @5 @6",
            "mid @8 @5",
            "mid @7 @8",
            "mid @6 @7",
            "sum @6 0 @5",
        )
    )
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/>'
    "</v:shapetype>"
)


def _watermark_xml(text: str, number: int) -> str:
    style = (
        "position:absolute;margin-left:0;margin-top:0;width:440pt;height:110pt;rotation:315;"
        "z-index:-251651072;mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        "mso-position-vertical:center;mso-position-vertical-relative:margin"
    )
    return (
        f"<w:r {_VML}><w:pict>{_TEXT_SHAPE}"
        f'<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{2050 + number}" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="#e3b3b3" stroked="f">'
        '<v:fill opacity=".45"/>'
        f'<v:textpath style="font-family:&quot;Arial&quot;;font-size:1pt;font-weight:bold" '
        f'string="{text}"/><w10:wrap anchorx="margin" anchory="margin"/>'
        "</v:shape></w:pict></w:r>"
    )
