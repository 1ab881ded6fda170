"""Where LetterDesk keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "LetterDesk"
HOME_ENV = "LETTERDESK_HOME"
RESOURCES_ENV = "LETTERDESK_RESOURCES"


def data_home() -> Path:
    """Return the directory holding the store and logs; ``LETTERDESK_HOME`` overrides it."""
    override = os.environ.get(HOME_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_path() -> Path:
    """Return the path of the SQLite store file."""
    return data_home() / "letterdesk.sqlite3"


def resources_dir() -> Path:
    """Return the bundled ``resources/`` directory (``LETTERDESK_RESOURCES`` overrides it).

    In the installed app (a PyInstaller bundle) it lies in the bundle's folder; otherwise in
    the source tree beside the package.
    """
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)  # set by the bundle's bootloader
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def resource(*parts: str) -> Path:
    """Return the path of one bundled resource file."""
    return resources_dir().joinpath(*parts)
