"""Keys from passphrases: asked for when no keyring holds the key, derived with scrypt."""

from __future__ import annotations

import json

import pytest

from letterdesk.core.foundation.errors import StoreError
from letterdesk.core.security import encryption, passphrase
from letterdesk.core.store.database import Store
from tests.core.security.test_encryption import (  # noqa: F401 - fixtures and helpers
    PASSPHRASE,
    PATIENT,
    Typist,
    files_naming,
    keyring_key,
    no_keyring,
    secret_service,
    stored_patient,
)

pytestmark = pytest.mark.usefixtures("secret_service", "no_keyring")


def test_without_a_keyring_the_key_comes_from_a_passphrase_through_scrypt(letterdesk_home):
    typist = Typist(PASSPHRASE)
    with Store(passphrase_provider=typist) as store:
        stored_patient(store)
    assert [(r.purpose, r.confirm) for r in typist.requests] == [("create", True)]
    assert keyring_key(store.path) is None
    sidecar = json.loads(passphrase.kdf_path(store.path).read_text(encoding="utf-8"))
    # the cost the privacy notes state: 128 MiB, N=2^17, r=8, p=1
    assert (sidecar["kdf"], sidecar["n"], sidecar["r"], sidecar["p"]) == ("scrypt", 2**17, 8, 1)
    assert set(sidecar) == {"kdf", "salt", "n", "r", "p"}  # salt and cost, never the key
    assert files_naming(letterdesk_home, PATIENT) == []

    encryption.forget(store.path)  # as a new process would
    unlock = Typist(PASSPHRASE)
    with Store(passphrase_provider=unlock) as again:
        assert again.case("SYN-TEST-0001").patient["family_name"] == PATIENT
    assert [(r.purpose, r.confirm) for r in unlock.requests] == [("unlock", False)]


def test_without_keyring_or_passphrase_nothing_is_stored_unencrypted(letterdesk_home):
    with pytest.raises(StoreError, match="No passphrase was given") as refused:
        Store()
    assert "LETTERDESK_PASSPHRASE" in refused.value.hint
    assert [p.name for p in letterdesk_home.iterdir() if p.suffix == ".sqlite3"] == []
    with pytest.raises(StoreError, match="at least 8 characters"):
        Store(passphrase_provider=Typist("short"))


def test_the_passphrase_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(passphrase.PASSPHRASE_ENV, PASSPHRASE)
    with Store() as store:
        stored_patient(store)
    encryption.forget(store.path)
    with Store() as again:
        assert again.cases()[0].patient_name.startswith(PATIENT)
    encryption.forget(store.path)
    monkeypatch.setenv(passphrase.PASSPHRASE_ENV, "another passphrase")
    with pytest.raises(StoreError, match="LETTERDESK_PASSPHRASE does not open"):
        Store()
