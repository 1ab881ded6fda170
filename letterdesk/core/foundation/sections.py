"""Sections of a letter: the model's plain text split into headings, paragraphs and list items.

The rules are the ones the letter prompts ask the model to follow:

- a heading is a line of its own ending in ``:`` (``Diagnose:``); it starts a new section;
- paragraphs are separated by blank lines; lines inside one paragraph keep their line breaks
  (an address or a signature block);
- a list item is a line starting with ``- ``; an indented line right after it continues it.

Text before the first heading is a section without a heading (salutation, opening).
:func:`join_sections` writes sections back as text, so split → join keeps a tidy letter.
"""

from __future__ import annotations

from dataclasses import dataclass

BULLET = "- "


@dataclass(frozen=True)
class Paragraph:
    """A block of running text; may contain line breaks."""

    text: str


@dataclass(frozen=True)
class ListItem:
    """One ``- `` item of a list, without the bullet."""

    text: str


Block = Paragraph | ListItem


@dataclass(frozen=True)
class Section:
    """A heading (None for the opening) and the paragraphs and list items under it, in order."""

    heading: str | None
    blocks: tuple[Block, ...] = ()

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """The texts of the section's paragraphs."""
        return tuple(b.text for b in self.blocks if isinstance(b, Paragraph))

    @property
    def list_items(self) -> tuple[str, ...]:
        """The texts of the section's list items."""
        return tuple(b.text for b in self.blocks if isinstance(b, ListItem))


def is_heading(line: str) -> bool:
    """True for a line that is a heading on its own: text ending in ``:``, not a list item."""
    text = line.strip()
    return len(text) > 1 and text.endswith(":") and not text.startswith(BULLET.strip())


def split_sections(text: str) -> list[Section]:
    """Split a letter into sections; an empty letter gives no sections."""
    sections: list[Section] = []
    heading: str | None = None
    blocks: list[Block] = []
    lines: list[str] = []  # the paragraph being collected
    in_item = False  # the previous line was a list item (or its continuation)

    def flush_paragraph() -> None:
        if lines:
            blocks.append(Paragraph("\n".join(lines)))
            lines.clear()

    def flush_section() -> None:
        flush_paragraph()
        if heading is not None or blocks:
            sections.append(Section(heading, tuple(blocks)))
        blocks.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush_paragraph()
            in_item = False
        elif is_heading(line):
            flush_section()
            heading, in_item = stripped[:-1].rstrip(), False
        elif stripped.startswith(BULLET) or stripped == BULLET.strip():
            flush_paragraph()
            blocks.append(ListItem(stripped[len(BULLET) :].strip()))
            in_item = True
        elif in_item and line[:1].isspace():
            item = blocks[-1]
            blocks[-1] = ListItem(f"{item.text} {stripped}")  # an indented line continues it
        else:
            lines.append(stripped)
            in_item = False
    flush_section()
    return sections


def join_sections(sections: list[Section]) -> str:
    """Write sections back as plain text, one blank line between blocks and sections."""
    parts: list[str] = []
    for section in sections:
        chunk: list[str] = []
        if section.heading is not None:
            chunk.append(f"{section.heading}:")
        previous: Block | None = None
        for block in section.blocks:
            if isinstance(block, ListItem):
                if previous is not None and not isinstance(previous, ListItem):
                    chunk.append("")
                chunk.append(BULLET + block.text)
            else:
                if previous is not None:
                    chunk.append("")
                chunk.append(block.text)
            previous = block
        parts.append("\n".join(chunk))
    return "\n\n".join(parts)
