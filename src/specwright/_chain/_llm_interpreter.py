"""An interpreter that asks a language model, through the one door (:mod:`specwright._llm`).

Answers are strict JSON validated with pydantic, asked for with their JSON Schema (each answer
an enum of the question's vocabulary) in the model's profile form. A malformed, partial or
refused answer makes the affected items ``"undetermined"``; so does a failure that outlasts
the door's retry policy (retries of failures that cost nothing upstream; never a refusal, and
not a timeout, which may still be running on the server). Every call is kept in
:attr:`LLMInterpreter.calls` for inspection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ConfigDict, ValidationError

from specwright._chain._answers import Capability, Grant, Override, SpanClass
from specwright._chain._candidates import Candidate
from specwright._chain._conversation import Conversation
from specwright._chain._interpreter import LLM_OPTIONS, InterpreterOption
from specwright._chain._llm_prompts import QUESTIONS, system_prompt, user_prompt
from specwright._errors import ConfigurationError
from specwright._frozen import FrozenModel
from specwright._llm import Endpoint, RetryPolicy, profile_named

if TYPE_CHECKING:
    import openai

    from specwright._llm import ChatClient

__all__ = ["InterpreterCall", "LLMInterpreter", "answers_schema"]


class _Answer(FrozenModel):
    # Strict: a reply whose index is "1" rather than 1 is malformed, not coerced.
    model_config = ConfigDict(strict=True)

    index: int
    """The item's number in the question."""
    answer: str
    """The model's answer, checked against the vocabulary afterwards."""


class _Answers(FrozenModel):
    model_config = ConfigDict(strict=True)  # as _Answer

    answers: list[_Answer]
    """One answer per item."""


@dataclass
class InterpreterCall:
    """One request to the model and what came of it."""

    question: str
    """``classify``, ``relate``, ``delegates`` or ``capability``."""
    messages: list[dict[str, str]]
    """The messages sent."""
    raw: str | None
    """The model's reply text (``None`` when there was none)."""
    error: str | None
    """Why the answers are undetermined, if they are."""
    partial: bool = False
    """True when the reply parsed and only some answers were invalid or missing."""


