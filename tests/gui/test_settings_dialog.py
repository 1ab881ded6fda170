"""The settings dialog edits every setting, disables IT's locked keys and reports problems."""

from __future__ import annotations

from letterdesk.core.foundation.settings import Settings
from letterdesk.gui.qt import QLabel
from letterdesk.gui.settings_dialog import SettingsDialog

KEYS = (
    "model_path",
    "adapter_path",
    "n_gpu_layers",
    "letter_language",
    "default_letter_type",
    "letterhead_template",
    "author_name",
    "author_role",
    "rater_name",
    "predraft",
    "predraft_ahead",
    "ui_language",
)


def test_every_setting_is_editable_and_the_result_is_a_valid_copy(qtbot):
    dialog = SettingsDialog(Settings(author_name="Dr. A"))
    qtbot.addWidget(dialog)
    assert tuple(dialog.fields) == KEYS
    fields = dialog.fields
    fields["author_role"].editor.setText("Oberärztin")
    fields["n_gpu_layers"].editor.setText("0")
    fields["letter_language"].editor.setCurrentIndex(
        fields["letter_language"].editor.findData("en")
    )
    fields["ui_language"].editor.setCurrentIndex(fields["ui_language"].editor.findData("de"))
    fields["predraft"].editor.setCurrentIndex(fields["predraft"].editor.findData(False))
    fields["predraft_ahead"].editor.setCurrentIndex(fields["predraft_ahead"].editor.findData(10))
    accepted = []
    dialog.settings_accepted.connect(accepted.append)
    dialog.accept()
    assert accepted == [
        Settings(
            author_name="Dr. A",
            author_role="Oberärztin",
            n_gpu_layers="0",
            letter_language="en",
            ui_language="de",
            predraft=False,
            predraft_ahead=10,
        )
    ]


def test_locked_keys_are_disabled_and_marked_set_by_it(qtbot):
    locked = Settings(model_path="/opt/models/site.gguf", locked=("model_path", "n_gpu_layers"))
    dialog = SettingsDialog(locked)
    qtbot.addWidget(dialog)
    model = dialog.fields["model_path"]
    assert not model.widget.isEnabled() and model.editor.text() == "/opt/models/site.gguf"
    assert not dialog.fields["n_gpu_layers"].widget.isEnabled()
    label = dialog.form.labelForField(model.widget)
    assert isinstance(label, QLabel) and "set by IT" in label.text()
    assert "IT department" in model.editor.toolTip()
    assert dialog.fields["author_name"].widget.isEnabled()
    assert "model_path" not in dialog.values()


def test_invalid_values_are_all_reported_and_the_dialog_stays_open(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fields["n_gpu_layers"].editor.setText("many")
    accepted = []
    dialog.settings_accepted.connect(accepted.append)
    dialog.accept()
    assert accepted == [] and dialog.isVisible()
    assert "n_gpu_layers" in dialog.problems.text()


def test_every_field_has_an_accessible_name_and_a_mnemonic(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert tuple(dialog.fields) == KEYS
    for field in dialog.fields.values():
        assert field.editor.accessibleName()
        label = dialog.form.labelForField(field.widget)
        assert "&" in label.text() and label.buddy() is field.editor
