"""Lists set out in full: a section that lists a case's items line by line cannot end while the
case has an item it has not named, and a line repeating an item moves on to the missing one."""

from __future__ import annotations

import re

import numpy as np

from letterdesk.core.engine.constrained import SlotConstraint, Vocabulary
from letterdesk.core.engine.lists import ListConstraint

# a vocabulary as BPE cuts these letters; id 0 is the end of the letter
VOCAB = [
    "", "Follow-up:", "Side effects:", "We treated", ".", "\n", "\n\n", "]]\n", "]]\n\n", "-",
    " [[", "[[", "]]", "]],", ":", "follow_up", "toxicities", "radiotherapy", "0", "1", "2",
    ".date", ".description", ".term", ".target", "Kind regards", "Recommendations:",
    "recommendations", "Diagnoses:", "diagnoses", ".text", ".icd10", ".grading", " (", "]])",
    "Course:", ".start_date",
]  # fmt: skip
NAMES = tuple(
    f"{name}.{i}.{field}"
    for name, fields, count in (
        ("follow_up", ("date", "description"), 3),
        ("toxicities", ("term",), 2),
    )
    for i in range(count)
    for field in fields
) + ("recommendations.0", "recommendations.1", "recommendations.2")


def tokenize(text: str) -> list[int]:
    """Longest match first, as the toy vocabulary's BPE would cut slot text."""
    ids = []
    while text:
        best = max((t for t in VOCAB if t and text.startswith(t)), key=len)
        ids.append(VOCAB.index(best))
        text = text[len(best) :]
    return ids


def follow_up_writer(text: str) -> str:
    """A model that lists the first appointment, always names item 0, then ends the list."""
    if not text or text.endswith(("\n\n", "regards")):
        return {"": "Follow-up:", "\n\n": "Kind regards"}.get(text[-2:] if text else "", "")
    if text.endswith("\n"):
        return "-"
    line = text.rsplit("\n", 1)[-1]
    rules = [
        (r"Follow-up:$", "\n"), (r"^-$", " [["), (r"\[\[$", "follow_up"),
        (r"follow_up$", "."), (r"follow_up\.$", "0"),
        (r"\.\d$", ".date" if ".date" not in line else ".description"), (r"\.date$", "]]"),
        (r"\.date\]\]$", ":"), (r":$", " [["), (r"\.description$", "]]\n\n"),
    ]  # fmt: skip
    return next((token for pattern, token in rules if re.search(pattern, line)), "")


def decode(writer, constraints, steps: int = 80) -> str:
    ids = [VOCAB.index("Kind regards")]  # the prompt
    for _ in range(steps):
        text = "".join(VOCAB[i] for i in ids[1:])
        scores = np.zeros(len(VOCAB), dtype=np.float32)
        wanted = writer(text)
        for rank, token in enumerate([wanted] if isinstance(wanted, str) else wanted):
            scores[VOCAB.index(token)] += 10 - rank
        for constraint in constraints:
            scores = constraint(np.array(ids, dtype=np.intc), scores)
        assert np.isfinite(scores).any(), "the constraint must leave something to write"
        token = int(np.argmax(scores))
        if token == 0:
            break
        ids.append(token)
    return "".join(VOCAB[i] for i in ids[1:])


def constraints(names: tuple[str, ...] = NAMES, key: tuple[str, ...] = ()) -> list:
    return [SlotConstraint(VOCAB, names), ListConstraint(VOCAB, names, tokenize, key)]


def test_without_the_constraint_the_model_lists_only_the_first_appointment():
    assert decode(follow_up_writer, []) == (
        "Follow-up:\n- [[follow_up.0.date]]: [[follow_up.0.description]]\n\nKind regards"
    )


def test_a_list_section_names_every_item_of_the_case_each_once():
    assert decode(follow_up_writer, constraints()) == (
        "Follow-up:\n"
        "- [[follow_up.0.date]]: [[follow_up.0.description]]\n"
        "- [[follow_up.1.date]]: [[follow_up.1.description]]\n"
        "- [[follow_up.2.date]]: [[follow_up.2.description]]\n\n"
        "Kind regards"
    )


