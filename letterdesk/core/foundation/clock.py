"""Timestamps as the store writes them: UTC, ISO 8601, to the microsecond."""

from __future__ import annotations

import datetime as dt


def now_iso() -> str:
    """The current time in UTC as ISO 8601 text, e.g. ``2025-02-14T09:30:00.000000+00:00``."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
