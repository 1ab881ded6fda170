"""Word-level diff of a model draft against the physician's correction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from letterdesk.core.foundation.diffing import Run, diff_words, split_words


def test_unchanged_letter_keeps_every_word():
    diff = diff_words(
        "Sehr geehrte Frau Kollegin,\nwir berichten.", "Sehr geehrte Frau Kollegin,\nwir berichten."
    )
    assert diff.runs == (Run("equal", "Sehr geehrte Frau Kollegin,\nwir berichten."),)
    assert diff.kept_share == 1.0
    assert diff.edit_distance == 0
    assert not diff.changed


def test_substituted_word_is_a_deletion_then_an_insertion():
    diff = diff_words("Gesamtdosis 50 Gy in 25 Fraktionen", "Gesamtdosis 50,4 Gy in 28 Fraktionen")
    assert diff.runs == (
        Run("equal", "Gesamtdosis "),
        Run("delete", "50 "),
        Run("insert", "50,4 "),
        Run("equal", "Gy in "),
        Run("delete", "25 "),
        Run("insert", "28 "),
        Run("equal", "Fraktionen"),
    )
    assert diff.draft_words == 6
    assert diff.kept_words == 4
    assert diff.kept_share == 4 / 6
    assert diff.edit_distance == 2


def test_inserted_and_deleted_words_count_once_each():
    diff = diff_words(
        "Die Therapie wurde gut vertragen.", "Die Therapie wurde insgesamt sehr gut vertragen."
    )
    assert [r.kind for r in diff.runs] == ["equal", "insert", "equal"]
    assert diff.runs[1] == Run("insert", "insgesamt sehr ")
    assert diff.edit_distance == 2
    assert diff.kept_share == 1.0

    shortened = diff_words("Die Therapie wurde gut vertragen.", "Die Therapie wurde vertragen.")
    assert shortened.runs[1] == Run("delete", "gut ")
    assert shortened.edit_distance == 1
    assert shortened.kept_share == 4 / 5


def test_whitespace_alone_is_not_a_change_and_the_new_layout_shows():
    diff = diff_words("Diagnose: Mammakarzinom links", "Diagnose:\nMammakarzinom  links")
    assert not diff.changed
    assert diff.text("correction") == "Diagnose:\nMammakarzinom  links"


def test_a_deleted_word_at_a_paragraph_end_adds_no_line_break():
    diff = diff_words("geb. 10.01.1962\n\nSehr geehrte", "geb. 17.06.1972\n\nSehr geehrte")
    assert diff.runs == (
        Run("equal", "geb. "),
        Run("delete", "10.01.1962 "),
        Run("insert", "17.06.1972\n\n"),
        Run("equal", "Sehr geehrte"),
    )


def test_frequent_words_do_not_misalign_a_long_letter():
    body = " ".join(["der Patient erhielt die Therapie und die Nachsorge"] * 60)
    diff = diff_words(body + " Ende.", body + " Schluss.")
    assert diff.edit_distance == 1
    assert diff.draft_words == 60 * 8 + 1


def test_empty_draft_and_empty_correction():
    assert diff_words("", "").runs == ()
    everything_new = diff_words("", "Neuer Brief")
    assert everything_new.runs == (Run("insert", "Neuer Brief"),)
    assert everything_new.kept_share == 1.0
    everything_gone = diff_words("Alter Brief", "")
    assert everything_gone.kept_share == 0.0
    assert everything_gone.edit_distance == 2


def test_split_words_keeps_whitespace_with_the_word_before_it():
    assert split_words("  a b\n\nc") == ["  ", "a ", "b\n\n", "c"]


words = st.lists(
    st.sampled_from(["Dosis", "Gy", "50,4", "links", "die", "\n", " ", "ECOG"]), max_size=30
)


@given(words, words)
def test_runs_give_back_the_correction_and_the_drafts_words(draft_parts, correction_parts):
    draft, correction = " ".join(draft_parts), " ".join(correction_parts)
    diff = diff_words(draft, correction)
    assert diff.text("correction") == correction
    assert diff.text("draft").split() == draft.split()
    assert 0 <= diff.kept_words <= diff.draft_words == len(draft.split())
    assert diff.edit_distance >= abs(len(draft.split()) - len(correction.split()))
