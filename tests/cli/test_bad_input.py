"""Bad input as a user hits it: exit 2, one line on stderr naming where, nothing on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specwright._cli import main
from specwright._reader import example_spec_path


def assert_input_error(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> None:
    """``argv`` exits 2 with one stderr line holding every needle, and prints nothing else."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), (code, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)


def _conversation(tmp_path: Path, raw: bytes | object) -> str:
    path = tmp_path / "chat.json"
    if isinstance(raw, bytes):
        path.write_bytes(raw)
    else:
        path.write_text(json.dumps(raw), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", ["check", "compile"])
@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        (b"\xff\xfe{", ("chat.json: conversation: not UTF-8 text", "byte 0")),
        ([{"role": "user"}], ("chat.json: messages[0].content: missing required field",)),
        ([{"role": "user", "content": None}], ("messages[0].content: expected content",)),
        (
            [{"role": "user", "content": 5}],
            ("messages[0].content: expected a string or an array of parts, got a number",),
        ),
        ([{"role": "wizard", "content": "hi"}], ("messages[0].role: unknown role 'wizard'",)),
        (b'{"messages": [{"role": "user"', ("chat.json: conversation: not JSON (line 1",)),
    ],
)
def test_bad_conversation(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    raw: bytes | object,
    needles: tuple[str, ...],
) -> None:
    argv = [command, _conversation(tmp_path, raw), "--spec", str(example_spec_path())]
    assert_input_error(capsys, argv, *needles)
