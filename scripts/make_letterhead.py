"""Build the bundled letterhead: resources/letterhead/logo.png and letterhead.docx.

Run: .venv/bin/python scripts/make_letterhead.py [--preview docs/export/letter-page1.png]

The institution is invented ("Klinik für Strahlentherapie (Demo)"). The page follows DIN 5008
Form B: a 45 mm letterhead, body text from 25 mm on the left to 20 mm from the right edge, fold
marks at 105 mm and 210 mm and a hole mark at 148.5 mm. The letter itself (address window, info
block, text) is added per letter by letterdesk.core.documents.docx. ``--preview`` also exports a
synthetic demo letter on it and renders page 1 with LibreOffice for the README.
"""

from __future__ import annotations

import argparse
import math
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from letterdesk.core.documents.letterhead import (
    LETTER_STYLES,
    RETURN_ADDRESS_STYLE,
    ensure_letter_styles,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "letterhead"
TEAL = RGBColor(0x0B, 0x5E, 0x73)
GREY = RGBColor(0x59, 0x59, 0x59)
FONT = "Arial"  # LibreOffice shows it in the metric-compatible Liberation Sans

NAME = "Klinik für Strahlentherapie (Demo)"
HOSPITAL = "Universitätsklinikum Musterstadt (Demo)"
DIRECTOR = "Direktorin: Prof. Dr. med. Beispiel"
STREET, CITY = "Musterweg 1", "12345 Musterstadt"
CONTACT = "Telefon 0123 4567-0 · Fax 0123 4567-99 · strahlentherapie@klinikum-musterstadt.example"
WEB = "www.klinikum-musterstadt.example · Sekretariat Mo–Fr 8–16 Uhr"


# --- the logo: a beam-and-target emblem, drawn pixel by pixel --------------------------------


def logo_png(size: int = 300, samples: int = 3) -> bytes:
    """A teal rounded square with a white target and three converging beams, as PNG bytes."""
    rows = []
    for y in range(size):
        row = bytearray([0])  # PNG filter type "none"
        for x in range(size):
            cover_bg = cover_fg = 0
            for sy in range(samples):
                for sx in range(samples):
                    u = (x + (sx + 0.5) / samples) / size * 2 - 1
                    v = (y + (sy + 0.5) / samples) / size * 2 - 1
                    if _rounded_square(u, v):
                        cover_bg += 1
                        cover_fg += _emblem(u, v)
            n = samples * samples
            alpha, white = cover_bg / n, cover_fg / max(cover_bg, 1)
            rgb = [round(c + (255 - c) * white) for c in (0x0B, 0x5E, 0x73)]
            row += bytes([*rgb, round(255 * alpha)])
        rows.append(bytes(row))
    return _png(size, size, b"".join(rows))


def _rounded_square(u: float, v: float, radius: float = 0.28) -> bool:
    du, dv = max(abs(u) - (1 - radius), 0), max(abs(v) - (1 - radius), 0)
    return du * du + dv * dv <= radius * radius


def _emblem(u: float, v: float) -> bool:
    r = math.hypot(u, v)
    if r <= 0.15 or 0.30 <= r <= 0.38:
        return True
    for angle in (90, 210, 330):  # beams from the edge towards the target
        a = math.radians(angle)
        along = u * math.cos(a) - v * math.sin(a)
        across = u * math.sin(a) + v * math.cos(a)
        if 0.46 <= along <= 0.86 and abs(across) <= 0.05 + 0.07 * (along - 0.46):
            return True
    return False


def _png(width: int, height: int, raw_rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw_rgba_rows, 9))
        + chunk(b"IEND", b"")
    )


# --- the template ----------------------------------------------------------------------------


def _font(element_rpr, size: float | None = None) -> None:
    """Set the font by name everywhere, dropping theme fonts that would override it."""
    fonts = element_rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = element_rpr.makeelement(qn("w:rFonts"), {})
        element_rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            for old in element_rpr.findall(qn(tag)):
                element_rpr.remove(old)
            element_rpr.append(element_rpr.makeelement(qn(tag), {qn("w:val"): str(int(size * 2))}))


