"""Prompts: a case rendered as the model reads it, wrapped in the model's chat template.

Templates live in ``resources/prompts`` (one per letter type and language) and, like any
chat template taken from a model file, render in Jinja2's immutable sandbox: a template
cannot reach Python internals or files (CVE-2024-34359 was exactly that hole).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from letterdesk.core.cases.case import Case
from letterdesk.core.engine.constrained import numbers_in
from letterdesk.core.foundation import notation
from letterdesk.core.foundation.errors import ModelError
from letterdesk.core.foundation.paths import resource

_TITLES = {
    "de": {"female": "Frau", "male": "Herr"},
    "en": {"female": "Ms", "male": "Mr"},
}


def _raise(message: str) -> None:
    raise jinja2.TemplateError(message)


def _environment(loader: jinja2.BaseLoader | None, language: str) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        undefined=jinja2.Undefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["date"] = lambda iso: notation.format_date(str(iso), language)
    env.filters["gy"] = lambda value: notation.format_gy(float(value), language)
    env.globals["raise_exception"] = _raise
    return env


@cache
def _case_environment(language: str) -> ImmutableSandboxedEnvironment:
    return _environment(jinja2.FileSystemLoader(str(resource("prompts"))), language)


def _recipient_name(recipient: Mapping[str, Any]) -> str:
    parts = [recipient.get("title"), recipient.get("given_name"), recipient.get("family_name")]
    name = " ".join(str(p) for p in parts if p)
    place = ", ".join(str(recipient[k]) for k in ("institution", "city") if recipient.get(k))
    return f"{name}, {place}" if place else name


def render_case(case: Case) -> str:
    """The user message for a case: its letter type's instruction and the case's data."""
    env = _case_environment(case.language)
    template = env.get_template(f"{case.letter_type}.{case.language}.j2")
    data = case.data
    patient = data["patient"]
    title = _TITLES[case.language].get(patient["sex"], "")
    return template.render(
        case=data,
        p=patient,
        patient_name=" ".join(
            p for p in (title, patient["given_name"], patient["family_name"]) if p
        ),
        recipient_name=_recipient_name(data.get("recipient") or {}),
    ).strip()


def chat_messages(case: Case, system: str | None = None) -> list[dict[str, str]]:
    """The conversation sent to the model: an optional system message, then the case."""
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": render_case(case)})
    return messages


@cache
def fallback_chat_template() -> str:
    """The chat template used when a model file carries none (the LLaMA-3 format)."""
    return resource("prompts", "chat_fallback.j2").read_text(encoding="utf-8")


def apply_chat_template(
    template: str | None,
    messages: Sequence[Mapping[str, str]],
    *,
    bos_token: str = "<|begin_of_text|>",
    eos_token: str = "<|eot_id|>",
    add_generation_prompt: bool = True,
) -> str:
    """Render messages with a chat template in the sandbox; a broken template is a ModelError."""
    env = _environment(None, "en")
    try:
        compiled = env.from_string(template or fallback_chat_template())
        return compiled.render(
            messages=list(messages),
            bos_token=bos_token,
            eos_token=eos_token,
            add_generation_prompt=add_generation_prompt,
        )
    except (jinja2.TemplateError, jinja2.exceptions.SecurityError, TypeError) as exc:
        # TypeError: {% include %}/{% import %} in a chat template; there is no loader to read files
        raise ModelError(
            f"The model's chat template cannot be used: {exc}",
            "The model file's tokenizer.chat_template is broken or unsafe; use another file.",
        ) from exc


def build_prompt(
    case: Case,
    chat_template: str | None = None,
    system: str | None = None,
    bos_token: str = "<|begin_of_text|>",
) -> str:
    """The exact text the model receives for a case (stored with the letter it drafts)."""
    return apply_chat_template(chat_template, chat_messages(case, system), bos_token=bos_token)


def shared_prefix(prompt: str, case: Case) -> str | None:
    """The start of ``prompt`` that every case's prompt of this letter type and language
    shares with this model: the chat template's opening (system message included) and the
    letter type's instruction line, up to the first line of the case. It holds no patient
    data. None when the chat template changed the message so it cannot be found."""
    message = render_case(case)
    at = prompt.find(message)
    instruction, newline, _ = message.partition("\n")
    if at < 0 or not newline:
        return None
    return prompt[: at + len(instruction) + 1]


def case_numbers(case: Case) -> frozenset[str]:
    """Every number of the case as the model reads it: ``06.01.2025``, ``2,67``, ``15``."""
    return numbers_in(render_case(case))
