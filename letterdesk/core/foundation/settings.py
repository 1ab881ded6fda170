"""Settings: the user's choices, on top of a site configuration IT presets and may lock.

Order of precedence, lowest first: built-in defaults → the site file (IT) → the user's file.
Keys the site file lists under ``locked`` cannot be changed by users: their value always
comes from the site file. Files are TOML. The user file is written atomically.

Site file locations: ``/etc/letterdesk/config.toml`` (Linux),
``%ProgramData%\\LetterDesk\\config.toml`` (Windows),
``/Library/Application Support/LetterDesk/config.toml`` (macOS); ``LETTERDESK_SITE_CONFIG``
overrides the path (for tests and for IT).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from letterdesk.core.foundation.errors import ConfigurationError
from letterdesk.core.foundation.files import write_text_atomically
from letterdesk.core.foundation.paths import data_home

SITE_ENV = "LETTERDESK_SITE_CONFIG"
LETTER_TYPES = ("final_report", "initial_consultation", "follow_up")


@dataclass(frozen=True)
class Settings:
    """Everything a user or IT can configure; empty strings mean "the built-in default"."""

    model_path: str = ""
    """GGUF model file; empty: the bundled demo model."""
    adapter_path: str = ""
    """Optional GGUF LoRA adapter applied on top of the model."""
    n_gpu_layers: str = "auto"
    """Layers offloaded to the GPU: "auto" (as many as fit), or a number (0 = CPU only)."""
    context_cap: int = 4096
    """Largest context (tokens) used, even if the model allows more."""
    server_url: str = ""
    """OpenAI-compatible server on the hospital network; empty: the local model."""
    server_ca_file: str = ""
    """The hospital CA certificate (PEM) that signed the letter server's; empty: the system's.
    Site file only."""
    allow_plain_server_connection: bool = False
    """Let server_url reach another machine over plain http://. Site file only."""
    letter_language: str = "de"
    """Language of new letters: "de" or "en"."""
    default_letter_type: str = "final_report"
    """Letter type preselected for new cases."""
    letterhead_template: str = ""
    """Institution letterhead (.docx); empty: the bundled one."""
    author_name: str = ""
    """Name in the signature block of letters this user signs."""
    author_role: str = ""
    """Role under the signature, e.g. "Oberarzt"."""
    rater_name: str = ""
    """Name ratings are stored under; empty: the operating-system user."""
    ui_language: str = ""
    """Interface language "de" or "en"; empty: follow the system."""
    store_path: str = ""
    """Store file; empty: letterdesk.sqlite3 in the data directory."""
    store_url: str = ""
    """Department store, ``postgresql://host/database?sslmode=verify-full``; empty: the store
    file. Site file only."""
    allow_plain_store_connection: bool = False
    """Let the store URL reach another machine without TLS and a checked certificate. Site
    file only."""
    trainer_python: str = ""
    """Python that has the trainer installed (``letterdesk[train]``); empty: the app's own."""
    predraft: bool = True
    """Write the worklist's next drafts ahead while the window is idle (local model)."""
    predraft_ahead: int = 3
    """How many drafts written ahead may wait unopened (1..50)."""
    demo_cases: bool = True
    """Put the bundled synthetic demo cases into a new, empty store (off in production)."""
    locked: tuple[str, ...] = field(default=())
    """Keys IT locked in the site file (read-only here)."""

    def problems(self) -> list[str]:
        """Every invalid value, reported at once."""
        found = []
        if self.n_gpu_layers != "auto" and not self.n_gpu_layers.lstrip("-").isdigit():
            found.append(f'n_gpu_layers must be "auto" or a number, not {self.n_gpu_layers!r}')
        if not 256 <= self.context_cap <= 1_048_576:
            found.append(f"context_cap {self.context_cap} is outside 256..1048576")
        if self.letter_language not in ("de", "en"):
            found.append(f'letter_language must be "de" or "en", not {self.letter_language!r}')
        if self.ui_language not in ("", "de", "en"):
            found.append(f'ui_language must be "de", "en" or empty, not {self.ui_language!r}')
        if self.default_letter_type not in LETTER_TYPES:
            found.append(f"default_letter_type must be one of {', '.join(LETTER_TYPES)}")
        if not 1 <= self.predraft_ahead <= 50:
            found.append(f"predraft_ahead {self.predraft_ahead} is outside 1..50")
        if self.store_url and not self.store_url.startswith(("postgresql://", "postgres://")):
            found.append(f"store_url must start with postgresql://: {self.store_url!r}")
        if self.server_url and not self.server_url.startswith(("http://", "https://")):
            found.append(f"server_url must start with http:// or https://: {self.server_url!r}")
        return found


