"""Cases: the input data a letter is written from, read and checked against the case format.

The case format is a versioned JSON document described by ``resources/case.schema.json``.
Validation reports every problem at once, each with its JSON path and a sentence a
physician understands. Clinical inconsistencies are warnings, not rejections. Unknown
extra fields are kept unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from letterdesk.core.foundation.errors import CaseFileError
from letterdesk.core.foundation.paths import resource

SCHEMA_VERSION = 1
LETTER_TYPES = ("final_report", "initial_consultation", "follow_up")
LANGUAGES = ("de", "en")
MAX_CASE_FILE_BYTES = 5_000_000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Model control tokens such as <|eot_id|> in case text would steer the model; never legitimate.
_CONTROL_TOKEN = re.compile(r"<\|[A-Za-z0-9_]+\|>")
_TYPE_WORDS = {
    "object": "a group of fields",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "yes or no",
}


@dataclass(frozen=True)
class Problem:
    """One finding about a case file: where it is (JSON path) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Case:
    """A validated case; ``data`` is the whole document, unknown fields included."""

    data: dict[str, Any]
    warnings: tuple[Problem, ...] = field(default=())

    @property
    def case_id(self) -> str:
        """The case's identifier as given in the file."""
        return str(self.data["case_id"])

    @property
    def letter_type(self) -> str:
        """``final_report``, ``initial_consultation`` or ``follow_up``."""
        return str(self.data["letter_type"])

    @property
    def language(self) -> str:
        """The letter's language, ``de`` or ``en``."""
        return str(self.data["language"])

    @property
    def patient(self) -> Mapping[str, Any]:
        """The patient block (id, names, sex, birth date)."""
        patient: Mapping[str, Any] = self.data["patient"]
        return patient

    @property
    def patient_name(self) -> str:
        """Family name, given name — as the case list shows it."""
        return f"{self.patient['family_name']}, {self.patient['given_name']}"

    def to_json(self) -> str:
        """The document as JSON text, non-ASCII characters kept as they are."""
        return json.dumps(self.data, ensure_ascii=False, sort_keys=False)


@cache
def required_item_fields(list_name: str) -> frozenset[str]:
    """The fields every item of the case's list ``list_name`` has (the format requires them):
    ``diagnoses`` → text and ICD-10 code."""
    schema = _validator().schema
    items = schema["properties"].get(list_name, {}).get("items", {})
    if "$ref" in items:
        items = schema["$defs"][items["$ref"].rsplit("/", 1)[-1]]
    return frozenset(items.get("required", ()))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resource("case.schema.json").read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date", raises=ValueError)(_check_date)
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def _check_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _ISO_DATE.match(value):
        raise ValueError("not YYYY-MM-DD")
    dt.date.fromisoformat(value)
    return True


def _json_path(parts: Iterable[str | int]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _explain(error: jsonschema.ValidationError) -> str:
    kind, value, expected = error.validator, error.instance, error.validator_value
    if kind == "required":
        missing = [name for name in expected if name not in value]
        return "the required field " + ", ".join(f"“{m}”" for m in missing) + " is missing"
    if kind == "type":
        return f"expected {_TYPE_WORDS.get(str(expected), expected)}, found {_shown(value)}"
    if kind == "enum":
        return f"{_shown(value)} is not allowed; use one of " + ", ".join(map(str, expected))
    if kind == "const":
        return f"this LetterDesk reads case format version {expected}, not {_shown(value)}"
    if kind == "format":
        return f"{_shown(value)} is not a real calendar date (expected YYYY-MM-DD)"
    if kind == "minItems":
        return "at least one entry is needed"
    if kind == "minLength":
        return "must not be empty"
    if kind == "pattern":
        return f"{_shown(value)} is not an ICD-10 code like C50.4"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"{_shown(value)} is out of the possible range ({kind} {expected})"
    return error.message


def validate(document: Any) -> tuple[list[Problem], list[Problem]]:
    """Check a parsed document; return (problems that reject it, clinical warnings)."""
    if not isinstance(document, dict):
        return [Problem("$", f"a case must be a JSON object, found {_TYPE_NAME(document)}")], []
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.path)))
    problems = [Problem(_json_path(e.absolute_path), _explain(e)) for e in errors]
    problems.extend(_control_tokens(document, "$"))
    warnings = [] if problems else clinical_warnings(document)
    return problems, warnings


