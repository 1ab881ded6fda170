"""The trainer's event lines: written by the trainer, read back by the app, byte for byte."""

from __future__ import annotations

import json

from letterdesk.core.models.trainer_events import Event, TrainerEvent


def test_an_event_is_written_as_the_app_has_always_read_it():
    event = TrainerEvent.of(
        Event.PROGRESS, step=3, steps=12, loss=1.25, lr=0.0002, tokens_per_s=850, eta_s=40
    )
    line = event.to_json()
    assert line == (
        '{"event": "progress", "step": 3, "steps": 12, "loss": 1.25, "lr": 0.0002, '
        '"tokens_per_s": 850, "eta_s": 40}'
    )
    assert TrainerEvent.from_json(line + "\n", "finetune") == TrainerEvent(
        "progress", json.loads(line), "finetune"
    )
    assert event.fraction == 0.25


def test_a_field_may_be_called_kind_or_stage():
    event = TrainerEvent.of(Event.STAGE, stage="export", kind="merged")
    assert event.to_json() == '{"event": "stage", "stage": "export", "kind": "merged"}'
    assert event.kind == "stage" and event.data["kind"] == "merged"


def test_names_and_words_stay_unescaped():
    line = TrainerEvent.of(Event.NOTICE, message="Kein Grafikprozessor: Training läuft").to_json()
    assert "läuft" in line
    assert TrainerEvent.from_json(line).message == "Kein Grafikprozessor: Training läuft"


def test_an_error_carries_message_and_hint():
    error = TrainerEvent.from_json('{"event": "error", "message": "no letters", "hint": null}')
    assert (error.kind, error.message, error.hint) == (Event.ERROR, "no letters", "")
    assert TrainerEvent.of(Event.ERROR, message="m", hint="h").hint == "h"


def test_other_lines_are_logs_and_an_object_without_event_is_progress():
    assert TrainerEvent.from_json("Loading weights 50%\n") == TrainerEvent(
        "log", {"line": "Loading weights 50%"}
    )
    assert TrainerEvent.from_json("{not json") == TrainerEvent("log", {"line": "{not json"})
    assert TrainerEvent.from_json("Loading weights").to_json() == "Loading weights"
    untyped = TrainerEvent.from_json('{"step": 25, "loss": 2.0}')
    assert untyped.kind == Event.PROGRESS and untyped.fraction is None
    assert TrainerEvent.of(Event.DONE).fraction is None
