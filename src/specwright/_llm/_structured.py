"""Asking for JSON that fits a schema, in the form the server's profile names.

:func:`structured_fields` returns the request fields (``response_format``, ``guided_json`` or
``format``) for a JSON Schema; under the ``prompted`` form there are none and the caller's
prompt, which always describes the answer's shape, is all the model gets. Either way the reply
is read by the caller's tolerant parser: a constrained reply is only likelier to parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from specwright._llm._profiles import ModelProfile

__all__ = ["SDK_FIELDS", "structured_fields"]

SDK_FIELDS = frozenset({"response_format"})
"""Request fields the OpenAI SDK takes as arguments; the others travel in ``extra_body``."""


def structured_fields(
    profile: ModelProfile, schema: Mapping[str, Any] | None, name: str = "answer"
) -> dict[str, Any]:
    """The request fields that ask ``profile``'s server for JSON fitting ``schema``."""
    if schema is None:
        return {}
    form = profile.structured
    if form == "json_schema":
        # strict=False: OpenAI's strict mode needs every property required and no extras,
        # which our tolerant schemas (defaults, ignored notes) do not promise.
        spec = {"name": name, "schema": dict(schema), "strict": False}
        return {"response_format": {"type": "json_schema", "json_schema": spec}}
    if form == "json_object_schema":
        return {"response_format": {"type": "json_object", "schema": dict(schema)}}
    if form == "guided_json":
        return {"guided_json": dict(schema)}
    if form == "format":
        return {"format": dict(schema)}
    return {}