class LLMInterpreter:
    """Asks a model through the official ``openai`` SDK (any compatible ``base_url``).

    Registered as ``llm``. ``client`` injects a ready ``openai.OpenAI`` client (tests pass one
    over an in-process transport); without it one is built from ``base_url``, ``api_key`` and
    ``timeout`` with the SDK's retries off; :meth:`through` takes any
    :class:`specwright._llm.ChatClient` instead (a :class:`specwright._llm.ScriptedModel`).
    ``temperature`` and ``seed`` are sent explicitly; ``retries`` bounds the door's retries;
    ``profile`` names what the server accepts (``openai``, ``llama-cpp`` …); ``section_chars``
    cuts each spec section's text in prompts (``None``: whole sections), marking cut items as
    truncated.
    """

    name = "llm"
    options: ClassVar[tuple[InterpreterOption, ...]] = LLM_OPTIONS

    def __init__(
        self,
        model: str,
        *,
        client: openai.OpenAI | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        temperature: float = 0.0,
        seed: int | None = 0,
        retries: int = 2,
        backoff: float = 0.5,
        timeout: float = 60.0,
        json_mode: bool = True,
        section_chars: int | None = 1200,
        profile: str | None = None,
    ) -> None:
        if client is not None and (base_url is not None or api_key is not None):
            raise ConfigurationError(
                "LLM interpreter: pass client= or base_url=/api_key=, not both"
            )
        self.model = model
        self.base_url = base_url
        self.api_key = api_key
        self.temperature = temperature
        self.seed = seed
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.json_mode = json_mode
        # Every relate() call lists the spec's sections: cutting each keeps prompts bounded.
        self.section_chars = section_chars
        self.profile = profile_named(profile, setting="LLMInterpreter profile=")
        self.calls: list[InterpreterCall] = []
        self._client = client
        self._door: ChatClient | None = None

    @classmethod
    def through(cls, door: ChatClient, **options: Any) -> LLMInterpreter:
        """An interpreter that asks ``door`` (no SDK client of its own); ``options`` as for
        the constructor (``door.name`` is the model)."""
        interpreter = cls(door.name, **options)
        interpreter._door = door
        return interpreter

    @classmethod
    def from_options(cls, values: Mapping[str, str]) -> LLMInterpreter:
        """Built from ``--llm-model`` and ``--llm-base-url``."""
        return cls(values["model"], base_url=values.get("base_url"))

    # ------------------------------------------------------------------ the protocol

    def classify(self, spans: Sequence[Candidate], conversation: Conversation) -> list[SpanClass]:
        """Ask whether each span is an instruction."""
        return self._ask("classify", spans, None)  # type: ignore[return-value]

    def relate(
        self, subject: Candidate, others: Sequence[Candidate], conversation: Conversation
    ) -> list[Override]:
        """Ask whether ``subject`` overrides each of ``others``."""
        return self._ask("relate", others, ("subject", subject))  # type: ignore[return-value]

    def delegates(
        self, grantor: Candidate, targets: Sequence[Candidate], conversation: Conversation
    ) -> list[Grant]:
        """Ask whether ``grantor`` delegates authority to each target."""
        return self._ask("delegates", targets, ("grantor", grantor))  # type: ignore[return-value]

    def capability(
        self, candidates: Sequence[Candidate], conversation: Conversation
    ) -> list[Capability]:
        """Ask whether each instruction is within the assistant's capabilities."""
        return self._ask("capability", candidates, None)  # type: ignore[return-value]

    def call_summary(self) -> tuple[int, int]:
        """``(failed, total)`` calls so far: a failed call's answers are all undetermined
        (no reply, an unparseable or refused one); partly invalid replies are not counted."""
        failed = sum(1 for c in self.calls if c.error is not None and not c.partial)
        return failed, len(self.calls)

    # ------------------------------------------------------------------ plumbing

    def _ask(
        self, question: str, items: Sequence[Candidate], anchor: tuple[str, Candidate] | None
    ) -> list[str]:
        if not items:
            return []
        messages = [
            {"role": "system", "content": system_prompt(question)},
            {"role": "user", "content": user_prompt(items, anchor, self.section_chars)},
        ]
        raw, error = self._complete(messages, question, len(items))
        answers, parse_error = parse_answers(raw, len(items), QUESTIONS[question][1])
        partial = error is None and any(a != "undetermined" for a in answers)
        self.calls.append(
            InterpreterCall(
                question, messages, raw, error or parse_error, partial and bool(parse_error)
            )
        )
        return answers

    def _complete(
        self, messages: list[dict[str, str]], question: str, items: int
    ) -> tuple[str | None, str | None]:
        from specwright._llm import ChatRequest  # the door's module loads asyncio

        request = ChatRequest(
            messages=tuple(messages), temperature=self.temperature, seed=self.seed,
            max_tokens=64 + 40 * items,  # bounded: an answer per item is a short JSON object
            output_schema=answers_schema(QUESTIONS[question][1]) if self.json_mode else None,
            schema_name="answers",
        )  # fmt: skip
        reply = self._get_door().complete_sync(request)
        if reply.failure == "auth":
            raise ConfigurationError(f"LLM interpreter: authentication failed ({reply.error})")
        if reply.error is not None:
            gave_up = "gave up after " if reply.attempts > 1 else ""
            return None, f"{gave_up}{reply.error}"
        if reply.refused:
            return None, f"refused: {reply.refusal or 'content filter'}"
        return reply.text, None

    def _get_door(self) -> ChatClient:
        if self._door is None:
            endpoint = Endpoint(name=self.model, model=self.model, base_url=self.base_url,
                                api_key=self.api_key)  # fmt: skip
            from specwright._llm import open_client  # the SDK client: asyncio, ssl, httpx

            # A scripted/<name> model (installed in this process) needs no SDK client.
            scripted = self.model.startswith("scripted/") and self.base_url is None
            self._door = open_client(
                endpoint, profile=self.profile, timeout=self.timeout,
                policy=RetryPolicy(attempts=self.retries + 1, backoff=self.backoff),
                sync_client=None if scripted else self._client or self._sdk_client(),
                flags={"profile": "the interpreter's profile="},
            )  # fmt: skip
        return self._door

    def _sdk_client(self) -> openai.OpenAI:
        try:
            import openai
        except ImportError:  # pragma: no cover - openai is in the eval extra
            raise ConfigurationError(
                "the LLM interpreter needs the openai package: pip install 'specwright[eval]'"
            ) from None
        try:
            # api_key None lets the SDK read OPENAI_API_KEY itself, as Inspect does.
            return openai.OpenAI(
                base_url=self.base_url, api_key=self.api_key, max_retries=0, timeout=self.timeout
            )
        except openai.OpenAIError as exc:
            raise ConfigurationError(f"LLM interpreter: {exc}") from exc


def answers_schema(vocabulary: tuple[str, ...]) -> dict[str, Any]:
    """The JSON Schema of a reply: one ``{"index", "answer"}`` per item, answers from
    ``vocabulary``."""
    answer = {
        "type": "object",
        "properties": {"index": {"type": "integer"}, "answer": {"enum": list(vocabulary)}},
        "required": ["index", "answer"],
    }
    return {
        "type": "object",
        "properties": {"answers": {"type": "array", "items": answer}},
        "required": ["answers"],
    }


def parse_answers(
    raw: str | None, expected: int, vocabulary: tuple[str, ...]
) -> tuple[list[str], str | None]:
    """Validate a reply: one in-vocabulary answer per index, else ``"undetermined"``.

    Returns the answers and, when anything was wrong, why.
    """
    undetermined = ["undetermined"] * expected
    if raw is None:
        return undetermined, None
    try:
        parsed = _Answers.model_validate_json(_strip_fence(raw))
    except ValidationError as exc:
        return undetermined, f"malformed answer: {exc.error_count()} validation error(s)"
    answers = list(undetermined)
    seen: set[int] = set()
    problems = 0
    for entry in parsed.answers:
        if not 0 <= entry.index < expected or entry.index in seen or entry.answer not in vocabulary:
            problems += 1
            continue
        seen.add(entry.index)
        answers[entry.index] = entry.answer
    missing = expected - len(seen)
    note = f"{problems} invalid and {missing} missing answer(s)" if problems or missing else None
    return answers, note


def _strip_fence(raw: str) -> str:
    # Some models wrap JSON in a ```json fence even in JSON mode; nothing else is tolerated.
    text = raw.strip()
    if text.startswith("```") and text.endswith("```"):
        text = text[3:-3]
        if text.startswith("json"):
            text = text[4:]
    return text
