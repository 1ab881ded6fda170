"""First run: the synthetic demo cases arrive once, labelled as synthetic."""

from __future__ import annotations

from letterdesk.core.desk.demo import is_demo_case, seed_demo_cases
from letterdesk.core.store.database import Store


def test_a_new_store_gets_the_demo_cases_once():
    with Store() as store:
        report = seed_demo_cases(store)
        assert report is not None and not report.rejected
        assert len(store.cases()) == len(report.imported) >= 12
        assert all(is_demo_case(store.case(c.case_id).data) for c in store.cases())
        assert {c.language for c in store.cases()} == {"de", "en"}
        assert {c.letter_type for c in store.cases()} == {
            "final_report",
            "initial_consultation",
            "follow_up",
        }
        store.conn.execute("DELETE FROM case_versions")  # the user removed them all
        store.conn.execute("DELETE FROM cases")
        assert seed_demo_cases(store) is None
        assert store.cases() == []
