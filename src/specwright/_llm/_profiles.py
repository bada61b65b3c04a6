"""What a model server accepts: one :class:`ModelProfile` per provider, consulted in one place.

Servers that speak OpenAI's Chat Completions differ in what they refuse: llama-cpp-python's
server answers HTTP 500 to a ``developer`` message, to content given as a list of parts and to
an assistant tool call whose ``content`` is ``null``, and it refuses ``response_format`` type
``json_schema`` while accepting type ``json_object`` with a ``schema`` key. A profile says what
a server accepts, so a request is adapted before it is sent (:mod:`._adapt`) and asks for
structured output in the server's own form (:mod:`._structured`) instead of an ``if`` ladder at
each call site.

A profile is chosen by name (``--profile`` / ``SPECWRIGHT_MODEL_PROFILE``; :data:`PROFILES`),
and is otherwise ``openai``: the first refusal that names a role, a shape or the structured
output form teaches the run a narrower profile (:func:`specwright._llm.learn_from_refusal`).
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field

from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel

__all__ = [
    "DEFAULT_PROFILE",
    "PROFILES",
    "ModelProfile",
    "StructuredForm",
    "profile_named",
]

StructuredForm: TypeAlias = Literal[
    "json_schema", "json_object_schema", "guided_json", "format", "prompted"
]
"""How a server is asked for JSON that fits a schema.

- ``json_schema``: OpenAI's ``response_format: {type: json_schema, json_schema: {...}}``.
- ``json_object_schema``: ``response_format: {type: json_object, schema: ...}``
  (llama-cpp-python's server, which turns the schema into a grammar and refuses ``json_schema``).
- ``guided_json``: vLLM's ``guided_json: <schema>`` request field.
- ``format``: Ollama's ``format: <schema>`` request field.
- ``prompted``: nothing on the wire; the schema is only described in the prompt, and the reply
  is read by the caller's tolerant parser.
"""


class ModelProfile(FrozenModel):
    """What one provider (or one model on it) accepts, and how hard it may be pushed."""

    name: str
    """The profile's name (``openai``, ``llama-cpp``, ``vllm``, ``ollama``, ``generic``)."""
    developer_role: bool = True
    """Whether a ``developer`` message is accepted (else it is folded into the system message)."""
    content_parts: bool = True
    """Whether ``content`` may be a list of parts (else text parts are joined into one string)."""
    null_content: bool = True
    """Whether an assistant tool call may carry ``content: null`` (else ``""`` is sent)."""
    structured: StructuredForm = "json_schema"
    """The structured-output form the server understands."""
    max_connections: int = Field(default=16, ge=1)
    """Requests in flight at once that the server serves without queueing them into timeouts."""
    timeout: float = Field(default=120.0, gt=0)
    """Seconds one request may take (a CPU server reads long prompts slowly)."""
    learned: tuple[str, ...] = ()
    """What refusals taught this run (``developer_role`` …), in the order learned."""

    def narrowed(self, field: str, value: object) -> ModelProfile:
        """This profile with ``field`` set to ``value`` and the lesson recorded."""
        return self.model_copy(update={field: value, "learned": (*self.learned, field)})


PROFILES: dict[str, ModelProfile] = {
    "openai": ModelProfile(name="openai"),
    "llama-cpp": ModelProfile(
        name="llama-cpp",
        developer_role=False,
        content_parts=False,
        null_content=False,
        structured="json_object_schema",
        max_connections=1,  # one slot: further requests wait in its queue
        timeout=600.0,
    ),
    "vllm": ModelProfile(
        name="vllm",
        developer_role=False,  # the model's chat template decides; most open templates lack it
        structured="guided_json",
        max_connections=8,
        timeout=300.0,
    ),
    "ollama": ModelProfile(
        name="ollama",
        developer_role=False,
        null_content=False,
        structured="format",
        max_connections=1,  # OLLAMA_NUM_PARALLEL is 1 on a small machine
        timeout=600.0,
    ),
    "generic": ModelProfile(
        name="generic",
        developer_role=False,
        content_parts=False,
        null_content=False,
        structured="prompted",
        max_connections=4,
        timeout=300.0,
    ),
}
"""The built-in profiles by name."""

DEFAULT_PROFILE = PROFILES["openai"]
"""The profile of a model nobody declared: OpenAI's, narrowed by what refusals teach."""


def profile_named(name: str | None, *, setting: str = "--profile") -> ModelProfile:
    """The built-in profile ``name`` (``None``: the default); an unknown name names ``setting``."""
    if name is None or name == "":
        return DEFAULT_PROFILE
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ConfigurationError(f"{setting} {name!r}: unknown profile (known: {known})") from None
