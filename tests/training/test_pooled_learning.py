"""Pooled learning (issue 20): the trainer reads every physician's signed letters from the
department store, named by its postgresql:// URL."""

from __future__ import annotations

import json
import subprocess
import sys

from letterdesk.cli import main as letterdesk
from letterdesk.core.cases.case import parse_case
from letterdesk.core.store import letters
from letterdesk.core.store.database import Store
from letterdesk.core.synthetic.generator import generate_case, reference_letter
from training.experiment import STYLE_AFTER, STYLE_BEFORE


def test_the_dataset_holds_the_letters_of_every_physician(postgres, tmp_path, monkeypatch):
    monkeypatch.setenv("LETTERDESK_SITE_CONFIG", str(tmp_path / "no-site.toml"))
    database = postgres.new_database()
    owner = postgres.store_url(database)
    assert letterdesk(["store", "init", owner]) == 0
    cases = [generate_case(41, i) for i in range(6)]
    for n, login in enumerate(("dr_a", "dr_b")):
        assert letterdesk(["store", "grant", login, "--role", "physician", "--url", owner]) == 0
        with Store(postgres.store_url(database, user=login)) as workstation:
            mine = cases[n * 3 : n * 3 + 3]
            workstation.import_cases([parse_case(json.dumps(c)) for c in mine])
            for case in mine:
                letter, _ = letters.create_letter(
                    workstation, case["case_id"], reference_letter(case, STYLE_BEFORE),
                    author="model",
                )  # fmt: skip
                fix = letters.add_revision(
                    workstation, letter.id, reference_letter(case, STYLE_AFTER), author=login
                )
                letters.sign_off(workstation, letter.id, fix.id, user=login)
    out = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "training", "dataset", "--out", str(out), "--store", owner,
         "--heldout-fraction", "0.34", "--include-synthetic"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["pairs"] == 6
    with Store(owner) as store:
        signers = {r[0] for r in store.conn.execute("SELECT signed_by FROM letters")}
    assert signers == {"dr_a", "dr_b"}
