"""Two lines above the letter: how the writing goes, and where the letter stands.

The first line follows a generation (elapsed time, tokens, tokens per second) and then sums
it up; the second says which revision is shown, or that the letter is signed off and final.
"""

from __future__ import annotations

from letterdesk.core.cases.changes import Change
from letterdesk.core.desk.worklist import LetterAtDesk
from letterdesk.core.engine.types import Timing
from letterdesk.gui import i18n
from letterdesk.gui.qt import QEvent, QLabel, QSizePolicy, QVBoxLayout, QWidget


def duration(seconds: float) -> str:
    """A duration as the status line shows it: ``4.2 s`` (de ``4,2 s``), ``1:05 min``."""
    if seconds < 60:
        return f"{i18n.number(seconds, 1)} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d} min"


class LetterStatus(QWidget):
    """The progress line and the state line of the letter pane."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = QLabel(self)
        # changing numbers must not resize the panes around them
        self.progress.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.changed = QLabel(self)  # the case changed after the letter was written
        self.changed.setWordWrap(True)
        self.changed.setStyleSheet("color: palette(link);")
        self.changed.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addWidget(self.changed)
        self._letter: LetterAtDesk | None = None
        self._changes: tuple[Change, ...] = ()
        self._case_open = self._writing = False
        self.retranslate()

    def retranslate(self) -> None:
        self.state.setAccessibleName(self.tr("Letter status"))
        self.changed.setAccessibleName(self.tr("Case data changed"))
        self.progress.setAccessibleName(self.tr("Generation progress"))
        self._show_state()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- the progress line -------------------------------------------------------------------

    def say(self, text: str) -> None:
        """Show a loading step or another short message on the progress line."""
        self.progress.setText(text)

    def writing(self, elapsed_s: float, tokens: int) -> None:
        """A letter is being written: time so far, tokens so far, and the rate."""
        rate = tokens / elapsed_s if elapsed_s > 0 else 0.0
        self.progress.setText(
            self.tr("Writing … {time} · {tokens} tokens · {rate} tokens/s").format(
                time=duration(elapsed_s), tokens=i18n.number(tokens), rate=i18n.number(rate, 1)
            )
        )

    def written(self, finish_reason: str, timing: Timing) -> None:
        """A draft was stored: how it ended and how long it took."""
        reason = {
            "cancelled": self.tr("stopped"),
            "length": self.tr("cut at the maximum length"),
        }.get(finish_reason, self.tr("complete"))
        self.progress.setText(
            self.tr("Draft {reason}: {time} · {tokens} tokens · {rate} tokens/s").format(
                reason=reason,
                time=duration(timing.total_s),
                tokens=i18n.number(timing.completion_tokens),
                rate=i18n.number(timing.tokens_per_s, 1),
            )
        )

    # --- the state line ----------------------------------------------------------------------

    def show_letter(
        self,
        case_open: bool,
        letter: LetterAtDesk | None,
        writing: bool,
        changes: tuple[Change, ...] = (),
    ) -> None:
        """Say where the shown letter stands, and what changed in the case since it was
        written."""
        self._case_open, self._letter, self._writing = case_open, letter, writing
        self._changes = changes
        self._show_state()

    def _show_state(self) -> None:
        letter = self._letter
        if not self._case_open:
            text = ""
        elif self._writing:
            text = self.tr(
                "The model is writing a draft; you can correct it as soon as it is done."
            )
        elif letter is None:
            text = self.tr("No letter yet.")
        elif letter.letter.is_signed:
            text = self.tr(
                "Signed off by {who} on {when} – final and read-only. "
                "Generate to start a new letter."
            ).format(who=letter.letter.signed_by, when=(letter.letter.signed_at or "")[:10])
        else:
            corrected = letter.latest.kind == "correction"
            kind = self.tr("corrected") if corrected else self.tr("model draft")
            text = self.tr("Revision {n} ({kind}) · every change is saved automatically").format(
                n=letter.latest.number, kind=kind
            )
        self.state.setText(text)
        shown = self._case_open and letter is not None and bool(self._changes) and not self._writing
        if shown:
            listed = "; ".join(str(c) for c in self._changes[:4])
            more = len(self._changes) - 4
            if more > 0:
                listed += self.tr(" and {n} more").format(n=more)
            self.changed.setText(
                self.tr(
                    "Case data changed after this draft: {changes} — Generate (Ctrl+G) writes a "
                    "new draft from the new data; this one keeps the values it was written with."
                ).format(changes=listed)
            )
        self.changed.setVisible(shown)
