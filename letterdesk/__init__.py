"""LetterDesk: physician letters in radiation oncology, drafted by a local language model."""

__version__ = "0.1.0"
