"""``specwright decisions``: list and filter records; ``show`` points to the governing text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import openai
import pytest

from specwright import example_spec_path, read_spec
from specwright._cli import main
from specwright._cli.decisions import parse_since
from tests.serve.conftest import CLIENT_KEY, gateway_config, running_gateway
from tests.serve.scripted_upstream import Upstream
from tests.serve.test_decision_records import wait_for
from tests.serve.test_gateway_sdk import CONVERSATION, TOOL_OUTPUT


@pytest.fixture
def recorded(upstream: Upstream, store_url: str) -> list[str]:
    """Two enforced requests (text stored) and one the upstream refuses."""
    with running_gateway(gateway_config(upstream.url, store_url, store_text=True)) as url:
        client = openai.OpenAI(base_url=url, api_key=CLIENT_KEY, max_retries=0)
        ids = []
        for model in ("target", "other", "fault-400"):
            try:
                raw = client.chat.completions.with_raw_response.create(
                    model=model, messages=CONVERSATION
                )
                ids.append(raw.headers["x-specwright-decision-id"])
            except openai.BadRequestError as exc:
                ids.append(exc.response.headers["x-specwright-decision-id"])
    assert len(wait_for(store_url, ids)) == 3
    return ids


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main(["decisions", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_list_and_filters(
    recorded: list[str], store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    everything = _json(capsys, "--db", store_url)
    assert isinstance(everything, list)
    assert [r["id"] for r in everything] == recorded[::-1]  # newest first
    assert [r["id"] for r in _json(capsys, "--db", store_url, "--status", "4xx")] == [recorded[2]]  # type: ignore[union-attr]
    assert [r["id"] for r in _json(capsys, "--db", store_url, "--model", "other")] == [recorded[1]]  # type: ignore[union-attr]
    assert len(_json(capsys, "--db", store_url, "--limit", "2")) == 2  # type: ignore[arg-type]
    assert len(_json(capsys, "--db", store_url, "--since", "1h")) == 3  # type: ignore[arg-type]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert _json(capsys, "--db", store_url, "--since", later) == []
    on = _json(capsys, "--db", store_url, "--section", "confirm_before_booking")
    assert len(on) == 3  # type: ignore[arg-type]
    assert main(["decisions", "--db", store_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and recorded[0] in lines[2] and "enforce" in lines[2]


def test_show_points_to_the_text(
    recorded: list[str], store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = example_spec_path()
    assert (
        main(["decisions", "show", recorded[0][:14], "--db", store_url, "--spec", str(spec)]) == 0
    )
    out = capsys.readouterr().out
    assert f"Decision {recorded[0]}" in out and "(matches --spec)" in out
    assert "tool none no_authority" in out and TOOL_OUTPUT[:40] in out
    assert "Spec text that governed" in out
    body = read_spec(spec).section("confirm_before_booking").body.strip()
    assert body.splitlines()[0] in out
    data = _json(capsys, "show", recorded[0], "--db", store_url, "--spec", str(spec))
    assert isinstance(data, dict) and data["spec_matches"] is True
    governing = {g["id"]: g for g in data["governing_sections"]}
    assert governing["confirm_before_booking"]["authority"] == "root"


def test_show_without_spec(
    recorded: list[str], store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decisions", "show", recorded[1], "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert "pass --spec" in out and "Spec text that governed" not in out


def test_bad_input_is_one_line_exit_2(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        ["decisions", "show", "dec_missing", "--db", store_url],
        ["decisions", "--db", store_url, "--status", "teapot"],
        ["decisions", "--db", store_url, "--since", "yesterday"],
    ]
    for args in cases:
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_parse_since() -> None:
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("2026-01-01") == datetime(2026, 1, 1, tzinfo=UTC)
