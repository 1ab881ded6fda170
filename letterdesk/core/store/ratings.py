"""Ratings: a rater's 4-point scores on several dimensions for one letter revision."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from letterdesk.core.foundation.clock import now_iso
from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store

DEFAULT_DIMENSIONS = ("factual_correctness", "completeness", "language_style", "clinical_benefit")


@dataclass(frozen=True)
class Rating:
    """One score of one rater on one dimension of one revision."""

    revision_id: int
    rater: str
    dimension: str
    score: int
    comment: str
    created_at: str


def rate(
    store: Store, revision_id: int, rater: str, scores: Mapping[str, int], comment: str = ""
) -> list[Rating]:
    """Store (or replace) a rater's scores for a revision, all in one transaction."""
    bad = {d: s for d, s in scores.items() if not (isinstance(s, int) and 1 <= s <= 4)}
    if bad:
        raise StoreError(f"Ratings must be 1 to 4; got {bad}.")
    now, rater = now_iso(), store.acting_user(rater)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM revisions WHERE id = ?", (revision_id,)).fetchone() is None:
            raise StoreError(f"There is no revision {revision_id} in the store.")
        for dimension, score in scores.items():
            conn.execute(
                "INSERT INTO ratings (revision_id, rater, dimension, score, comment, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (revision_id, rater, dimension)"
                " DO UPDATE SET score = excluded.score, comment = excluded.comment,"
                " created_at = excluded.created_at",
                (revision_id, rater, dimension, score, comment, now),
            )
        audit.append(conn, "rate", f"revision:{revision_id}", dict(scores), user=rater)
    return ratings_for(store, revision_id)


def ratings_for(store: Store, revision_id: int) -> list[Rating]:
    """All ratings of one revision."""
    rows = store.conn.execute(
        "SELECT revision_id, rater, dimension, score, comment, created_at FROM ratings"
        " WHERE revision_id = ? ORDER BY rater, dimension",
        (revision_id,),
    )
    return [Rating(*row) for row in rows]