def test_a_line_naming_several_items_and_prose_set_no_rule():
    def inline(text: str) -> str:  # prose; then one line names two of three appointments
        script = [
            "We treated", " [[", "radiotherapy", ".", "0", ".target", "]]\n\n", "Side effects:",
            "\n", "-", " [[", "follow_up", ".", "0", ".date", "]],", " [[", "follow_up", ".", "1",
            ".date", "]]\n\n", "Kind regards",
        ]  # fmt: skip
        at = 0
        while at < len(script) and text.startswith("".join(script[: at + 1])):
            at += 1
        return script[at] if at < len(script) else ""

    courses = NAMES + ("radiotherapy.0.target", "radiotherapy.1.target")
    written = decode(inline, constraints(courses))
    assert written == decode(inline, [])
    assert "[[follow_up.2" not in written and "[[radiotherapy.1" not in written


def test_a_line_the_model_begins_for_an_item_it_listed_names_the_next_missing_one():
    def repeating(text: str) -> str | list[str]:  # begins a second line, with item 0 again
        if text.endswith("]]\n"):
            return ["-", "\n"]
        if text.endswith(".description") and text.count("description") < 2:
            return "]]\n"
        return follow_up_writer(text)

    assert decode(repeating, constraints()) == (
        "Follow-up:\n"
        "- [[follow_up.0.date]]: [[follow_up.0.description]]\n"
        "- [[follow_up.1.date]]: [[follow_up.1.description]]\n"
        "- [[follow_up.2.date]]: [[follow_up.2.description]]\n\n"
        "Kind regards"
    )


def test_while_an_item_is_missing_no_token_can_end_the_section():
    constraint = ListConstraint(VOCAB, NAMES, tokenize)
    ids = [VOCAB.index("Kind regards")] + tokenize(
        "Follow-up:\n- [[follow_up.0.date]]: [[follow_up.0.description"
    )
    constraint(np.array(ids[:1], dtype=np.intc), np.zeros(len(VOCAB), dtype=np.float32))
    scores = np.zeros(len(VOCAB), dtype=np.float32)
    scores[VOCAB.index("]]")] = 5  # the model goes on with the line: nothing is forced
    scores = constraint(np.array(ids, dtype=np.intc), scores)
    assert scores[VOCAB.index("]]")] == 5
    assert np.isneginf(scores[[VOCAB.index("]]\n\n"), VOCAB.index("\n\n")]]).all()


def test_a_list_its_model_completes_itself_is_left_as_it_is():
    def recommending(text: str) -> str:  # three one-slot lines; the last slot ends the section
        if not text:
            return "Recommendations:"
        if text.endswith("\n\n"):
            return "Kind regards" if not text.endswith("regards") else ""
        if text.endswith(("Recommendations:", "regards")):
            return "\n" if text.endswith(":") else ""
        ending = {"\n": "-", "-": " [[", "[[": "recommendations", "recommendations": "."}
        for end, token in ending.items():
            if text.endswith(end):
                return token
        if text.endswith("recommendations."):
            return str(text.count("\n- ") - 1)
        return "]]\n\n" if text.endswith("2") else "]]\n"

    listed = "".join(f"- [[recommendations.{i}]]\n" for i in range(3))
    assert decode(recommending, []) == f"Recommendations:\n{listed}\nKind regards"
    assert decode(recommending, constraints()) == f"Recommendations:\n{listed}\nKind regards"


def test_a_bulleted_list_is_completed_where_its_run_of_items_ends():
    def tolerating(text: str) -> str:  # one toxicity of two, then a summary line
        line = text.rsplit("\n", 1)[-1]
        if not text:
            return "Side effects:"
        if text.endswith("\n\n"):
            return "Kind regards"
        if text.endswith(("Side effects:", "regards")):
            return "\n" if text.endswith(":") else ""
        if text.endswith("]]\n"):
            return "We treated"
        ending = {"Side effects:\n": "-", "-": " [[", "[[": "toxicities", "toxicities": ".",
                  "toxicities.": "0", ".term": "]]\n", "We treated": ".", ".": "\n\n"}  # fmt: skip
        for end, token in ending.items():
            if text.endswith(end):
                return token
        return ".term" if line.startswith("- ") else ""

    summary = "We treated.\n\nKind regards"
    one = "- [[toxicities.0.term]]\n"
    assert decode(tolerating, []) == f"Side effects:\n{one}{summary}"
    both = one + "- [[toxicities.1.term]]\n"
    assert decode(tolerating, constraints()) == f"Side effects:\n{both}{summary}"


