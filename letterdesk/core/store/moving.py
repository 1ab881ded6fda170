"""Moving in: a workstation's store copied into the department store, once.

Cases with every version, models, letters with every revision and their ratings, studies with
their items and assignments, and the audit trail — verified before, its entries then chained
onto the department's log as recorded (time, user, action), each naming the entry it was.
Everything lands in one transaction. The move is recorded in the department's log under the
source's identity (the hash of its first audit entry) with what was copied, so running it
again copies only what is new: cases and their new versions, models, letters and studies not
copied before, and audit entries after the last one copied.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.store import audit, postgres
from letterdesk.core.store.connection import Connection
from letterdesk.core.store.database import Store

KINDS = ("cases", "case_versions", "models", "letters", "revisions", "ratings", "studies",
         "study_items", "study_assignments", "audit_entries")  # fmt: skip


@dataclass
class _Moved:
    """What the department store already holds of this source, and what this run copied."""

    letters: dict[int, int] = field(default_factory=dict)
    studies: dict[int, int] = field(default_factory=dict)
    audit_through: int = 0
    counts: Counter[str] = field(default_factory=Counter)


def source_identity(source: Store) -> str:
    """The store's identity: its first audit entry's hash (the chain starts there)."""
    row = source.conn.execute("SELECT entry_hash FROM audit_log ORDER BY id LIMIT 1").fetchone()
    if row is None:
        raise StoreError(
            f"The store {source.location} has no audit trail yet; there is nothing to move.",
        )
    return str(row[0])


def move_in(source: Store, target: Store) -> dict[str, int]:
    """Copy what ``target`` does not hold yet of ``source``; returns the counts copied."""
    check = source.verify_audit()
    if check.first_bad is not None:
        raise StoreError(
            f"The store {source.location} cannot be moved: its audit log is broken at entry "
            f"{check.first_bad} ({check.reason}).",
            "Restore it from a backup whose audit log verifies, then move that.",
        )
    identity = source_identity(source)
    with target.transaction() as conn:
        if isinstance(conn, postgres.PostgresConnection):
            conn.lock(postgres.MOVE_LOCK)  # two moves at once would both copy everything
        moved = _moved_before(conn, identity)
        versions = _cases(source.conn, conn, moved)
        models = _models(source.conn, conn, moved)
        revisions = _letters(source.conn, conn, moved, versions, models)
        _studies(source.conn, conn, moved, models, revisions)
        _audit(source.conn, conn, moved, identity)
        counts = {kind: moved.counts[kind] for kind in KINDS}
        if any(counts.values()):
            audit.append(
                conn, "move_in", f"store:{identity[:16]}",
                {"source": identity, "letters": moved.letters, "studies": moved.studies,
                 "audit_through": moved.audit_through, "counts": counts},
            )  # fmt: skip
    after = target.verify_audit()
    if after.first_bad is not None:  # cannot happen unless the chain code is wrong: say so
        raise StoreError(f"After moving in, the audit log breaks at entry {after.first_bad}.")
    return counts


def _moved_before(conn: Connection, identity: str) -> _Moved:
    moved = _Moved()
    for (text,) in conn.execute(
        "SELECT details FROM audit_log WHERE action = 'move_in' ORDER BY id"
    ).fetchall():
        details = json.loads(text)
        if details.get("source") != identity:
            continue
        moved.letters |= {int(k): int(v) for k, v in details["letters"].items()}
        moved.studies |= {int(k): int(v) for k, v in details["studies"].items()}
        moved.audit_through = max(moved.audit_through, int(details["audit_through"]))
    return moved


def _insert(conn: Connection, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"
    return int(conn.execute(sql, tuple(row.values())).fetchone()[0])


def _rows(conn: Connection, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


_CASE_COLUMNS = ("case_id", "patient_id", "family_name", "given_name", "birth_date",
                 "letter_type", "language", "document", "imported_at", "updated_at")  # fmt: skip


def _cases(source: Connection, target: Connection, moved: _Moved) -> dict[int, int]:
    """Cases and their versions the department lacks; source version id → department's."""
    mapping: dict[int, int] = {}
    for case in _rows(source, f"SELECT id, {', '.join(_CASE_COLUMNS)} FROM cases ORDER BY id"):
        found = target.execute("SELECT id FROM cases WHERE case_id = ?", (case["case_id"],))
        row = found.fetchone()
        if row is None:
            case_ref = _insert(target, "cases", {k: case[k] for k in _CASE_COLUMNS})
            moved.counts["cases"] += 1
        else:
            case_ref = int(row[0])
        held = {
            document: version_id
            for version_id, document in target.execute(
                "SELECT id, document FROM case_versions WHERE case_ref = ?", (case_ref,)
            ).fetchall()
        }
        newest = None
        for version in _rows(
            source,
            "SELECT id, document, created_at, created_by, source FROM case_versions"
            " WHERE case_ref = ? ORDER BY number",
            (case["id"],),
        ):
            if version["document"] not in held:
                number = target.execute(
                    "SELECT COALESCE(MAX(number), 0) + 1 FROM case_versions WHERE case_ref = ?",
                    (case_ref,),
                ).fetchone()[0]
                held[version["document"]] = _insert(
                    target, "case_versions",
                    {"case_ref": case_ref, "number": number, "document": version["document"],
                     "created_at": version["created_at"], "created_by": version["created_by"],
                     "source": version["source"]},
                )  # fmt: skip
                moved.counts["case_versions"] += 1
                newest = version["document"]
            mapping[int(version["id"])] = held[version["document"]]
        if row is not None and newest is not None:  # the workstation's data is newer
            target.execute(
                "UPDATE cases SET document = ?, updated_at = ? WHERE id = ?",
                (newest, case["updated_at"], case_ref),
            )
    return mapping


