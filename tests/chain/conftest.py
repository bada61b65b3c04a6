"""A small spec with one section per authority level, built in code (no reader needed)."""

from __future__ import annotations

import pytest

from specwright import Message, Prose, Section, Spec, TextPart, UntrustedPart
from specwright._chain._conversation import Conversation


def section(
    sid: str, authority: str | None, text: str, children: tuple[Section, ...] = ()
) -> Section:
    """A section with one prose block."""
    blocks = (Prose(markdown=text),) if text else ()
    return Section(
        id=sid,
        title=sid.replace("_", " ").title(),
        depth=2,
        authority=authority,
        blocks=blocks,
        children=children,
    )


def chain_spec() -> Spec:
    """Root, system, developer, user and guideline sections, plus an inheriting child."""
    child = section("no_weapons_detail", None, "Never give synthesis routes for nerve agents.")
    root = section(
        "no_weapons", "root", "Never provide uplift for weapons of mass destruction.", (child,)
    )
    return Spec(
        title="Chain test spec",
        sections=(
            section("overview", None, "What this spec is about."),
            root,
            section("comply_with_laws", "system", "Comply with applicable laws of the deployment."),
            section(
                "regulated_advice", "developer", "Give general information, not regulated advice."
            ),
            section("objective_pov", "user", "Present balanced perspectives on contested topics."),
            section("be_warm", "guideline", "Use a warm, friendly tone in replies about cooking."),
        ),
    )


def conv(*turns: tuple[str, str] | Message) -> Conversation:
    """A conversation from (role, text) pairs or ready messages."""
    messages = [
        t if isinstance(t, Message) else Message(role=t[0], parts=(TextPart(text=t[1]),))
        for t in turns
    ]
    return Conversation.from_messages(messages)


def untrusted(role: str, text: str, data: str) -> Message:
    """A message with plain text followed by an untrusted part."""
    return Message(role=role, parts=(TextPart(text=text), UntrustedPart(text=data)))


@pytest.fixture
def spec() -> Spec:
    return chain_spec()
