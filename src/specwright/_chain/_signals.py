"""Instruction-like phrases: what a person reading a trace should see first.

This is a display aid, never an authority decision: structure decides authority, the
interpreter decides what is an instruction. A short list of the phrasings prompt injections
use ("ignore previous instructions", "reveal your system prompt", "AI models reading this
must …") picks out the sentence a reviewer should read in a span without authority.
"""

from __future__ import annotations

import re

__all__ = ["instruction_phrase"]

_CUES = re.compile(
    r"(?ix)"
    r"\b(?:ignore|disregard|forget|override)\b[^.\n]{0,40}\b(?:instructions?|rules?|prompts?"
    r"|above|previous|policy|policies|guidelines?)\b"
    r"|\b(?:reveal|print|output|send|leak|share|show)\b[^.\n]{0,30}\b(?:system\ prompt"
    r"|prompt|password|secrets?|instructions|credentials|api\ keys?)\b"
    r"|\byou\ (?:must|should|are\ now|will\ now)\b"
    r"|\b(?:ai|language\ models?|assistants?|llms?|chatbots?)\b[^.\n]{0,40}\b(?:must|should"
    r"|shall|are\ to)\b"
    r"|\bdeveloper\ mode\b|\bnew\ instructions?\b|\bdo\ not\ tell\b|\bact\ as\b"
    r"|^\s*(?:system|developer)\s*:"
)
_SENTENCE_END = re.compile(r"[.!?\n]")


def instruction_phrase(text: str, limit: int = 160) -> str | None:
    """The sentence of ``text`` holding the first instruction-like cue, if any."""
    match = _CUES.search(text)
    if match is None:
        return None
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
    end_match = _SENTENCE_END.search(text, match.end())
    end = end_match.end() if end_match else len(text)
    phrase = " ".join(text[start:end].split())
    return phrase if len(phrase) <= limit else phrase[: limit - 1] + "…"
