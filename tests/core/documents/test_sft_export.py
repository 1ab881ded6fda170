"""SFT and preference pairs from signed letters (letterdesk.core.documents.training_pairs)."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest

from letterdesk.core.cases.case import parse_case
from letterdesk.core.documents.training_pairs import export_pairs
from letterdesk.core.evaluation.study import create_study
from letterdesk.core.models.identity import ModelIdentity, register
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import add_revision, create_letter, sign_off
from letterdesk.core.store.studies import record_draft
from tests.core.sample_cases import case

AUTHOR = "Dr. Weiß"


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def model(store: Store, digit: str) -> int:
    identity = ModelIdentity("demo", digit, "/m.gguf", digit * 64, 1, None, None, None)
    return register(store, identity)


def signed(store: Store, case_id: str, draft: str, final: str | None, **draft_args) -> int:
    letter, first = create_letter(store, case_id, draft, author=AUTHOR, **draft_args)
    last = first if final is None else add_revision(store, letter.id, final, author=AUTHOR)
    sign_off(store, letter.id, last.id, user=AUTHOR)
    return letter.id


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_signed_letters_become_sft_and_preference_pairs(store, tmp_path):
    ids = [f"SYN-PAIR-{n}" for n in range(1, 6)]
    store.import_cases([parse_case(json.dumps(case(case_id=i))) for i in ids])
    version, other = model(store, "a"), model(store, "b")
    corrected = signed(
        store, ids[0], "Übelkeit Grad 2.", "Übelkeit Grad 1.", prompt="PROMPT-1", model_ref=version
    )
    as_drafted = signed(store, ids[1], "Gut so.", None, prompt="PROMPT-2", model_ref=version)
    typed = signed(store, ids[2], "Von Hand.", "Von Hand, korrigiert.")  # no model, no prompt
    create_letter(store, ids[3], "Noch nicht signiert.", author=AUTHOR, model_ref=version)
    study = create_study(store, "Studie", [ids[4]], [version, other], seed=1)
    for model_id in (version, other):
        letter, draft = create_letter(
            store, ids[4], "Studienbrief", author=AUTHOR, model_ref=model_id
        )
        record_draft(store, study.id, ids[4], model_id, draft.id)
        sign_off(store, letter.id, draft.id, user=AUTHOR)  # even signed, it is the study's

    sft_file, preference_file = tmp_path / "sft.jsonl", tmp_path / "preference.jsonl"
    counts = export_pairs(store, sft_file, preference_file, user=AUTHOR, identified=True)

    assert (counts.sft, counts.preference, counts.unchanged) == (3, 1, 1)
    sft = read(sft_file)
    assert [r["letter_id"] for r in sft] == [corrected, as_drafted, typed]
    assert sft[0]["prompt"] == "PROMPT-1" and sft[0]["completion"] == "Übelkeit Grad 1."
    assert sft[1]["completion"] == "Gut so." and sft[1]["model_sha256"] == "a" * 64
    # a draft stored without its prompt gets the prompt rendered with LetterDesk's template
    assert sft[2]["prompt"].startswith("<|begin_of_text|>") and "Nguyễn" in sft[2]["prompt"]
    assert sft[2]["model_sha256"] is None
    (preference,) = read(preference_file)
    assert preference["prompt"] == "PROMPT-1"
    assert (preference["chosen"], preference["rejected"]) == (
        "Übelkeit Grad 1.",
        "Übelkeit Grad 2.",
    )
    assert (preference["letter_type"], preference["language"]) == ("final_report", "de")
    assert "Übelkeit" in sft_file.read_text(encoding="utf-8")  # not \u-escaped
    for path in (sft_file, preference_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600  # patient data: the owner only
    details = json.loads(
        store.conn.execute(
            "SELECT details FROM audit_log WHERE action = 'export_training_data'"
        ).fetchone()[0]
    )
    assert details["sft"]["sha256"] == hashlib.sha256(sft_file.read_bytes()).hexdigest()
    assert details["preference"]["pairs"] == 1 and details["identified"] is True


def test_pairs_are_pseudonymised_unless_asked_for_identified(store, tmp_path):
    document = case(case_id="SYN-PAIR-1")
    patient = document["patient"]  # Thảo Nguyễn, born 02.03.1954
    store.import_cases([parse_case(json.dumps(document))])
    letter = "Abschlussbericht: Frau Thảo Nguyễn, geb. 02.03.1954 (SYN-P-0001), 15 x 2,67 Gy."
    signed(store, "SYN-PAIR-1", "Entwurf für Frau Nguyễn.", letter, model_ref=model(store, "a"))

    export_pairs(store, tmp_path / "sft.jsonl", tmp_path / "preference.jsonl")
    export_pairs(store, tmp_path / "named.jsonl", identified=True)

    written = (tmp_path / "sft.jsonl").read_text("utf-8") + (
        tmp_path / "preference.jsonl"
    ).read_text("utf-8")
    for identifying in (patient["family_name"], patient["given_name"], "02.03.1954", "SYN-P-0001"):
        assert identifying not in written
    (sft,) = read(tmp_path / "sft.jsonl")
    assert sft["completion"] == (
        "Abschlussbericht: Frau [PATIENT_NAME], geb. [BIRTH_DATE] ([PATIENT_ID]), 15 x 2,67 Gy."
    )
    assert read(tmp_path / "named.jsonl")[0]["completion"] == letter


def test_nothing_signed_gives_empty_files(store, tmp_path):
    counts = export_pairs(store, tmp_path / "sft.jsonl")
    assert (counts.sft, counts.preference) == (0, 0)
    assert (tmp_path / "sft.jsonl").read_text() == ""
    assert not (tmp_path / "preference.jsonl").exists()