_MODEL_COLUMNS = ("name", "version", "path", "sha256", "size_bytes", "quantization",
                  "architecture", "chat_template", "adapter", "registered_at",
                  "lineage")  # fmt: skip


def _models(source: Connection, target: Connection, moved: _Moved) -> dict[int, int]:
    """Model versions by file hash (the department's default is left as it is)."""
    mapping = {}
    for model in _rows(source, f"SELECT id, {', '.join(_MODEL_COLUMNS)} FROM models"):
        row = target.execute(
            "SELECT id FROM models WHERE sha256 = ? AND adapter IS NOT DISTINCT FROM ?",
            (model["sha256"], model["adapter"]),
        ).fetchone()
        if row is None:
            mapping[int(model["id"])] = _insert(
                target, "models", {k: model[k] for k in _MODEL_COLUMNS}
            )
            moved.counts["models"] += 1
        else:
            mapping[int(model["id"])] = int(row[0])
    return mapping


def _letters(
    source: Connection,
    target: Connection,
    moved: _Moved,
    versions: dict[int, int],
    models: dict[int, int],
) -> dict[int, int]:
    """Letters not moved before, each with every revision and its ratings; returns the
    source revision id → department's, for every letter moved now or before."""
    revisions = _revisions_moved_before(source, target, moved)
    for letter in _rows(source, "SELECT l.*, c.case_id FROM letters l JOIN cases c"
                        " ON c.id = l.case_ref ORDER BY l.id"):  # fmt: skip
        if int(letter["id"]) in moved.letters:
            continue
        case_ref = target.execute(
            "SELECT id FROM cases WHERE case_id = ?", (letter["case_id"],)
        ).fetchone()[0]
        letter_id = _insert(
            target, "letters",
            {"case_ref": case_ref, "letter_type": letter["letter_type"],
             "language": letter["language"], "created_at": letter["created_at"],
             "created_by": letter["created_by"]},
        )  # fmt: skip
        moved.letters[int(letter["id"])] = letter_id
        moved.counts["letters"] += 1
        for revision in _rows(
            source, "SELECT * FROM revisions WHERE letter_id = ? ORDER BY number", (letter["id"],)
        ):
            copy = {k: v for k, v in revision.items() if k != "id"}
            copy["letter_id"] = letter_id
            copy["model_ref"] = models.get(revision["model_ref"])
            copy["case_version_ref"] = versions.get(revision["case_version_ref"])
            copy["based_on"] = revisions.get(revision["based_on"])  # earlier: copied already
            revisions[int(revision["id"])] = _insert(target, "revisions", copy)
            moved.counts["revisions"] += 1
            for rating in _rows(
                source, "SELECT * FROM ratings WHERE revision_id = ?", (revision["id"],)
            ):
                rated = {k: v for k, v in rating.items() if k != "id"}
                _insert(target, "ratings", rated | {"revision_id": revisions[revision["id"]]})
                moved.counts["ratings"] += 1
        if letter["signed_at"] is not None:
            target.execute(
                "UPDATE letters SET signed_revision_id = ?, signed_by = ?, signed_at = ?"
                " WHERE id = ?",
                (revisions[letter["signed_revision_id"]], letter["signed_by"],
                 letter["signed_at"], letter_id),
            )  # fmt: skip
    return revisions


