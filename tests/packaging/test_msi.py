"""The Windows installer's WiX source, built with msitools' wixl from a placeholder bundle
(a PyInstaller bundle for Windows can only be built on Windows): per-machine, a Start-menu
entry, and IT's site configuration in ProgramData that updates never overwrite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MSIDB_PERMANENT, MSIDB_NEVER_OVERWRITE = 0x10, 0x80

pytestmark = pytest.mark.skipif(
    shutil.which("wixl") is None or shutil.which("msiinfo") is None,
    reason="msitools' wixl is not installed (apt-get install wixl msitools)",
)


@pytest.fixture(scope="module")
def msi(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("msi")
    built = subprocess.run(
        [ROOT / "packaging/build_msi.sh", "--placeholder", "--out", out],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (msi,) = out.glob("LetterDesk-*-x64.msi")
    return msi


def table(msi: Path, name: str) -> list[list[str]]:
    """Rows of an MSI table (msiinfo export: a header of names, one of types, one of keys)."""
    text = subprocess.run(["msiinfo", "export", msi, name], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    return [line.split("\t") for line in text.splitlines()[3:]]


def test_installs_for_every_user_of_the_computer(msi):
    properties = dict(row[:2] for row in table(msi, "Property"))

    assert properties["ALLUSERS"] == "1"
    assert properties["ProductName"] == "LetterDesk"
    directories = {row[0]: row for row in table(msi, "Directory")}
    assert directories["INSTALLDIR"][1:] == ["ProgramFiles64Folder", "LetterDesk"]


def test_the_start_menu_opens_the_app(msi):
    (shortcut,) = table(msi, "Shortcut")

    assert shortcut[1:5] == ["ProgramMenuFolder", "LetterDesk", "StartMenuShortcut",
                             "[INSTALLDIR]LetterDesk.exe"]  # fmt: skip


def test_the_site_configuration_lives_in_programdata_and_survives_updates(msi):
    directories = {row[0]: row for row in table(msi, "Directory")}
    components = {row[0]: row for row in table(msi, "Component")}
    files = {row[0]: row for row in table(msi, "File")}

    assert directories["SITECONFIGDIR"][1:] == ["CommonAppDataFolder", "LetterDesk"]
    assert components["SiteConfig"][2] == "SITECONFIGDIR"
    attributes = int(components["SiteConfig"][3])
    assert attributes & MSIDB_PERMANENT and attributes & MSIDB_NEVER_OVERWRITE
    assert files["SiteConfigFile"][2].split("|")[-1] == "config.toml"
    assert files["ExampleConfigFile"][2].split("|")[-1] == "config.example.toml"


def test_the_bundle_and_its_resources_are_installed(msi):
    names = {row[2].split("|")[-1] for row in table(msi, "File")}

    assert {"LetterDesk.exe", "letterdesk-cli.exe", "case.schema.json", "letterhead.docx"} <= names
    assert msi.stat().st_size > 50_000
