"""``specwright serve`` as a process: options, a request through it, and a graceful stop."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import openai
import pytest

from specwright import example_spec_path
from specwright._cli import main
from specwright._serve._decision_store import DecisionFilter, DecisionStore
from tests.serve.conftest import CLIENT_KEY, UPSTREAM_KEY
from tests.serve.process import ROOT, serving, stop
from tests.serve.scripted_upstream import Upstream


def _keys_file(tmp_path: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "specwright", "serve", "--hash-key", "alpha"],
        input=CLIENT_KEY + "\n",
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
        check=True,
    )
    entry = json.loads(proc.stdout)
    assert entry["name"] == "alpha" and CLIENT_KEY not in proc.stdout
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [entry]}), encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_process_answers_and_flushes_on_stop(
    tmp_path: Path, upstream: Upstream, store_url: str, sig: int
) -> None:
    log = tmp_path / "serve.log"
    args = ["--spec", str(example_spec_path()), "--upstream", upstream.url,
            "--keys", str(_keys_file(tmp_path)), "--db", store_url]  # fmt: skip
    env = {"SPECWRIGHT_UPSTREAM_API_KEY": UPSTREAM_KEY}
    with serving(args, env, log) as (port, proc):
        client = openai.OpenAI(
            base_url=f"http://127.0.0.1:{port}/v1", api_key=CLIENT_KEY, max_retries=0
        )
        ids = []
        for n in range(20):
            raw = client.chat.completions.with_raw_response.create(
                model="target", messages=[{"role": "user", "content": f"hello {n}"}]
            )
            ids.append(raw.headers["x-specwright-decision-id"])
        assert stop(proc, sig) == 0
    store = DecisionStore(store_url)
    records = store.find(DecisionFilter())
    assert sorted(r.id for r in records) == sorted(ids)
    text = log.read_text() + Path(store_url.removeprefix("sqlite:///")).read_bytes().decode(
        "latin-1"
    )
    assert CLIENT_KEY not in text and UPSTREAM_KEY not in text


def test_serve_refuses_no_auth_off_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["serve", "--spec", str(example_spec_path()), "--upstream", "http://127.0.0.1:9/v1"]
    assert main([*args, "--no-auth", "--host", "0.0.0.0"]) == 2
    assert "loopback" in capsys.readouterr().err
    assert main(args) == 2
    assert "--keys" in capsys.readouterr().err


def test_serve_bad_keys_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": [{"name": "a", "sha256": "nothex"}]}', encoding="utf-8")
    args = ["serve", "--spec", str(example_spec_path()), "--upstream", "http://127.0.0.1:9/v1"]
    assert main([*args, "--keys", str(keys)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "keys.0.sha256" in err


def test_two_workers_share_one_store(tmp_path: Path, upstream: Upstream, store_url: str) -> None:
    log = tmp_path / "serve.log"
    args = ["--spec", str(example_spec_path()), "--upstream", upstream.url, "--no-auth",
            "--db", store_url, "--workers", "2", "--mode", "observe"]  # fmt: skip
    with serving(args, {}, log) as (port, proc):
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0)
        ids = [
            client.chat.completions.with_raw_response.create(
                model="target", messages=[{"role": "user", "content": f"hi {n}"}]
            ).headers["x-specwright-decision-id"]
            for n in range(30)
        ]
        assert stop(proc) == 0
    records = DecisionStore(store_url).find(DecisionFilter())
    assert sorted(r.id for r in records) == sorted(ids)
    assert {r.mode for r in records} == {"observe"} and {r.client for r in records} == {None}
