"""What the store's queries need of a connection, whichever back end is behind it.

The encrypted file's ``sqlite3.Connection`` (SQLCipher) and the department store's
:class:`~letterdesk.core.store.postgres.PostgresConnection` both have it.
"""

from __future__ import annotations

from typing import Any, Protocol


class Connection(Protocol):
    """A connection the store's SQL (SQLite-worded, ``?`` placeholders) runs on."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any:
        """Run one statement; the cursor has ``fetchone``, ``fetchall`` and iteration."""

    def close(self) -> None:
        """Close the connection."""
