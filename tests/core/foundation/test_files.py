"""Files are written whole or not at all, with the permissions their content calls for."""

from __future__ import annotations

import stat

import pytest

from letterdesk.core.foundation.files import atomic_file, write_text_atomically


def test_a_failure_while_writing_leaves_the_old_file_and_no_leftovers(tmp_path):
    target = tmp_path / "letter.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_file(target) as file:
        file.write("half a letter")
        raise RuntimeError("disk went away")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["letter.txt"]


def test_files_are_private_unless_a_mode_is_asked_for(tmp_path):
    private, public = tmp_path / "case.json", tmp_path / "MODEL_CARD.md"
    write_text_atomically(private, "Müller, 50 Gy")
    write_text_atomically(public, "# card", mode=0o644)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    assert private.read_text(encoding="utf-8") == "Müller, 50 Gy"


def test_binary_files_are_written_whole(tmp_path):
    target = tmp_path / "report.pdf"
    with atomic_file(target, binary=True) as file:
        file.write(b"%PDF-1.7")
    assert target.read_bytes() == b"%PDF-1.7"
