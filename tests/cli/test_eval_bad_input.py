"""``specwright eval`` and ``calibrate`` on bad input: one stderr line, no traceback, no hang."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from specwright._reader import example_spec_path
from tests.cli.test_bad_input import assert_input_error

SPEC = str(example_spec_path())


@pytest.fixture(autouse=True)
def _no_ambient_models(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SPECWRIGHT_MODEL", "SPECWRIGHT_GRADER", "SPECWRIGHT_SPEC", "INSPECT_LOG_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPECWRIGHT_LOG_DIR", str(tmp_path / "logs"))


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _calibrate(grader: str, *extra: str) -> list[str]:
    return ["calibrate", "--spec", SPEC, "--grader", grader, *extra]


def test_calibrate_unknown_provider(capsys: pytest.CaptureFixture[str]) -> None:
    assert_input_error(capsys, _calibrate("nosuch/model"), "model 'nosuch/model'", "not recognized")


def test_calibrate_openai_api_without_key(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOCAL_API_KEY", raising=False)
    monkeypatch.setenv("LOCAL_BASE_URL", "http://127.0.0.1:1/v1")
    assert_input_error(capsys, _calibrate("openai-api/local/judge"), "No LOCAL_API_KEY defined")
    _, err = capsys.readouterr()
    assert "[bold]" not in err


def _closed_server(monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    monkeypatch.setenv("LOCAL_BASE_URL", url)
    monkeypatch.setenv("LOCAL_API_KEY", "test-key")
    return url


def test_calibrate_refused_connection_fails_fast(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _closed_server(monkeypatch)
    started = time.monotonic()
    assert_input_error(capsys, _calibrate("openai-api/local/judge"), f"cannot connect to {url}")
    assert time.monotonic() - started < 10


def test_eval_refused_connection_fails_fast(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = _closed_server(monkeypatch)
    argv = ["eval", "--spec", SPEC, "--model", "openai-api/local/m", "--grader", "mockllm/model"]
    started = time.monotonic()
    from specwright._cli import main

    code = main([*argv, "--display", "none"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), err
    assert f"cannot connect to {url}" in err.splitlines()[-1] and "Traceback" not in err
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("bound", ["2", "-1.5", "nan", "high"])
def test_calibrate_min_kappa_out_of_range(capsys: pytest.CaptureFixture[str], bound: str) -> None:
    argv = _calibrate("nosuch/model", "--min-kappa", bound)
    assert_input_error(capsys, argv, "specwright: error:", "'--min-kappa'")


def _eval(*extra: str) -> list[str]:
    return ["eval", "--spec", SPEC, "--model", "mockllm/model", "--display", "none", *extra]


@pytest.mark.parametrize(
    ("extra", "needles"),
    [
        (("--sections", "bookings,nosuch"), ("--sections: the spec has no section 'nosuch'",)),
        (("--grader", "nosuch/judge"), ("model 'nosuch/judge'", "not recognized")),
        (("--limit", "0"), ("'--limit': 0 is not in the range x>=1",)),
        (("--epochs", "0"), ("'--epochs': 0 is not in the range x>=1",)),
    ],
)
def test_eval_input_error_is_one_line_without_warnings(
    capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    # No --grader and no calibration would warn; an input error must still be the only line.
    assert_input_error(capsys, _eval(*extra), *needles)


def test_eval_missing_spec_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    argv = ["eval", "--spec", str(tmp_path / "nope.md"), "--model", "mockllm/model"]
    assert_input_error(capsys, argv, "nope.md: no such file")


@pytest.mark.parametrize(
    ("name", "text", "needles"),
    [
        ("s.yaml", "- id: a\n  section: bookings\n  messages: [\n", ("s.yaml:4:", "invalid YAML")),
        ("s.yaml", "id: a\n", ("s.yaml", "a YAML scenario file holds a list")),
        (
            "s.yaml",
            "- id: a\n  section: bookings\n  messages: [{role: user, content: hi}]\n"
            "- id: b\n  section: bookings\n  messages: [{role: wizard, content: hi}]\n",
            ("s.yaml:4:", "messages.0.role: Input should be"),
        ),
        (
            "s.jsonl",
            '{"id": "a", "section": "bookings", "messages": [{"role": "user", "content": "x"}]}\n'
            '{"id": \n',
            ("s.jsonl:2:", "invalid JSON"),
        ),
        ("s.jsonl", '{"id": "a", "messages": []}\n', ("s.jsonl:1:", "section: Field required")),
        (
            "s.jsonl",
            '{"id": "a", "section": "nosuch", "messages": [{"role": "user", "content": "x"}]}\n',
            ("s.jsonl:1:", "the spec has no section 'nosuch'"),
        ),
        ("s.txt", "x", ("scenario files end in .yaml, .yml or .jsonl",)),
    ],
)
def test_eval_bad_scenario_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    text: str,
    needles: tuple[str, ...],
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert_input_error(capsys, _eval("--scenarios", str(path)), *needles)


@pytest.mark.parametrize("command", ["eval", "calibrate"])
def test_unwritable_log_dir(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    where = ["--log-dir", str(blocker / "logs")]
    argv = _eval(*where) if command == "eval" else _calibrate("mockllm/model", *where)
    assert_input_error(capsys, argv, f"--log-dir {blocker / 'logs'}: cannot write there")


def test_eval_repeated_scenario_id_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    record = '{"id": "dup", "section": "bookings", "messages": [{"role": "user", "content": "x"}]}'
    path = tmp_path / "s.jsonl"
    path.write_text(f"{record}\n{record}\n", encoding="utf-8")
    assert_input_error(capsys, _eval("--scenarios", str(path)), "unique; repeated: dup")


def test_model_errors_name_the_model_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "--spec", SPEC, "--model", "openai-api/local", "--grader", "mockllm/model"]
    assert_input_error(capsys, argv, "model 'openai-api/local': ", "service prefix")


def test_calibrate_without_labelled_answers_saves_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = _calibrate("mockllm/model", "--sections", "reading_guide")
    assert_input_error(capsys, argv, "nothing to calibrate: the chosen sections have")
    assert not (tmp_path / "logs" / "calibrations").exists()


def test_eval_without_scenarios_in_the_chosen_sections(capsys: pytest.CaptureFixture[str]) -> None:
    argv = _eval("--sections", "reading_guide")
    assert_input_error(capsys, argv, "no scenarios to run: the spec (or the chosen --sections)")


def test_run_error_line_drops_rich_markup() -> None:
    from specwright._cli.eval import _error_line

    assert _error_line("[bold]pip install vllm[/bold]") == "pip install vllm"
    assert _error_line("X('\\nRequest:\\n{\\n}\\n\\nBadRequest(\\'400 - nope\\')')") == (
        "BadRequest(\\'400 - nope\\')')"
    )