def _styles(document) -> None:
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    _font(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), 10.5)
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10.5)
    _font(normal.element.get_or_add_rPr(), 10.5)
    layout = normal.paragraph_format
    layout.space_before, layout.space_after = Pt(0), Pt(6)
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.MULTIPLE, 1.12
    layout.widow_control = True
    ensure_letter_styles(document)
    heading = styles["Heading 1"]
    _font(heading.element.get_or_add_rPr(), 10.5)
    heading.font.bold, heading.font.italic, heading.font.color.rgb = True, False, TEAL
    heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(11), Pt(3)
    heading.paragraph_format.keep_with_next = True
    bullet = styles["List Bullet"].paragraph_format
    bullet.space_after, bullet.left_indent = Pt(2), Mm(5)
    bullet.first_line_indent = Mm(-5)
    subject = styles["Letter Subject"]
    subject.font.size, subject.font.color.rgb = Pt(11), RGBColor(0x1A, 0x1A, 0x1A)
    styles["Recipient Address"].paragraph_format.space_after = Pt(0)
    styles["Recipient Address"].paragraph_format.line_spacing = 1.0
    styles["Letter Info"].paragraph_format.line_spacing = 1.0
    styles["Letter Info"].paragraph_format.space_after = Pt(1)
    styles["Signature"].paragraph_format.space_after = Pt(0)
    for name in ("Header", "Footer"):
        styles[name].font.name = FONT
        tabs = styles[name].element.pPr.find(qn("w:tabs"))
        if tabs is not None:  # Word's default centre/right stops would catch our own tabs
            tabs.getparent().remove(tabs)


def _bullets(document) -> None:
    """List Bullet's numbering: a real "•" in the body font, not Symbol's private-use glyph."""
    style_numbering = document.styles["List Bullet"].element.pPr.find(qn("w:numPr"))
    num_id = style_numbering.find(qn("w:numId")).get(qn("w:val"))
    numbering = document.part.numbering_part.element
    (num,) = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    (abstract,) = [
        a
        for a in numbering.findall(qn("w:abstractNum"))
        if a.get(qn("w:abstractNumId")) == abstract_id
    ]
    level = abstract.find(qn("w:lvl"))
    level.find(qn("w:lvlText")).set(qn("w:val"), "•")
    indent = str(Mm(5).twips)
    level.find(qn("w:pPr")).find(qn("w:tabs")).find(qn("w:tab")).set(qn("w:pos"), indent)
    level.find(qn("w:pPr")).find(qn("w:ind")).attrib.update(
        {qn("w:left"): indent, qn("w:hanging"): indent}
    )
    _font(level.find(qn("w:rPr")))


