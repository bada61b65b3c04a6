"""What a span is, structurally (a leaf module: the splitters and the rules both need it)."""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["SpanKind"]

SpanKind: TypeAlias = Literal[
    "text",
    "untrusted",
    "untrusted_block",
    "block_quote",
    "fenced_code",
    "quotation",
    "yaml",
    "json",
    "xml",
    "attachment",
    "quoted",
    "retrieved",
    "assistant",
    "tool_output",
    "tool_call",
]
"""What a span is, structurally; everything but ``text`` carries no authority of its own."""
