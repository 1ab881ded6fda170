"""Case versions on a real store: a re-import changes nothing that was written, every letter
keeps the case version it was drafted and signed against, and the desk says what changed."""

from __future__ import annotations

import copy
import json

import pytest

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.desk.worklist import open_case
from letterdesk.core.documents.training_pairs import signed_pairs
from letterdesk.core.store import case_versions, letters
from letterdesk.core.store.database import Store
from letterdesk.core.store.drafts import drafted_letters
from letterdesk.core.store.training_data import signed_letters
from tests.core.evaluation.test_evaluation import model
from tests.core.sample_cases import case
from tests.core.security.test_encryption import secret_service  # noqa: F401 - a fixture
from tests.postgres_server import REFUSED

pytestmark = pytest.mark.usefixtures("secret_service")


def changed(document: dict, total: float) -> Case:
    document = copy.deepcopy(document)
    document["radiotherapy"][0]["total_dose_gy"] = total
    document["radiotherapy"][0]["dose_per_fraction_gy"] = round(total / 15, 2)
    return parse_case(json.dumps(document))


def test_a_reimport_adds_a_version_and_letters_keep_theirs(store_location):
    first = parse_case(json.dumps(case()))
    with Store(store_location) as store:
        store.import_cases([first], user="dr-a")
        model_ref = model(store, "1.0", "a")
        letter, draft = letters.create_letter(
            store, first.case_id, "Entwurf", author="dr-a", model_ref=model_ref
        )
        (v1,) = case_versions.versions(store, first.case_id)
        assert (v1.number, v1.source, v1.created_by) == (1, "import", "dr-a")
        assert draft.case_version_ref == v1.id

        # the same data again: nothing new; changed data: a second version, nothing overwritten
        assert store.import_cases([first])[0].action == "unchanged"
        assert store.import_cases([changed(case(), 42.0)], user="dr-b")[0].action == "updated"
        v1_again, v2 = case_versions.versions(store, first.case_id)
        assert v1_again == v1 and v2.number == 2
        assert v2.case.data["radiotherapy"][0]["total_dose_gy"] == 42.0
        assert store.case(first.case_id).data["radiotherapy"][0]["total_dose_gy"] == 42.0

        # a correction belongs to the draft it corrects: still version 1
        correction = letters.add_revision(store, letter.id, "Korrigiert", author="dr-a")
        assert correction.case_version_ref == v1.id
        desk = open_case(store, first.case_id, "dr-a")
        assert desk.case.data["radiotherapy"][0]["total_dose_gy"] == 40.05  # as drafted
        assert [str(c) for c in desk.changed_since] == [
            "dose per fraction 2.67 → 2.8 Gy",
            "total dose 40.05 → 42 Gy",
        ]

        # signed against version 1: the training data and evaluation read version 1
        letters.sign_off(store, letter.id, correction.id, user="dr-a")
        (signed,) = signed_letters(store)
        assert signed.case.data["radiotherapy"][0]["total_dose_gy"] == 40.05
        (drafted,) = drafted_letters(store)
        assert json.loads(drafted.document)["radiotherapy"][0]["total_dose_gy"] == 40.05

        # a new letter is drafted from the newest version; nothing has changed since
        second, redraft = letters.create_letter(store, first.case_id, "Neu", author="dr-a")
        assert redraft.case_version_ref == v2.id
        assert open_case(store, first.case_id, "dr-a").changed_since == ()


def test_the_training_pairs_prompt_shows_the_case_as_signed(store_location):
    first = parse_case(json.dumps(case()))
    with Store(store_location) as store:
        store.import_cases([first])
        letter, draft = letters.create_letter(store, first.case_id, "Entwurf", author="dr")
        letters.sign_off(store, letter.id, draft.id, user="dr")
        store.import_cases([changed(case(), 42.0)])
        (pair,) = signed_pairs(store)
    assert "Gesamtdosis 40,05 Gy" in pair.prompt and "Gesamtdosis 42" not in pair.prompt


def test_case_versions_cannot_be_changed(store_location):
    with Store(store_location) as store:
        store.import_cases([parse_case(json.dumps(case()))])
        with pytest.raises(REFUSED, match="case versions are immutable"):
            store.conn.execute("UPDATE case_versions SET document = '{}'")