def _control_tokens(value: Any, path: str) -> list[Problem]:
    if isinstance(value, str):
        found = _CONTROL_TOKEN.search(value)
        if found:
            return [Problem(path, f"contains the reserved model marker {found.group(0)}")]
        return []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _control_tokens(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _control_tokens(v, f"{path}[{i}]")]
    return []


def _TYPE_NAME(value: Any) -> str:  # noqa: N802 - reads like the constant it replaces
    names = {list: "a list", str: "text", int: "a number", float: "a number", bool: "yes/no"}
    return names.get(type(value), "nothing" if value is None else type(value).__name__)


def clinical_warnings(document: Mapping[str, Any]) -> list[Problem]:
    """Clinical inconsistencies shown to the user; they never reject a case."""
    warnings: list[Problem] = []
    today = dt.date.today()
    birth = dt.date.fromisoformat(document["patient"]["birth_date"])
    if birth > today:
        warnings.append(Problem("$.patient.birth_date", "the birth date lies in the future"))
    for i, course in enumerate(document.get("radiotherapy", [])):
        where = f"$.radiotherapy[{i}]"
        expected = course["dose_per_fraction_gy"] * course["fractions"]
        if abs(expected - course["total_dose_gy"]) > 0.011:
            warnings.append(
                Problem(
                    f"{where}.total_dose_gy",
                    f"total dose {course['total_dose_gy']} Gy differs from "
                    f"{course['fractions']} x {course['dose_per_fraction_gy']} Gy "
                    f"= {round(expected, 2)} Gy",
                )
            )
        start = dt.date.fromisoformat(course["start_date"])
        end = dt.date.fromisoformat(course["end_date"])
        if end < start:
            warnings.append(Problem(f"{where}.end_date", "the course ends before it starts"))
        if start < birth:
            warnings.append(Problem(f"{where}.start_date", "the course starts before birth"))
    return warnings


def parse_case(raw: bytes | str, source: str = "case") -> Case:
    """Parse and validate one case document; raise :class:`CaseFileError` with every problem."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_CASE_FILE_BYTES:
            raise CaseFileError(source, ["the file is too large to be a case file"])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CaseFileError(source, [f"the file is not UTF-8 text ({exc.reason})"]) from exc
    try:
        document = json.loads(raw, parse_constant=_refuse_constant)
    except ValueError as exc:
        if not isinstance(exc, json.JSONDecodeError):  # NaN or Infinity
            raise CaseFileError(source, [str(Problem("$", str(exc)))]) from exc
        message = f"not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg})"
        raise CaseFileError(source, [message]) from exc
    except RecursionError as exc:
        raise CaseFileError(source, ["$: the JSON is nested too deeply"]) from exc
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:  # "\ud800" escapes decode to lone surrogates
        raise CaseFileError(source, ["$: the text contains invalid characters"]) from exc
    except RecursionError as exc:
        raise CaseFileError(source, ["$: the JSON is nested too deeply"]) from exc
    try:
        problems, warnings = validate(document)
    except RecursionError as exc:
        raise CaseFileError(source, ["$: the JSON is nested too deeply"]) from exc
    if problems:
        raise CaseFileError(source, [str(p) for p in problems])
    return Case(document, tuple(warnings))


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a case can contain")


def load_case(path: Path) -> Case:
    """Read and validate one case file."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CASE_FILE_BYTES + 1)
    except OSError as exc:
        raise CaseFileError(str(path), [f"the file cannot be read ({exc.strerror})"]) from exc
    return parse_case(raw, str(path))
