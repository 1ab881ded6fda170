"""The one error the model toolchain raises: something in its input is wrong, and it says what."""

from __future__ import annotations


class ToolchainError(Exception):
    """A checkpoint, tokenizer, adapter or GGUF file the toolchain cannot work with.

    ``message`` names the problem and the file; ``hint`` (optional) says what to do about it.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message} (hint: {self.hint})"
