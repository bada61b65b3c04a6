"""Bad generator output is counted per section by reason, never written, never a crash.

What the generator says (bad replies, failed requests) comes from a scripted model
(``scripted/gen``, no HTTP); what only a server can do wrong (a 200 that is not a completion,
a hang, no server, too many connections) from a scripted server on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse

import specwright
from specwright._cli import main
from specwright._llm import ScriptedFailure, ScriptedModel
from specwright._scenarios import read_records
from tests.eval._server import ScriptedServer, scripted_server
from tests.generate._scripted import generator_reply
from tests.generate.conftest import GEN

SERVED = "openai-api/gen/scripted"
SECTIONS = "style"  # style, concise_options, local_currency


def run(out: Path, *extra: str, generator: str = GEN) -> int:
    spec = str(specwright.example_spec_path())
    args = ["generate", "--spec", spec, "--generator", generator, "-o", str(out), "--json"]
    return main([*args, *extra, "--sections", SECTIONS, "--kinds", "direct,multi_turn"])


def served(out: Path, *extra: str) -> int:
    """:func:`run` against the scripted server (``openai-api/gen/scripted``)."""
    return run(out, *extra, generator=SERVED)


@pytest.fixture
def script() -> Any:
    """Install a scripted generator for the test (``script(function)`` returns the model)."""

    def install(function: Any) -> ScriptedModel:
        model = ScriptedModel(function, name=GEN)
        installed.append(model.installed())
        installed[-1].__enter__()
        return model

    installed: list[Any] = []
    yield install
    for manager in installed:
        manager.__exit__(None, None, None)


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch) -> Any:
    def start(responder: Any, **kwargs: Any) -> Any:
        manager = scripted_server(responder, **kwargs)
        server = manager.__enter__()
        monkeypatch.setenv("GEN_BASE_URL", server.base_url)
        monkeypatch.setenv("GEN_API_KEY", "k")
        started.append(manager)
        return server

    started: list[Any] = []
    yield start
    for manager in started:
        manager.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("not_json", "not_json"),
        ("empty", "empty"),
        ("refusal", "refusal"),
        ("wrong_fields", "wrong_fields"),
        ("empty_list", "empty"),
    ],
)
def test_each_kind_of_bad_reply_is_counted_for_its_section(
    script: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str, reason: str
) -> None:
    script(lambda body: generator_reply(body, {"concise_options": fault}))
    out = tmp_path / "d.yaml"
    assert run(out) == 0
    data = json.loads(capsys.readouterr().out)
    bad = data["sections"]["concise_options"]
    assert bad["bad"] == {reason: 2} and bad["written"] == 0  # two kinds, two requests
    assert data["sections"]["style"]["bad"] == {} and data["sections"]["style"]["written"] == 6
    written = [r for _, r in read_records(out)]
    assert written and not any(r.section == "concise_options" for r in written)
    # A reply with text that could not be read is kept beside the output, whole.
    kept_file = tmp_path / "d.yaml.unparsed.jsonl"
    lines = kept_file.read_text().splitlines() if kept_file.exists() else []
    kept = [json.loads(line) for line in lines]
    assert len(kept) == (0 if fault == "empty" else 2), kept
    assert all(k["reason"].startswith(reason) and "concise_options" in k["request"] for k in kept)


def test_replies_are_asked_for_with_their_schema_and_bounded(
    script: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = script(generator_reply)
    assert run(tmp_path / "d.yaml", "--max-tokens", "700") == 0
    capsys.readouterr()
    assert len(model.bodies) == 6
    for body in model.bodies:
        assert body["max_tokens"] == 700
        schema = body["response_format"]["json_schema"]["schema"]
        assert schema["required"] == ["scenarios"] and "$defs" in schema


def test_one_malformed_item_costs_only_itself(
    script: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def partly_wrong(body: dict[str, Any]) -> str:
        data = json.loads(generator_reply(body))
        data["scenarios"][0] = {"messages": [{"role": "user", "content": ""}]}  # empty content
        data["scenarios"][1]["messages"][-1]["role"] = "assistant"  # ends on the wrong turn
        return json.dumps(data)

    script(partly_wrong)
    out = tmp_path / "d.jsonl"
    assert run(out) == 0
    data = json.loads(capsys.readouterr().out)
    for report in data["sections"].values():
        assert report["bad"] == {"wrong_fields": 4} and report["written"] == 2


def test_server_errors_are_counted_and_retried_a_bounded_number_of_times(
    script: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overloaded = ScriptedFailure.http(500, '{"error": {"message": "overloaded"}}')

    def failing(body: dict[str, Any]) -> str | ScriptedFailure:
        if "SECTION ID: concise_options" in body["messages"][-1]["content"]:
            return overloaded
        return generator_reply(body)

    model = script(failing)
    out = tmp_path / "d.yaml"
    assert run(out, "--max-retries", "1") == 1  # failed requests: exit 1, the rest written
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["sections"]["concise_options"]["bad"] == {"request_failed": 2}
    assert data["sections"]["local_currency"]["written"] == 6
    assert "Traceback" not in captured.err and "overloaded" in captured.err
    assert len(model.bodies) == 2 * 2 + 2 * 2  # the failing two were retried once each
    assert {r.section for _, r in read_records(out)} == {"style", "local_currency"}


_BODIES: list[Any] = [
    {"id": "x", "object": "chat.completion", "choices": []},
    {"id": "x", "object": "chat.completion", "choices": ["not a choice"]},
    {"id": "x", "object": "chat.completion", "choices": [{"message": None}]},
    "a plain string",
]


def _malformed(body: Any) -> type[ScriptedServer]:
    class Malformed(ScriptedServer):
        async def completions(self, request: Request) -> JSONResponse:
            await request.body()
            return JSONResponse(body)

    return Malformed


@pytest.mark.parametrize(
    "body", _BODIES, ids=["no choices", "string choice", "null message", "string"]
)
def test_a_200_reply_that_is_not_a_completion_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], body: Any
) -> None:
    import tests.eval._server as server_module

    monkeypatch.setattr(server_module, "ScriptedServer", _malformed(body))
    with scripted_server(generator_reply) as server:
        monkeypatch.setenv("GEN_BASE_URL", server.base_url)
        monkeypatch.setenv("GEN_API_KEY", "k")
        assert served(tmp_path / "d.yaml") == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert all(r["bad"] == {"request_failed": 2} for r in data["sections"].values())
    assert data["written"] == 0 and "Traceback" not in captured.err


def test_a_hanging_generator_times_out_per_request(
    serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(generator_reply, latency=2.0)
    assert served(tmp_path / "d.yaml", "--timeout", "0.3", "--max-retries", "0") == 1
    data = json.loads(capsys.readouterr().out)
    assert all(r["bad"] == {"request_failed": 2} for r in data["sections"].values())


def test_no_server_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("GEN_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("GEN_API_KEY", "k")
    assert served(tmp_path / "d.yaml") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect" in err
    monkeypatch.delenv("GEN_API_KEY")
    assert served(tmp_path / "d.yaml") == 2
    assert "set GEN_API_KEY" in capsys.readouterr().err
    assert not (tmp_path / "d.yaml").exists()


class _Counting(ScriptedServer):
    """Records the most requests it ever had in flight at once."""

    in_flight = 0
    peak = 0

    async def completions(self, request: Request) -> JSONResponse:
        with self._lock:
            _Counting.in_flight += 1
            _Counting.peak = max(_Counting.peak, _Counting.in_flight)
        try:
            return await super().completions(request)
        finally:
            with self._lock:
                _Counting.in_flight -= 1


@pytest.mark.parametrize("limit", [1, 3])
def test_generation_is_concurrent_and_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    import tests.eval._server as server_module

    monkeypatch.setattr(server_module, "ScriptedServer", _Counting)
    _Counting.peak = 0
    with scripted_server(generator_reply, latency=0.3) as server:
        monkeypatch.setenv("GEN_BASE_URL", server.base_url)
        monkeypatch.setenv("GEN_API_KEY", "k")
        assert served(tmp_path / "d.yaml", "--max-concurrency", str(limit)) == 0
    assert len(server.requests) == 6 and _Counting.peak == limit