def _page(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(45), Mm(27)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(8)
    section.start_type = WD_SECTION.NEW_PAGE
    section.different_first_page_header_footer = True


def _rule(paragraph, where: str = "bottom") -> None:
    """A thin teal line above or below a paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.makeelement(qn("w:pBdr"), {})
    borders.append(
        borders.makeelement(
            qn(f"w:{where}"),
            {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "4", qn("w:color"): "0B5E73"},
        )
    )
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr")


def _first_page_header(section, logo: Path) -> None:
    header = section.first_page_header
    table = header.add_table(rows=1, cols=2, width=Mm(165))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, (Mm(135), Mm(30)), strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    left, right = table.rows[0].cells
    title = left.paragraphs[0]
    run = title.add_run(NAME)
    run.font.size, run.font.bold, run.font.color.rgb = Pt(15), True, TEAL
    title.paragraph_format.space_after = Pt(1)
    for text, size in ((HOSPITAL, 9.5), (DIRECTOR, 8)):
        line = left.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        sub = line.add_run(text)
        sub.font.size, sub.font.color.rgb = Pt(size), GREY
    picture = right.paragraphs[0]
    picture.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    picture.add_run().add_picture(str(logo), height=Mm(18))
    first = header.paragraphs[0]
    first.paragraph_format.space_after = Pt(0)
    header._element.remove(first._p)
    header._element.append(first._p)  # the rule sits under the table
    _rule(first)
    first.paragraph_format.space_before = Pt(2)
    for run in _fold_marks_xml():
        first._p.append(parse_xml(run.replace("<w:r>", f"<w:r {_VML_NS}>", 1)))


_VML_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
)


def _fold_marks_xml() -> list[str]:
    """Fold marks at 105 and 210 mm and the hole mark at 148.5 mm, on the page's left edge."""
    runs = []
    for number, (top_mm, length_mm) in enumerate(((105, 5), (148.5, 8), (210, 5)), start=1):
        top, length = top_mm * 72 / 25.4, length_mm * 72 / 25.4
        style = (
            "position:absolute;z-index:251660288;mso-position-horizontal-relative:page;"
            "mso-position-vertical-relative:page"
        )
        runs.append(
            "<w:r><w:pict>"
            f'<v:line id="FoldMark{number}" o:spid="_x0000_s{1025 + number}" style="{style}" '
            f'from="{14.2:.1f}pt,{top:.1f}pt" to="{14.2 + length:.1f}pt,{top:.1f}pt" '
            f'o:allowincell="f" strokecolor="#8c8c8c" strokeweight=".5pt"/></w:pict></w:r>'
        )
    return runs


def _other_header(section, logo: Path) -> None:
    header = section.header
    line = header.paragraphs[0]
    line.paragraph_format.tab_stops.add_tab_stop(Mm(165), alignment=2)  # right
    name = line.add_run(NAME)
    name.font.size, name.font.bold, name.font.color.rgb = Pt(10), True, TEAL
    line.add_run("\t").add_picture(str(logo), height=Mm(9))
    _rule(line)
    line.paragraph_format.space_after = Pt(2)


def _footers(section) -> None:
    for footer in (section.first_page_footer, section.footer):
        lines = [f"{NAME} · {HOSPITAL} · {STREET} · {CITY}", CONTACT, WEB]
        first = footer.paragraphs[0]
        for index, text in enumerate(lines):
            paragraph = first if index == 0 else footer.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            run.font.size, run.font.color.rgb = Pt(7.5), GREY
        _rule(first, "top")


# Styles every letter uses (besides LetterDesk's own), and what Word expects to find
_KEEP_STYLES = {
    "Normal",
    "Default Paragraph Font",
    "Normal Table",
    "No List",
    "Table Grid",
    "Header",
    "Footer",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "List Bullet",
    "List Paragraph",
    "Title",
    "Subtitle",
}


def _lean(document) -> None:
    """Drop python-docx's sample parts: unused styles, Word 2010's stylesWithEffects copy of
    them, the sample thumbnail (a file browser would show it as this letter's preview)."""
    root = document.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    wanted = _KEEP_STYLES | set(LETTER_STYLES)
    kept = {style.style_id for style in document.styles if style.name in wanted}
    todo = list(kept)
    while todo:  # keep what kept styles are based on or linked to
        style = by_id[todo.pop()]
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in by_id:
                if ref.get(qn("w:val")) not in kept:
                    kept.add(ref.get(qn("w:val")))
                    todo.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in kept:
            root.remove(style)
    for rels in (document.part.rels, document.part.package.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype.endswith(("/stylesWithEffects", "/thumbnail")):
                rels.pop(r_id)


def _compat_mode_15(document) -> None:
    """Word 2013+ layout rules, so table indents measure to the table's edge."""
    for setting in document.settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")


def build(out: Path) -> Path:
    """Write logo.png and letterhead.docx into ``out``; return the template's path."""
    out.mkdir(parents=True, exist_ok=True)
    logo = out / "logo.png"
    logo.write_bytes(logo_png())
    document = Document()
    _styles(document)
    _bullets(document)
    _compat_mode_15(document)
    section = document.sections[0]
    _page(section)
    _first_page_header(section, logo)
    _other_header(section, logo)
    _footers(section)
    _lean(document)
    body = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    body.style = document.styles[RETURN_ADDRESS_STYLE]
    body.add_run(f"{NAME} · {STREET} · {CITY}")
    properties = document.core_properties
    properties.title, properties.author = f"Briefkopf {NAME}", NAME
    properties.comments = "LetterDesk letterhead; text styled Return Address is the sender line."
    template = out / "letterhead.docx"
    document.save(str(template))
    return template


def preview(png: Path) -> None:
    """Export a synthetic signed letter on the letterhead and render its page 1 for the README."""
    from letterdesk.core.cases.case import parse_case
    from letterdesk.core.documents.docx import export_letter
    from letterdesk.core.store.database import Store
    from letterdesk.core.store.letters import create_letter, sign_off
    from letterdesk.core.synthetic.generator import reference_letter

    source = ROOT / "resources" / "demo_cases" / "SYN-DEMO-001.json"
    case = parse_case(source.read_text(encoding="utf-8"), str(source))
    document = case.data
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store.sqlite3") as store:
        store.import_cases([case], user="demo")
        letter, revision = create_letter(
            store, case.case_id, reference_letter(document), author="demo"
        )
        sign_off(store, letter.id, revision.id, user="demo")
        docx = Path(tmp) / "letter.docx"
        export_letter(store, letter.id, None, docx, template=OUT / "letterhead.docx", user="demo")
        profile = Path(tmp) / "lo-profile"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        png.parent.mkdir(parents=True, exist_ok=True)
        stem = png.with_suffix("")
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "80",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(Path(tmp) / "letter.pdf"),
                str(stem),
            ],
            check=True,
            timeout=120,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--preview",
        type=Path,
        metavar="PNG",
        help="also render page 1 of a demo letter to this PNG",
    )
    args = parser.parse_args()
    template = build(OUT)
    print(f"wrote {template} and {OUT / 'logo.png'}")
    if args.preview:
        preview(args.preview)
        print(f"wrote {args.preview}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