def test_a_missing_item_begins_with_the_field_every_item_has():
    def describing(text: str) -> str:  # begins with the description; elsewhere wants the date
        if text.endswith(("\n- [[follow_up.1", "\n- [[follow_up.2")):
            return ".date"
        if text.endswith(".description"):
            return "]]\n\n"
        if text.endswith("follow_up.0"):
            return ".description"
        return follow_up_writer(text)

    written = decode(describing, constraints())
    for index in range(3):
        assert f"- [[follow_up.{index}.description]]\n" in written


DIAGNOSES = tuple(f"diagnoses.{i}.{f}" for i in range(2) for f in ("text", "icd10", "grading"))
CODES = ("diagnoses.0.icd10", "diagnoses.1.icd10")  # the key facts among them


def diagnosis_writer(text: str) -> str:
    """A model that writes the first diagnosis with its ICD-10 code, ends the second one's line
    after its grading, without the code (measured on a fine-tuned demo model), and then wants
    to end the list."""
    line = text.rsplit("\n", 1)[-1]
    if not text or text.endswith(("\n\n", "regards")):
        return {"": "Diagnoses:", "\n\n": "Kind regards"}.get(text[-2:] if text else "", "")
    if text.endswith(("Diagnoses:", "\n")):
        return "-" if text.endswith(":\n") or text.count("\n- ") == 1 else "\n"
    first = "[[diagnoses.0" in line
    rules = [
        (r"^-$", " [["), (r"\[\[$", "diagnoses"), (r"diagnoses$", "."),
        (r"diagnoses\.$", str(text.count("\n- ") - 1)),
        (r"\.\d$", ".text" if ".text" not in line else ".icd10" if first else ".grading"),
        (r"0\.text$", "]]"), (r"0\.text\]\]$", " ("), (r" \($", "[["), (r"\.icd10$", "]])"),
        (r"\]\]\)$", "\n" if first else "\n\n"), (r"\.text$", "]],"), (r"\]\],$", " [["),
        (r"\.grading$", "]]\n\n"),
    ]  # fmt: skip
    return next((token for pattern, token in rules if re.search(pattern, line)), "")


def test_an_item_line_ending_before_a_key_fact_its_first_line_names_is_completed_with_it():
    first = "Diagnoses:\n- [[diagnoses.0.text]] ([[diagnoses.0.icd10]])\n"
    unchanged = f"{first}- [[diagnoses.1.text]], [[diagnoses.1.grading]]\n\nKind regards"
    assert decode(diagnosis_writer, []) == unchanged
    assert decode(diagnosis_writer, constraints(DIAGNOSES)) == unchanged  # codes not key facts
    # the code, with the brackets the first line puts around it; the line then ends
    assert decode(diagnosis_writer, constraints(DIAGNOSES, CODES)) == (
        f"{first}- [[diagnoses.1.text]], [[diagnoses.1.grading]] ([[diagnoses.1.icd10]])"
        "\n\nKind regards"
    )


def test_a_line_given_its_key_fact_does_not_end_a_list_with_an_item_missing():
    names = tuple(f"diagnoses.{i}.{f}" for i in range(3) for f in ("text", "icd10", "grading"))
    codes = tuple(f"diagnoses.{i}.icd10" for i in range(3))
    items = [
        f"- [[diagnoses.{i}.text]], [[diagnoses.{i}.grading]] ([[diagnoses.{i}.icd10]])"
        for i in (1, 2)
    ]
    assert decode(diagnosis_writer, constraints(names, codes), steps=120) == (
        "Diagnoses:\n- [[diagnoses.0.text]] ([[diagnoses.0.icd10]])\n"
        + "\n".join(items)
        + "\n\nKind regards"
    )


def test_a_field_the_first_item_line_leaves_out_too_is_not_added():
    def without_codes(text: str) -> str:  # neither line names a code
        if text.endswith("0.text"):
            return "]]\n"
        return diagnosis_writer(text)

    written = decode(without_codes, [])
    assert ".icd10" not in written and "[[diagnoses.1.grading]]" in written
    assert decode(without_codes, constraints(DIAGNOSES, CODES)) == written