_FIELDS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "locked"}
SITE_ONLY = (
    "store_url",
    "allow_plain_store_connection",
    "server_ca_file",
    "allow_plain_server_connection",
)
"""Keys only the site file sets: a user's file cannot change them."""


def site_config_path() -> Path:
    """Where IT's site configuration lives on this platform."""
    if SITE_ENV in os.environ:
        return Path(os.environ[SITE_ENV])
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "LetterDesk/config.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/LetterDesk/config.toml")
    return Path("/etc/letterdesk/config.toml")


def user_config_path() -> Path:
    """The user's own settings file."""
    return data_home() / "settings.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"The settings file {path} cannot be read: {exc}",
            "Fix or remove the file; LetterDesk will then use its defaults.",
        ) from exc


def _checked_values(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    values, problems = {}, []
    for key, value in raw.items():
        if key == "locked":
            continue
        if key not in _FIELDS:
            problems.append(f"unknown setting {key!r}")
            continue
        kind = _FIELDS[key].type
        expected = bool if kind in ("bool", bool) else int if kind in ("int", int) else str
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            value_type = type(value).__name__
            problems.append(f"{key} must be {expected.__name__}, not {value_type}")
            continue
        values[key] = value
    if problems:
        raise ConfigurationError(
            f"The settings file {path} has problems: " + "; ".join(problems),
            "Each key must be one of the documented settings with the right type.",
        )
    return values


def load_settings() -> Settings:
    """Defaults, then the site file, then the user's file (locked keys stay as IT set them)."""
    site_path, user_path = site_config_path(), user_config_path()
    site_raw = _read_toml(site_path)
    site = _checked_values(site_raw, site_path)
    locked = tuple(str(k) for k in site_raw.get("locked", []) if k in _FIELDS)
    user = _checked_values(_read_toml(user_path), user_path)
    fixed = {*locked, *SITE_ONLY}
    merged = {**site, **{k: v for k, v in user.items() if k not in fixed}}
    settings = Settings(**merged, locked=locked)
    if problems := settings.problems():
        raise ConfigurationError(
            "Invalid settings: " + "; ".join(problems), f"Check {site_path} and {user_path}."
        )
    return settings


def load_site_settings() -> Settings:
    """Defaults and the site file only: what the site-only keys (:data:`SITE_ONLY`) come from,
    so that a broken user file never decides where the patient data go."""
    site_path = site_config_path()
    site_raw = _read_toml(site_path)
    settings = Settings(**_checked_values(site_raw, site_path))
    if problems := settings.problems():
        raise ConfigurationError("Invalid settings: " + "; ".join(problems), f"Check {site_path}.")
    return settings


def save_settings(settings: Settings) -> Path:
    """Write the user's settings (locked keys left out) atomically; return the file."""
    if problems := settings.problems():
        raise ConfigurationError("Invalid settings: " + "; ".join(problems))
    lines = []
    for name in _FIELDS:
        value = getattr(settings, name)
        if name in settings.locked or name in SITE_ONLY or value == _FIELDS[name].default:
            continue
        lines.append(f"{name} = {_toml_value(value)}")
    path = user_config_path()
    write_text_atomically(path, "\n".join(lines) + ("\n" if lines else ""))
    return path


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def with_changes(settings: Settings, **changes: Any) -> Settings:
    """A copy with changes; changing a locked key raises ConfigurationError."""
    refused = sorted(set(changes) & {*settings.locked, *SITE_ONLY})
    if refused:
        raise ConfigurationError(
            f"These settings are fixed by your IT department: {', '.join(refused)}.",
            f"They are locked in {site_config_path()}.",
        )
    return dataclasses.replace(settings, **changes)
