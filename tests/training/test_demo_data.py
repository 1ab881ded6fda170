"""The demo model's data: its prompts open with the house style, as the committed model's
chat template does."""

from __future__ import annotations

from letterdesk.core.foundation.paths import resource


def test_the_committed_model_opens_prompts_with_the_house_style_as_a_system_message():
    from letterdesk.core.generation.prompts import apply_chat_template
    from letterdesk.core.models.gguf_header import read_header
    from training.demo_data import demo_chat_template, house_style_text
    from training.tokenizer import CHAT_TEMPLATE

    template = read_header(resource("models", "letterdesk-demo.gguf")).chat_template
    assert template == demo_chat_template()  # house_style.txt is what the model was trained on
    case = [{"role": "user", "content": "Schreibe den Abschlussbericht nach Strahlentherapie."}]
    system = [{"role": "system", "content": house_style_text(fact_slots=True)}]
    assert apply_chat_template(template, case) == apply_chat_template(CHAT_TEMPLATE, system + case)
