"""First run: a new store gets the bundled synthetic demo cases, clearly labelled as such."""

from __future__ import annotations

from letterdesk.core.desk.importing import ImportReport, import_files
from letterdesk.core.foundation.paths import resource
from letterdesk.core.store import audit
from letterdesk.core.store.database import Store

DEMO_LABEL = "Synthetic demo data — not real patients"


def seed_demo_cases(store: Store) -> ImportReport | None:
    """Import the demo cases once, into a store that never had any; None when not needed."""
    seeded = audit.has_entry(store.conn, "demo_seeded")
    folder = resource("demo_cases")
    if seeded or store.has_cases() or not folder.is_dir():
        return None
    report = import_files(store, [folder])
    with store.transaction() as conn:
        audit.append(conn, "demo_seeded", "", {"cases": len(report.imported)})
    return report


def is_demo_case(document: dict) -> bool:
    """True for synthetic cases (``"synthetic": true``), which the window labels as demo data."""
    return bool(document.get("synthetic"))
