"""``letterdesk selftest`` from the source tree: every check on one line, failures named, the
user's own store left alone. (tests/packaging/test_deb.py runs it in the installed app.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docx import Document

from tests.core import conftest as core_fixtures

tiny_checkpoint = core_fixtures.tiny_checkpoint
tiny_gguf = core_fixtures.tiny_gguf


def selftest(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "letterdesk", "selftest", *args],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def checks(output: str) -> dict[str, str]:
    """``{"llama.cpp": "ok    llama.cpp: CPU; …", …}`` from the report's lines."""
    return {line[6:].split(":", 1)[0]: line for line in output.splitlines()[:-1]}


def word_text(path: Path) -> str:
    """The text of a Word file's paragraphs and table cells."""
    word = Document(str(path))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_every_check_passes_and_the_letter_is_exported(tiny_gguf, letterdesk_home, tmp_path):
    letter = tmp_path / "selftest.docx"

    done = selftest("--model", str(tiny_gguf), "--max-tokens", "16", "--output", str(letter))

    assert done.returncode == 0, done.stdout + done.stderr
    found = checks(done.stdout)
    assert list(found) == [
        "installation",
        "resources",
        "settings",
        "llama.cpp",
        "keyring",
        "letter",
    ]
    assert all(line.startswith("ok    ") for line in found.values())
    assert "16 tokens" in found["letter"]
    assert done.stdout.splitlines()[-1] == "selftest: 6 of 6 checks passed"
    # the first demo case's letter, on the bundled letterhead
    assert "SYN-DEMO-001" in word_text(letter) and "Musterweg 1" in word_text(letter)
    assert not list(Path(letterdesk_home).glob("*.sqlite3"))  # the user's store is untouched


def test_a_failing_check_is_named_and_the_others_still_run(tmp_path):
    done = selftest("--model", str(tmp_path / "missing.gguf"))

    assert done.returncode == 1
    found = checks(done.stdout)
    print(found["letter"])
    assert found["letter"].startswith("FAIL  letter: ")
    assert "missing.gguf" in found["letter"] and "does not exist" in found["letter"]  # why
    assert found["llama.cpp"].startswith("ok    ")
    assert done.stdout.splitlines()[-1] == "selftest: 5 of 6 checks passed"
