"""One hierarchy of errors, each with a message a physician understands and a hint for IT.

Cancelling is not an error: it raises :class:`Interrupted`, which views swallow silently.
"""

from __future__ import annotations


class LetterDeskError(Exception):
    """Base of every error LetterDesk reports to a person.

    ``message`` is for the physician at the workstation; ``hint`` is for IT.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class Interrupted(Exception):  # noqa: N818 - it is a signal, not an error
    """A long operation was cancelled on request; never shown as an error."""


class CaseFileError(LetterDeskError):
    """A case file could not be read or does not follow the case format."""

    def __init__(self, path: str, problems: list[str]) -> None:
        joined = "; ".join(problems)
        super().__init__(
            f"The case file {path} cannot be imported: {joined}",
            "Check the file against resources/case.schema.json.",
        )
        self.path = path
        self.problems = problems


class StoreError(LetterDeskError):
    """The letter store could not be opened, migrated or written."""


class ConfigurationError(LetterDeskError):
    """Settings or resources are missing or invalid."""


class ModelError(LetterDeskError):
    """The language model file could not be checked, loaded or run."""
