"""A scripted drafting model: the answer a careful reviser would give to ``propose``'s prompt.

It reads the section id and the evidence ids from the prompt and writes a clarified text and
one example per pair of evidence items, citing them. ``faults`` lists, in order, what each
request should get instead (a malformed answer of that kind, or a failed request); later
requests get a good one. :func:`reviser` scripts a :class:`specwright._llm.ScriptedModel`;
:func:`good_reply` answers a scripted HTTP server's requests (where the wire is the point).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from specwright._llm import ScriptedFailure
from tests.eval._server import last_user_text

FAULTS: dict[str, str] = {
    "not_json": "Here is my revision: the section should be clearer about prices.",
    "wrong_fields": json.dumps({"text": "Clearer.", "examples": []}),
    "heading": json.dumps(
        {
            "text": "Clearer.\n\n# A new section {#x}\n\nMore.",
            "examples": [{"title": "t", "evidence": ["E1"], "user": "u", "good": "g", "bad": "b"}],
        }
    ),
    "unknown_evidence": json.dumps(
        {
            "text": "Clearer.",
            "examples": [{"title": "t", "evidence": ["E99"], "user": "u", "good": "g", "bad": "b"}],
        }
    ),
    "broken_reference": json.dumps(
        {
            "text": "Clearer; see [?](#no_such_section).",
            "examples": [{"title": "t", "evidence": ["E1"], "user": "u", "good": "g", "bad": "b"}],
        }
    ),
}


FAILED: dict[str, ScriptedFailure] = {
    "http_400": ScriptedFailure.http(400, json.dumps({"error": {"message": "bad model"}})),
    "garbage_200": ScriptedFailure.malformed(),
}
"""Requests that fail instead of answering."""


def good_answer(prompt: str) -> dict[str, Any]:
    """A clean revision of the prompt's section, citing its evidence two by two."""
    section = re.search(r"^SECTION ID: (\S+)", prompt, re.MULTILINE)
    assert section is not None, "propose prompt without a section id"
    ids = re.findall(r"^### (E\d+):", prompt, re.MULTILINE)
    assert ids, "propose prompt without evidence"
    examples = [
        {
            "title": f"a disputed case for {section.group(1)} ({' and '.join(pair)})",
            "evidence": list(pair),
            "user": f"Please settle case {' '.join(pair)} & tell me the <price> in euros.",
            "good": "Here is the price in euros, as you asked: €54.",
            "bad": "The price is 54 USD.",
            "bad_why": "ignores the currency the traveller asked for",
        }
        for pair in (ids[i : i + 2] for i in range(0, len(ids), 2))
    ]
    text = (
        f"Clarified text for {section.group(1)}: state prices in the traveller's currency "
        "unless they ask for another. When unsure which currency, ask once."
    )
    return {"text": text, "examples": examples[:4], "rationale": "settles the disputed cases"}


def good_reply(body: dict[str, Any]) -> str:
    """A good answer to a request body, fenced as models often fence it."""
    return "```json\n" + json.dumps(good_answer(last_user_text(body))) + "\n```"


def reviser(faults: list[str] | None = None) -> Callable[[dict[str, Any]], str | ScriptedFailure]:
    """A script for a scripted model: faults first (in order), then good answers.

    ``faults`` is consumed as requests arrive, so a test may fill it after the model is built.
    """
    pending = faults if faults is not None else []

    def respond(body: dict[str, Any]) -> str | ScriptedFailure:
        if pending:
            fault = pending.pop(0)
            return FAILED[fault] if fault in FAILED else FAULTS[fault]
        return good_reply(body)

    return respond
