"""What the model under test received, read back from a sample's transcript.

An enforced run (``eval --enforce``) sends the chain-of-command compiler's output: a preamble
(a system message) holding this request's boundary token and any delegations, then the turns
with every span that carries no authority between ``<<<untrusted:TOKEN:N>>>`` markers. The log
keeps those messages as sent, so the studio can show each isolated span and its authority
without recompiling anything. The token is read from the preamble's isolation rule only: the
compiler drew it absent from every text of the request and neutralised marker-like text inside
isolated content, so no text of a scenario can open or close a span here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from specwright._chain._preamble import OMITTED_ROOTS_HEAD, SECTIONS_HEADING
from specwright._chain._spotlight import Boundary
from specwright._frozen import FrozenModel
from specwright._results._models import TranscriptMessage

__all__ = ["ReceivedMessage", "ReceivedSpan", "preamble_section", "received"]

_TOKEN = "0000"  # a stand-in, replaced by a capture group: the marker shape stays _spotlight's
_RULE = re.compile(
    "^Text between "
    + re.escape(Boundary(_TOKEN).begin_pattern).replace(_TOKEN, "([0-9a-f]{4,64})", 1),
    re.MULTILINE,
)
_DELEGATED = re.compile(
    r"^Block (\d+) has (\w+)-level authority, delegated by (.+?): follow", re.MULTILINE
)
_HEADING = re.compile(r"^## .* \{#([^}\s]+)\} \(\w+\)$", re.MULTILINE)


class ReceivedSpan(FrozenModel):
    """A piece of a message: text sent intact, or an isolated block."""

    text: str
    """The text as sent (an isolated block's body, without its markers)."""
    block: int | None = None
    """The isolated block's number; ``None`` for intact text."""
    authority: str = "none"
    """An isolated block's authority: ``none``, or the level delegated to it."""
    delegated_by: str | None = None
    """Who delegated that authority, when delegated."""


class ReceivedMessage(FrozenModel):
    """One message as the model received it."""

    role: str
    """system, developer, user, assistant or tool."""
    spans: tuple[ReceivedSpan, ...]
    """Its text, split where blocks are isolated."""
    raw: str
    """The exact text sent, markers included."""
    preamble: bool = False
    """Whether the compiler added it (the chain-of-command preamble)."""

    @property
    def isolated(self) -> tuple[ReceivedSpan, ...]:
        """Its isolated blocks."""
        return tuple(s for s in self.spans if s.block is not None)


def received(
    sent: Sequence[TranscriptMessage], *, enforce: bool
) -> tuple[list[ReceivedMessage], bool]:
    """The messages split into intact text and isolated blocks, and whether a compiler
    preamble (and so a boundary token) was found in the first message.

    Only an enforced run's first message is the compiler's: in a plain run a scenario's own
    system message stands there, and its text must not be able to fake isolated spans.
    """
    first = sent[0] if enforce and sent and sent[0].role == "system" else None
    found = _RULE.search(first.content) if first is not None else None
    if found is None:
        return [ReceivedMessage(role=m.role, spans=(ReceivedSpan(text=m.content),), raw=m.content)
                for m in sent], False  # fmt: skip
    rules = sent[0].content.split(SECTIONS_HEADING, 1)[0]
    delegated = {int(n): (level, by) for n, level, by in _DELEGATED.findall(rules)}
    marker = _markers(found.group(1))
    messages = [ReceivedMessage(role="system", spans=(ReceivedSpan(text=sent[0].content),),
                                raw=sent[0].content, preamble=True)]  # fmt: skip
    for message in sent[1:]:
        spans = tuple(_split(message.content, marker, delegated))
        messages.append(ReceivedMessage(role=message.role, spans=spans, raw=message.content))
    return messages, True


def _markers(token: str) -> re.Pattern[str]:
    boundary = Boundary(token)
    begin, end = (re.escape(p).replace("N", "{n}") for p in (boundary.begin_pattern,
                                                                boundary.end_pattern))  # fmt: skip
    # Block N's body runs to block N's own closing marker; the compiler puts each marker on
    # its own line (a tool call's arguments may carry them JSON-escaped, hence \n? only).
    return re.compile(begin.format(n=r"(\d+)") + r"\n?(.*?)\n?" + end.format(n=r"\1"), re.DOTALL)


def _split(
    text: str, marker: re.Pattern[str], delegated: dict[int, tuple[str, str]]
) -> list[ReceivedSpan]:
    spans: list[ReceivedSpan] = []
    done = 0
    for match in marker.finditer(text):
        if match.start() > done:
            spans.append(ReceivedSpan(text=text[done : match.start()]))
        block = int(match.group(1))
        level, by = delegated.get(block, ("none", None))
        spans.append(
            ReceivedSpan(text=match.group(2), block=block, authority=level, delegated_by=by)
        )
        done = match.end()
    if done < len(text) or not spans:
        spans.append(ReceivedSpan(text=text[done:]))
    return spans


def preamble_section(preamble: str, section_id: str) -> str | None:
    """Section ``section_id``'s text as the preamble gave it to the model, or ``None`` when
    the preamble left it out."""
    sections = preamble.split(SECTIONS_HEADING, 1)
    if len(sections) < 2:
        return None
    body = sections[1].split("\n" + OMITTED_ROOTS_HEAD, 1)[0]
    headings = list(_HEADING.finditer(body))
    for number, heading in enumerate(headings):
        if heading.group(1) == section_id:
            end = headings[number + 1].start() if number + 1 < len(headings) else len(body)
            return body[heading.start() : end].strip()
    return None