COURSE_AND_APPOINTMENTS = tuple(
    f"follow_up.{i}.{f}" for i in range(2) for f in ("date", "description")
) + ("radiotherapy.0.start_date", "radiotherapy.0.target")


def status_writer(text: str) -> str:
    """A model that goes from the heading of the course straight to the appointments."""
    if not text:
        return "Course:"
    if text.endswith(".start_date"):
        return "]]"
    if text.endswith(("Course:", ".start_date]]")) or text.endswith("1.start_date]]\n"):
        return "\n"
    return follow_up_writer(text)


def test_a_course_is_named_before_the_appointments_after_it():
    appointments = (
        "- [[follow_up.0.date]]: [[follow_up.0.description]]\n"
        "- [[follow_up.1.date]]: [[follow_up.1.description]]\n\nKind regards"
    )
    assert decode(status_writer, constraints(COURSE_AND_APPOINTMENTS)) == (
        f"Course:\n- [[radiotherapy.0.start_date]]\n{appointments}"
    )
    # a case without a course, or a letter that has named it, keeps the model's own order
    without = tuple(n for n in COURSE_AND_APPOINTMENTS if not n.startswith("radiotherapy"))
    assert decode(status_writer, constraints(without)) == f"Course:\n{appointments}"

    def named_before(text: str) -> str:
        script = ["We treated", " [[", "radiotherapy", ".", "0", ".target", "]]\n\n"]
        for at, token in enumerate(script):
            if text == "".join(script[:at]):
                return token
        return status_writer(text[len("".join(script)) :])

    assert decode(named_before, constraints(COURSE_AND_APPOINTMENTS), steps=120) == (
        f"We treated [[radiotherapy.0.target]]\n\nCourse:\n{appointments}"
    )


def test_a_course_named_for_an_appointment_has_its_next_course_where_the_section_ends():
    # its run of course lines ended at once: the second course is begun where the model would
    # end the section (not held open while the model writes on, nor lost)
    two_courses = COURSE_AND_APPOINTMENTS + ("radiotherapy.1.start_date", "radiotherapy.1.target")
    assert decode(status_writer, constraints(two_courses), steps=120) == (
        "Course:\n- [[radiotherapy.0.start_date]]\n"
        "- [[follow_up.0.date]]: [[follow_up.0.description]]\n"
        "- [[follow_up.1.date]]: [[follow_up.1.description]]\n"
        "- [[radiotherapy.1.start_date]]\n\nKind regards"
    )


def test_an_appointment_in_a_sentence_keeps_its_slot():
    def sentence(text: str) -> str:  # "We treated" stands for a sentence naming the appointment
        script = ["Course:", "\n", "We treated", " [[", "follow_up", ".", "0", ".date", "]]\n\n"]
        for at, token in enumerate(script):
            if text == "".join(script[:at]):
                return token
        return "Kind regards" if text.endswith("\n\n") else ""

    names = ("follow_up.0.date", "radiotherapy.0.start_date")
    assert decode(sentence, constraints(names)) == (
        "Course:\nWe treated [[follow_up.0.date]]\n\nKind regards"
    )


def test_one_vocabulary_index_serves_letter_after_letter_unchanged():
    """The worker indexes a model's vocabulary once and every letter's rules share it: letters
    written one after another through it are the letters each gets with an index of its own."""
    shared = Vocabulary(VOCAB)
    before = (dict(shared.by_text), list(shared.sorted), list(shared.brackets))
    names = tuple(f"diagnoses.{i}.{f}" for i in range(3) for f in ("text", "icd10", "grading"))
    codes = tuple(f"diagnoses.{i}.icd10" for i in range(3))
    letters = [(follow_up_writer, NAMES, (), 80), (diagnosis_writer, names, codes, 120)] * 2
    for writer, slots, key, steps in letters:
        own = decode(writer, constraints(slots, key), steps)
        rules = [SlotConstraint(shared, slots), ListConstraint(shared, slots, tokenize, key)]
        assert decode(writer, rules, steps) == own
    assert (dict(shared.by_text), list(shared.sorted), list(shared.brackets)) == before
