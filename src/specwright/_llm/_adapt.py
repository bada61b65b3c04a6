"""Adapting a Chat Completions request to what its server accepts, and learning from refusals.

:func:`adapt_messages` is pure: it takes OpenAI Chat Completions message dicts and a
:class:`ModelProfile` and returns new messages plus one :class:`Adaptation` per change, so the
eval can record them in the log, the report can show them and the gateway can put them in its
decision record. It never changes what a message says, only its shape:

- a ``developer`` message is folded into the system message under :data:`DEVELOPER_HEADER`,
  so its authority (below the system message, above the user) stays visible to the model;
- a list of text parts is joined into one string (a list holding other parts is left alone);
- ``content: null`` on an assistant message becomes ``""``.

:func:`learn_from_refusal` reads a refusal (the server's own error text) against the request
that drew it and returns the narrower profile that would have avoided it, or ``None`` when the
refusal names nothing a profile can change: then it is reported, never retried blindly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

from specwright._frozen import FrozenModel
from specwright._llm._profiles import PROFILES, ModelProfile
from specwright._llm._structured import structured_fields

__all__ = [
    "DEVELOPER_HEADER",
    "Adaptation",
    "AdaptationKind",
    "Lesson",
    "adapt_body",
    "adapt_messages",
    "already_learned",
    "learn_from_refusal",
]

Message: TypeAlias = dict[str, Any]

AdaptationKind: TypeAlias = Literal[
    "developer_folded", "parts_joined", "null_content", "structured_output"
]
"""What was changed in a request for its server."""

DEVELOPER_HEADER = (
    "## Developer message\n"
    "(Sent by the developer: below the instructions above in authority, above the user's. "
    "Placed here because this server does not accept the developer role.)"
)
"""The header a folded developer message is placed under, in the system message."""


class Adaptation(FrozenModel):
    """One change made to a request so that its server accepts it."""

    kind: AdaptationKind
    """What was changed."""
    index: int
    """The message it concerns, 0-based in the request as given (-1: the request itself)."""
    detail: str
    """One line saying what was done."""
    profile: str
    """The profile that asked for it."""
    model: str = ""
    """The model whose request it was (filled in by the eval's provider)."""


class Lesson(FrozenModel):
    """What a refusal taught: the profile field to narrow and why."""

    field: str
    """The :class:`ModelProfile` field narrowed (``developer_role`` …)."""
    profile: ModelProfile
    """The narrowed profile."""
    reason: str
    """One line naming the role or field the server refused."""


def adapt_messages(
    messages: Sequence[Mapping[str, Any]], profile: ModelProfile
) -> tuple[list[Message], list[Adaptation]]:
    """``messages`` reshaped for ``profile`` and the changes made (inputs are not mutated)."""
    adapted: list[Message] = []
    changes: list[Adaptation] = []
    for index, message in enumerate(messages):
        new = dict(message)
        if not profile.content_parts and _text_parts(new.get("content")) is not None:
            new["content"] = "\n".join(_text_parts(new["content"]) or [])
            changes.append(_note("parts_joined", index, "content parts joined into text", profile))
        if not profile.null_content and new.get("role") == "assistant" and _null(new):
            new["content"] = ""
            changes.append(_note("null_content", index, 'content null sent as ""', profile))
        adapted.append(new)
    if not profile.developer_role:
        adapted, folded = _fold_developer(adapted, profile)
        changes += folded
    return adapted, changes


def adapt_body(
    body: Mapping[str, Any], profile: ModelProfile
) -> tuple[dict[str, Any], list[Adaptation]]:
    """A whole Chat Completions request body reshaped for ``profile`` (pure; for the gateway).

    The messages as :func:`adapt_messages` adapts them, and a ``response_format`` of type
    ``json_schema`` re-asked in the profile's structured-output form (dropped under
    ``prompted``).
    """
    raw = body.get("messages")
    readable = isinstance(raw, list) and all(isinstance(m, Mapping) for m in raw)
    # A body that is not a list of message objects is passed on as it came: the server
    # answers it, and nothing here guesses what it meant.
    adapted, changes = adapt_messages(raw if readable else [], profile)  # type: ignore[arg-type]
    new = {**body, "messages": adapted} if changes else dict(body)
    wanted = body.get("response_format")
    if (isinstance(wanted, Mapping) and wanted.get("type") == "json_schema"
            and profile.structured != "json_schema"):  # fmt: skip
        given = wanted.get("json_schema")
        spec: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        del new["response_format"]
        new.update(structured_fields(profile, spec.get("schema") or {}, spec.get("name", "answer")))
        detail = f"response_format json_schema asked in the {profile.structured} form"
        changes.append(_note("structured_output", -1, detail, profile))
    return new, changes


def _null(message: Mapping[str, Any]) -> bool:
    return "content" not in message or message["content"] is None


def _text_parts(content: object) -> list[str] | None:
    """The texts of a list of text parts; ``None`` when ``content`` is not such a list."""
    if not isinstance(content, list):
        return None
    texts = []
    for part in content:
        if not isinstance(part, Mapping) or part.get("type") != "text":
            return None  # an image or audio part cannot become text: leave the list alone
        texts.append(str(part.get("text", "")))
    return texts


def _fold_developer(
    messages: list[Message], profile: ModelProfile
) -> tuple[list[Message], list[Adaptation]]:
    developer = [i for i, m in enumerate(messages) if m.get("role") == "developer"]
    if not developer:
        return messages, []
    system = next((i for i, m in enumerate(messages) if m.get("role") == "system"), None)
    folded = [f"{DEVELOPER_HEADER}\n\n{_as_text(messages[i].get('content'))}" for i in developer]
    folded_away = set(developer)  # a set: a list would make long conversations quadratic
    kept = [m for i, m in enumerate(messages) if i not in folded_away]
    if system is not None and system < developer[0]:
        target = kept[system] = dict(kept[system])
        target["content"] = "\n\n".join([_as_text(target.get("content")), *folded])
        where = f"into the system message {system}"
    else:
        kept.insert(0, {"role": "system", "content": "\n\n".join(folded)})
        where = "into a new system message"
    notes = [_note("developer_folded", i, f"developer message folded {where}", profile)
             for i in developer]  # fmt: skip
    return kept, notes


def _as_text(content: object) -> str:
    if content is None:
        return ""
    parts = _text_parts(content)
    return "\n".join(parts) if parts is not None else str(content)


def _note(kind: AdaptationKind, index: int, detail: str, profile: ModelProfile) -> Adaptation:
    return Adaptation(kind=kind, index=index, detail=detail, profile=profile.name)


def learn_from_refusal(
    profile: ModelProfile, body: Mapping[str, Any], refusal: str
) -> Lesson | None:
    """The narrower profile a refusal of request ``body`` calls for, or ``None``.

    Only a feature the request actually used *and* the refusal's text names is narrowed, so a
    refusal for any other reason is never answered with a changed request.
    """
    text = refusal.lower()
    raw = body.get("messages")
    messages = [m for m in raw if isinstance(m, Mapping)] if isinstance(raw, list) else []
    roles = {m.get("role") for m in messages}
    if profile.developer_role and "developer" in roles and "developer" in text:
        return _lesson(profile, "developer_role", False, "the developer role")
    if _sent_form(body) == profile.structured != "prompted" and _structured_named(body, text):
        form = "json_object_schema" if _offers_json_object(profile, text) else "prompted"
        return _lesson(profile, "structured", form, f"structured output ({profile.structured})")
    has_null = any(m.get("role") == "assistant" and _null(m) for m in messages)
    if profile.null_content and has_null and _names_null(text):
        return _lesson(profile, "null_content", False, "content: null on an assistant message")
    has_parts = any(_text_parts(m.get("content")) is not None for m in messages)
    if profile.content_parts and has_parts and _names_parts(text):
        return _lesson(profile, "content_parts", False, "content given as a list of parts")
    return None


def already_learned(profile: ModelProfile, body: Mapping[str, Any], refusal: str) -> bool:
    """Whether ``body`` was refused for something ``profile`` has already learned to avoid.

    With requests in flight at once, several are refused for the same reason before the
    first refusal is learned; each is then sent once more, adapted, rather than failed.
    """
    lesson = learn_from_refusal(PROFILES["openai"], body, refusal)
    return lesson is not None and lesson.field in profile.learned


def _lesson(profile: ModelProfile, field: str, value: object, what: str) -> Lesson:
    return Lesson(field=field, profile=profile.narrowed(field, value),
                  reason=f"the server refused {what}")  # fmt: skip


_STRUCTURED_FIELDS = ("response_format", "guided_json", "format")


def _structured_named(body: Mapping[str, Any], text: str) -> bool:
    given = body.get("extra_body")
    extra = given if isinstance(given, Mapping) else {}
    used = [f for f in _STRUCTURED_FIELDS if f in body or f in extra]
    return bool(used) and any(
        word in text for word in (*used, "json_schema", "json_object", "schema", "grammar")
    )


def _sent_form(body: Mapping[str, Any]) -> str:
    """The structured-output form ``body`` asked in (``prompted``: none)."""
    given = body.get("extra_body")
    extra = {**body, **given} if isinstance(given, Mapping) else dict(body)
    response_format = extra.get("response_format")
    if not isinstance(response_format, Mapping):
        response_format = {}
    if response_format.get("type") == "json_schema":
        return "json_schema"
    if response_format.get("type") == "json_object" and "schema" in response_format:
        return "json_object_schema"
    return next((f for f in ("guided_json", "format") if f in extra), "prompted")


def _offers_json_object(profile: ModelProfile, text: str) -> bool:
    # llama-cpp-python: "Input should be 'text' or 'json_object'": it offers the other form.
    return profile.structured == "json_schema" and "json_object" in text


def _names_null(text: str) -> bool:
    return any(w in text for w in ("null", "none", "nil", "missing", "required"))


def _names_parts(text: str) -> bool:
    return any(w in text for w in ("list", "array", "concatenate", "str", "string", "part"))
