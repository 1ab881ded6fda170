"""Draw LetterDesk's icon (a letter sheet on a teal tile) into the formats the installers use.

    .venv/bin/python packaging/icons/make_icons.py

writes letterdesk.png (256 px, Linux desktop entry), letterdesk.ico (Windows: exe, MSI,
Start menu) and letterdesk.icns (macOS .app) beside this file. Pillow comes with matplotlib.
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = 1024  # drawn large, scaled down for each format
TILE, SHEET, INK, FOLD = "#0f6e78", "#ffffff", "#0f6e78", "#cfe3e5"


def draw() -> Image.Image:
    """The icon at SIZE × SIZE pixels."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    unit = SIZE // 16
    pen.rounded_rectangle((unit, unit, SIZE - unit, SIZE - unit), radius=3 * unit, fill=TILE)
    left, top, right, bottom = 4 * unit, 3 * unit, 12 * unit, 13 * unit
    corner = 2 * unit
    pen.polygon(
        [
            (left, top),
            (right - corner, top),
            (right, top + corner),
            (right, bottom),
            (left, bottom),
        ],
        fill=SHEET,
    )
    pen.polygon(
        [(right - corner, top), (right - corner, top + corner), (right, top + corner)], fill=FOLD
    )
    for row, length in enumerate((5, 6, 6, 4, 6, 3)):
        y = top + 2 * unit + row * (unit * 5 // 4)
        pen.rounded_rectangle(
            (left + unit, y, left + unit + length * unit, y + unit // 3), radius=unit // 6, fill=INK
        )
    return image


def main() -> None:
    """Write the PNG, ICO and ICNS files."""
    icon = draw()
    icon.resize((256, 256), Image.LANCZOS).save(HERE / "letterdesk.png")
    icon.save(HERE / "letterdesk.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    icon.resize((512, 512), Image.LANCZOS).save(HERE / "letterdesk.icns")


if __name__ == "__main__":
    main()
