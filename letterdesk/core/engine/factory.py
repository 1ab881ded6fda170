"""The backend the settings choose."""

from __future__ import annotations

from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.server import ServerBackend
from letterdesk.core.engine.types import EngineSettings, LetterModel


def open_engine(settings: EngineSettings | None = None) -> LetterModel:
    """The backend the settings choose: :class:`Engine` or a server backend."""
    settings = (settings or EngineSettings()).checked()
    if settings.backend == "server":
        return ServerBackend(settings)
    return Engine(settings)