def _revisions_moved_before(
    source: Connection, target: Connection, moved: _Moved
) -> dict[int, int]:
    mapping = {}
    for source_letter, target_letter in moved.letters.items():
        theirs = dict(
            target.execute(
                "SELECT number, id FROM revisions WHERE letter_id = ?", (target_letter,)
            ).fetchall()
        )
        for revision_id, number in source.execute(
            "SELECT id, number FROM revisions WHERE letter_id = ?", (source_letter,)
        ).fetchall():
            if number in theirs:
                mapping[int(revision_id)] = int(theirs[number])
    return mapping


def _studies(
    source: Connection,
    target: Connection,
    moved: _Moved,
    models: dict[int, int],
    revisions: dict[int, int],
) -> None:
    for study in _rows(source, "SELECT * FROM studies ORDER BY id"):
        if int(study["id"]) in moved.studies:
            continue
        study_id = _insert(target, "studies", {k: v for k, v in study.items() if k != "id"})
        moved.studies[int(study["id"])] = study_id
        moved.counts["studies"] += 1
        items = {}
        for item in _rows(
            source,
            "SELECT si.*, c.case_id FROM study_items si JOIN cases c ON c.id = si.case_ref"
            " WHERE si.study_id = ? ORDER BY si.id",
            (study["id"],),
        ):
            case_ref = target.execute(
                "SELECT id FROM cases WHERE case_id = ?", (item["case_id"],)
            ).fetchone()[0]
            items[item["id"]] = _insert(
                target, "study_items",
                {"study_id": study_id, "case_ref": case_ref,
                 "model_ref": models[item["model_ref"]],
                 "revision_id": revisions.get(item["revision_id"])},
            )  # fmt: skip
            moved.counts["study_items"] += 1
        for assignment in _rows(
            source, "SELECT * FROM study_assignments WHERE study_id = ?", (study["id"],)
        ):
            copy = {k: v for k, v in assignment.items() if k != "id"}
            copy |= {"study_id": study_id, "item_id": items[assignment["item_id"]]}
            _insert(target, "study_assignments", copy)
            moved.counts["study_assignments"] += 1


_SUBJECT = re.compile(r"(letter|revision|study):(\d+)")


def _audit(source: Connection, target: Connection, moved: _Moved, identity: str) -> None:
    """The source's entries after the last one moved, chained on as they were recorded; a
    subject naming a moved letter or study names its department id, the details say which
    entry each was."""
    letters, studies = moved.letters, moved.studies
    for entry in _rows(
        source,
        'SELECT id, at, "user", action, subject, details, entry_hash FROM audit_log'
        " WHERE id > ? ORDER BY id",
        (moved.audit_through,),
    ):
        match = _SUBJECT.fullmatch(entry["subject"])
        subject = entry["subject"]
        if match and match[1] in ("letter", "study"):
            known = letters if match[1] == "letter" else studies
            if int(match[2]) in known:
                subject = f"{match[1]}:{known[int(match[2])]}"
        details = json.loads(entry["details"]) | {
            "moved_from": {"store": identity, "entry": entry["id"],
                           "entry_hash": entry["entry_hash"], "subject": entry["subject"]},
        }  # fmt: skip
        text = json.dumps(details, ensure_ascii=False, sort_keys=True)
        audit.append_recorded(target, entry["at"], entry["user"], entry["action"], subject, text)
        moved.audit_through = int(entry["id"])
        moved.counts["audit_entries"] += 1
