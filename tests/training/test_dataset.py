"""python -m training dataset: signed letters from an (encrypted) store → pseudonymised pairs."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from letterdesk.core.cases.case import Case, parse_case
from letterdesk.core.cases.pseudonymise import PLACEHOLDER, pseudonymise
from letterdesk.core.foundation import notation
from letterdesk.core.generation.prompts import build_prompt
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from letterdesk.core.synthetic.generator import generate_case, reference_letter
from training.dataset import DatasetArgs, load_dataset, main, split_heldout
from training.errors import ToolchainError
from training.experiment import sign_corrected_letters
from training.pseudonymise import fill_surrogates
from training.tokenizer import CHAT_TEMPLATE


@pytest.fixture(autouse=True)
def store_passphrase(monkeypatch):
    # where the test machine has no keyring, the store's key comes from this passphrase
    monkeypatch.setenv("LETTERDESK_PASSPHRASE", "dataset-test-passphrase")


def synthetic_cases(n: int) -> list[dict]:
    cases = [generate_case(31, i) for i in range(n)]
    # identities also in free text and in an address field the case format keeps
    cases[0]["patient"]["address"] = "Lindenweg 5, 50667 Köln"
    family = cases[0]["patient"]["family_name"]
    cases[0]["notes"] = f"Frau {family} wünscht eine Kopie an die Hausärztin."
    return cases


def identities(case: dict, specific_only: bool = False) -> list[str]:
    """Every way a letter or prompt may show who the patient is (``specific_only``: leaving out
    the given and the family name alone, which another letter's physician may share)."""
    p, language = case["patient"], case["language"]
    birth = p["birth_date"]
    names = [] if specific_only else [p["given_name"], p["family_name"]]
    return [
        *names,
        notation.full_name(p["given_name"], p["family_name"]),
        birth,
        notation.format_date(birth, "de"),
        notation.format_date(birth, "en"),
        notation.format_date_long(birth, language),
        p["patient_id"],
        case["case_id"],
        *([p["address"]] if "address" in p else []),
    ]


def occurs(value: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE) is not None


def test_letters_of_synthetic_cases_are_never_learnt_from_unless_an_experiment_asks(tmp_path):
    cases = synthetic_cases(6)
    for case in cases[:4]:  # as a real case from the hospital's systems comes in
        case.pop("synthetic", None)
        case["case_id"] = case["case_id"].replace("SYN-", "KIS-")
    store_path = tmp_path / "store.sqlite3"
    sign_corrected_letters(store_path, cases)

    manifest = main(DatasetArgs(tmp_path / "data", store_path, 0.25))
    everything = main(DatasetArgs(tmp_path / "all", store_path, 0.25, include_synthetic=True))

    dataset = load_dataset(tmp_path / "data")
    assert len(dataset.train + dataset.heldout) == 4 == manifest["counts"]["pairs"]
    assert manifest["counts"]["synthetic_left_out"] == 2
    assert everything["counts"]["pairs"] == 6


def test_a_store_of_synthetic_letters_only_is_refused_and_says_why(tmp_path):
    store_path = tmp_path / "store.sqlite3"
    sign_corrected_letters(store_path, synthetic_cases(3))

    with pytest.raises(ToolchainError) as refused:
        main(DatasetArgs(tmp_path / "data", store_path, 0.25))

    assert "no signed-off letters" in str(refused.value)
    assert "3 of synthetic demo cases are never learnt from" in str(refused.value)


def test_export_leaves_no_name_birth_date_id_or_address(tmp_path):
    cases = synthetic_cases(12)
    store_path = tmp_path / "store.sqlite3"
    sign_corrected_letters(store_path, cases)
    manifest = main(DatasetArgs(tmp_path / "data", store_path, 0.25, include_synthetic=True))

    with Store(store_path, read_only=True) as store:
        signed = [letters.letters_for_case(store, c["case_id"])[-1] for c in cases]
    case_of = {letter.id: c for letter, c in zip(signed, cases, strict=True)}
    dataset = load_dataset(tmp_path / "data")
    pairs = dataset.train + dataset.heldout
    print(f"pairs: {len(dataset.train)} train, {len(dataset.heldout)} held out")
    assert sorted(p["letter_id"] for p in pairs) == sorted(case_of)  # every letter checked below
    for pair in pairs:
        text = json.dumps(pair, ensure_ascii=False)
        for value in identities(case_of[pair["letter_id"]]):
            assert not occurs(value, text), f"{value!r} leaked in its own pair"
    everything = "".join(
        (tmp_path / "data" / n).read_text("utf-8") for n in ("train.jsonl", "heldout.jsonl")
    )
    for case in cases:
        for value in identities(case, specific_only=True):
            assert not occurs(value, everything), f"{value!r} leaked"
    assert "[PATIENT_NAME]" in everything and "[BIRTH_DATE]" in everything
    assert "[PATIENT_ADDRESS]" in everything
    assert manifest["counts"]["pairs"] == 12
    signed_on = sorted(letter.signed_at[:10] for letter in signed)
    assert manifest["letters_signed"] == {"first": signed_on[0], "last": signed_on[-1]}
    assert sorted(manifest["files"]) == ["heldout.jsonl", "train.jsonl"]
    for name, entry in manifest["files"].items():
        data = (tmp_path / "data" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_another_patients_full_name_is_removed_too():
    from letterdesk.core.cases.pseudonymise import other_patients

    cases = synthetic_cases(2)
    other = cases[1]["patient"]
    named = f"Befund wie bei {other['given_name']} {other['family_name']}, geb. " + (
        notation.format_date(other["birth_date"], "de")
    )
    scrubbed = other_patients(cases)(named)
    assert scrubbed == "Befund wie bei [OTHER_NAME], geb. [OTHER_BIRTH_DATE]"


def test_same_value_gets_the_same_placeholder_in_prompt_and_letter():
    case = synthetic_cases(1)[0]
    prompt, letter = build_prompt(Case(case), CHAT_TEMPLATE), reference_letter(case, "B")
    done = pseudonymise(case, prompt, letter)
    birth = notation.format_date(case["patient"]["birth_date"], case["language"])
    assert birth in prompt and birth in letter
    assert "[BIRTH_DATE]" in done.texts[0] and "[BIRTH_DATE]" in done.texts[1]
    assert "[PATIENT_NAME]" in done.texts[0] and "[PATIENT_NAME]" in done.texts[1]

    # surrogates: one invented identity everywhere, and the prompt is what the app would render
    filled_case, (filled_prompt, filled_letter) = fill_surrogates(
        done.case, done.texts, random.Random(3)
    )
    assert not PLACEHOLDER.search(filled_prompt + filled_letter)
    assert build_prompt(Case(filled_case), CHAT_TEMPLATE) == filled_prompt
    new_birth = notation.format_date(filled_case["patient"]["birth_date"], case["language"])
    assert new_birth in filled_letter


def test_split_by_patient_latest_sign_off_and_duplicates(tmp_path):
    cases = synthetic_cases(10)
    # a second case of patient 1, and a copy of case 2 for another patient: the same pair
    follow = copy.deepcopy(cases[3])
    follow["case_id"], follow["patient"] = "SYN-extra-1", copy.deepcopy(cases[1]["patient"])
    twin = copy.deepcopy(cases[2])
    twin["case_id"] = "SYN-extra-2"
    twin["patient"].update(patient_id="P-TWIN", given_name="Ola", family_name="Nordmann")
    store_path = tmp_path / "store.sqlite3"
    sign_corrected_letters(store_path, [*cases, follow, twin])
    with Store(store_path) as store:  # case 4 signed a second time: only the later one counts
        letter, draft = letters.create_letter(store, cases[4]["case_id"], "Neu.", author="dr")
        letters.sign_off(store, letter.id, draft.id, user="dr")

    manifest = main(
        DatasetArgs(
            tmp_path / "data", store_path, heldout_fraction=0.3, seed=1, include_synthetic=True
        )
    )
    counts = manifest["counts"]
    assert counts["signed_letters"] == 13 and counts["superseded"] == 1
    assert counts["duplicates"] == 1 and counts["pairs"] == 11
    dataset = load_dataset(tmp_path / "data")
    train_keys = {p["patient_key"] for p in dataset.train}
    heldout_keys = {p["patient_key"] for p in dataset.heldout}
    assert heldout_keys and not train_keys & heldout_keys
    pairs = dataset.train + dataset.heldout
    assert any(p["letter"] == "Neu." for p in pairs)
    with Store(store_path, read_only=True) as store:
        patient_1 = {
            letters.letters_for_case(store, case_id)[-1].id
            for case_id in (cases[1]["case_id"], follow["case_id"])
        }
    assert len({p["patient_key"] for p in pairs if p["letter_id"] in patient_1}) == 1


def test_patient_keys_differ_between_exports_unless_an_experiment_fixes_their_salt(tmp_path):
    store_path = tmp_path / "store.sqlite3"
    sign_corrected_letters(store_path, synthetic_cases(6))

    def export(name: str, salt: bytes | None) -> dict[str, str]:
        main(
            DatasetArgs(
                tmp_path / name,
                store_path,
                heldout_fraction=0.5,
                key_salt=salt,
                include_synthetic=True,
            )
        )
        dataset = load_dataset(tmp_path / name)
        return {p["letter_id"]: p["patient_key"] for p in dataset.train + dataset.heldout}

    def heldout(name: str) -> set[str]:
        return {p["letter_id"] for p in load_dataset(tmp_path / name).heldout}

    first, second = export("one", None), export("two", None)
    assert first.keys() == second.keys() and not set(first.values()) & set(second.values())
    assert export("three", b"experiment") == export("four", b"experiment")
    assert heldout("three") == heldout("four")


def test_an_empty_store_is_a_clear_error(tmp_path):
    with Store(tmp_path / "store.sqlite3"):
        pass
    done = subprocess.run(
        [sys.executable, "-m", "training", "dataset", "--out", str(tmp_path / "data"),
         "--store", str(tmp_path / "store.sqlite3")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1
    error = json.loads(done.stdout.splitlines()[-1])
    assert error["event"] == "error" and "no signed-off letters" in error["message"]
    assert not (tmp_path / "data").exists()


def test_cases_read_back_from_the_export_are_valid_cases_after_surrogates(tmp_path):
    cases = synthetic_cases(4)
    sign_corrected_letters(tmp_path / "store.sqlite3", cases)
    main(DatasetArgs(tmp_path / "data", tmp_path / "store.sqlite3", 0.25, include_synthetic=True))
    dataset = load_dataset(tmp_path / "data")
    pairs = dataset.train + dataset.heldout
    print(f"cases read back: {len(dataset.train)} train, {len(dataset.heldout)} held out")
    assert len(pairs) == 4  # every signed letter's case, each checked below
    for i, pair in enumerate(pairs):
        assert PLACEHOLDER.search(json.dumps(pair["case"], ensure_ascii=False))  # pseudonymised
        case, _ = fill_surrogates(pair["case"], [], random.Random(i))
        assert not PLACEHOLDER.search(json.dumps(case, ensure_ascii=False))
        parse_case(json.dumps(case))  # raises if a placeholder broke the case format


def test_a_changed_file_no_longer_matches_its_manifest(tmp_path):
    sign_corrected_letters(tmp_path / "store.sqlite3", synthetic_cases(3))
    main(DatasetArgs(tmp_path / "data", tmp_path / "store.sqlite3", 0.3, include_synthetic=True))
    with (tmp_path / "data" / "train.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{}\n")
    from training.errors import ToolchainError

    with pytest.raises(ToolchainError, match="does not match its hash"):
        load_dataset(Path(tmp_path / "data"))


def heldout_pairs(letters_per_patient: list[int]) -> list[dict]:
    return [
        {"patient_key": f"patient-{p}", "letter_id": f"{p}-{i}"}
        for p, n in enumerate(letters_per_patient)
        for i in range(n)
    ]


def test_the_held_out_letters_split_into_validation_and_evaluation_the_same_way_each_time():
    heldout = heldout_pairs([1] * 45)
    validation, evaluation = split_heldout(heldout)
    assert (len(validation), len(evaluation)) == (15, 30)
    ids = [p["letter_id"] for p in validation + evaluation]
    assert sorted(ids) == sorted(p["letter_id"] for p in heldout)  # each letter on one side
    shuffled = random.Random(4).sample(heldout, len(heldout))
    again, _ = split_heldout(shuffled)
    assert {p["letter_id"] for p in again} == {p["letter_id"] for p in validation}

    several = heldout_pairs([3, 1, 2, 4, 1, 2])
    validation, evaluation = split_heldout(several)
    assert validation and evaluation
    assert not {p["patient_key"] for p in validation} & {p["patient_key"] for p in evaluation}

    one_patient = heldout_pairs([3])
    assert [len(side) for side in split_heldout(one_patient)] == [1, 2]
    assert split_heldout(heldout_pairs([1])) == (heldout_pairs([1]), [])
    assert split_heldout([]) == ([], [])


def test_a_read_dataset_offers_its_validation_and_evaluation_letters(tmp_path):
    sign_corrected_letters(tmp_path / "store.sqlite3", synthetic_cases(6))
    main(DatasetArgs(tmp_path / "data", tmp_path / "store.sqlite3", 0.5, include_synthetic=True))
    dataset = load_dataset(tmp_path / "data")
    assert (len(dataset.validation), len(dataset.evaluation)) == (1, 2)
    ids = sorted(p["letter_id"] for p in dataset.validation + dataset.evaluation)
    assert ids == sorted(p["letter_id"] for p in dataset.heldout)
