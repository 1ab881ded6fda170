"""After a restart, the model's worker takes the model's last letters from the store as its
earlier letters, so prompt lookup guesses the first letter as well as the later ones — the
same letter, written in fewer steps. Real demo model, real store file."""

from __future__ import annotations

from letterdesk.core.engine.local import Engine
from letterdesk.core.engine.types import DecodingOptions, EngineSettings, TextDelta
from letterdesk.core.generation.draft import generate_letter, write_letter
from letterdesk.core.generation.warming import recall_letters, warm_up
from letterdesk.core.store.database import Store
from letterdesk.core.store.letters import add_revision, create_letter, model_writing
from letterdesk.core.store.model_versions import add_version
from tests.core.engine.demo import DEMO, demo_case


def demo_engine() -> Engine:
    return Engine(EngineSettings(model_path=DEMO, n_threads=1))


def guessed_share(result) -> float:
    return result.timing.guessed_tokens / result.timing.completion_tokens


def test_a_restarted_workers_first_letter_guesses_from_the_models_stored_letters(tmp_path):
    with Store(tmp_path / "letters.sqlite3") as store:
        store.import_cases([demo_case(n) for n in range(1, 6)])
        with demo_engine() as before:  # a session that wrote four letters
            for n in range(2, 6):
                generate_letter(store, f"SYN-DEMO-{n:03d}", before)
        # no letters to recall: a fresh worker's first letter finds few guesses
        with demo_engine() as fresh:
            alone = write_letter(fresh, demo_case(1))
        with demo_engine() as restarted:
            restarted.load()
            assert warm_up(store, restarted) == ("loaded", 4)
            result = generate_letter(store, "SYN-DEMO-001", restarted)
        with demo_engine() as plain:
            greedy = write_letter(plain, demo_case(1), DecodingOptions(prompt_lookup=0))
        # and without the window's warm-up, the first letter takes them itself
        with demo_engine() as service:
            again = generate_letter(store, "SYN-DEMO-001", service)
    assert result.text == alone.text == greedy.text == again.text  # the same letter
    assert alone.finished.timing.guessed_tokens / alone.finished.timing.completion_tokens < 0.25
    assert guessed_share(result) > 0.5
    assert guessed_share(again) > 0.5


def test_a_worker_is_offered_the_letters_once_and_takes_none_after_writing_its_own():
    asked: list[int] = []

    def letters() -> list[str]:
        asked.append(1)
        return ["Sehr geehrte Frau Kollegin,", "Sehr geehrter Herr Kollege,"]

    with demo_engine() as engine:
        assert engine.remember(letters) == 0 and asked == []  # no model loaded yet
        engine.load()
        assert engine.remember(letters) == 2
        assert engine.remember(letters) == 0 and len(asked) == 1  # the store is not read again
        engine.close()
        engine.load()  # a new worker
        chunks = list(engine.stream(demo_prompt(engine), DecodingOptions(max_tokens=8)))
        assert any(isinstance(c, TextDelta) for c in chunks)
        assert engine.remember(letters) == 0  # it has a letter of its own
        assert len(asked) == 2


def demo_prompt(engine: Engine) -> str:
    from letterdesk.core.generation.draft import case_prompt

    return case_prompt(demo_case(1), engine.load())


def test_the_models_writing_is_its_last_drafts_as_it_wrote_them_oldest_first(tmp_path):
    with Store(tmp_path / "letters.sqlite3") as store:
        store.import_cases([demo_case(1)])
        model, other = (
            add_version(store, name=name, version="1", path=f"/models/{name}.gguf",
                        sha256=name * 64, size_bytes=1, quantization=None, architecture=None,
                        chat_template=None, adapter=None, lineage={})
            for name in ("a", "b")
        )  # fmt: skip
        letter, _ = create_letter(store, "SYN-DEMO-001", "first", author="dr", model_ref=model)
        add_revision(store, letter.id, "a physician's correction", author="dr")
        create_letter(store, "SYN-DEMO-001", "another model's", author="dr", model_ref=other)
        create_letter(store, "SYN-DEMO-001", "typed by hand", author="dr")
        create_letter(
            store, "SYN-DEMO-001", "Dosis 50 Gy", author="dr", model_ref=model,
            slotted="Dosis [[courses.0.total_dose_gy]]",
        )  # fmt: skip
        create_letter(store, "SYN-DEMO-001", "third", author="dr", model_ref=model)
        assert model_writing(store, model, 10) == [
            "first", "Dosis [[courses.0.total_dose_gy]]", "third"
        ]  # fmt: skip
        assert model_writing(store, model, 2) == ["Dosis [[courses.0.total_dose_gy]]", "third"]


def test_a_model_file_the_store_does_not_know_is_neither_hashed_nor_registered_at_load(tmp_path):
    with Store(tmp_path / "letters.sqlite3") as store, demo_engine() as engine:
        engine.load()
        assert warm_up(store, engine) == ("none", 0)
        assert store.conn.execute("SELECT COUNT(*) FROM models").fetchone()[0] == 0


def test_a_worker_takes_the_models_last_32_letters(tmp_path):
    with Store(tmp_path / "letters.sqlite3") as store:
        store.import_cases([demo_case(1)])
        model = add_version(
            store, name="demo", version="1", path=str(DEMO), sha256="d" * 64, size_bytes=1,
            quantization=None, architecture=None, chat_template=None, adapter=None, lineage={},
        )  # fmt: skip
        for n in range(40):
            create_letter(store, "SYN-DEMO-001", f"Brief {n}", author="dr", model_ref=model)
        assert model_writing(store, model, 32) == [f"Brief {n}" for n in range(8, 40)]
        with demo_engine() as engine:
            engine.load()
            assert recall_letters(store, engine, model) == 32
