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
        (b"\xff\xfe{", ("chat.json: conversation: not UTF-8 text", "byte 0, line 1, column 1")),
        pytest.param(
            b'[{"role": "user",\n "content": "h\xffi"}]',
            ("byte 32, line 2, column 15",),
            id="not-utf8-line-2",
        ),
        pytest.param(
            b"[" * 100_000 + b"]" * 100_000,
            ("chat.json:1:201: conversation: nested deeper than 200 levels",),
            id="deep-nesting",
        ),
        pytest.param(
            b'{"messages": [{"role": "user", "content": "hi", "n": ' + b"9" * 5000 + b"}]}",
            ("chat.json:1:54: conversation: integer of 5000 digits (at most 4300)",),
            id="long-integer",
        ),
        pytest.param(
            b'[{"role": "user", "content": "a \\ud800 b"}]',
            ("chat.json:1:33: messages[0].content: lone surrogate",),
            id="lone-surrogate",
        ),
        pytest.param(
            b'{"messages": [{"role": "user", "content": [{"type": "text", "text": "\\udfff"}]}]}',
            ("messages[0].content[0].text: lone surrogate",),
            id="lone-low-surrogate-in-part",
        ),
        pytest.param(
            b'[{"role": "user", "content": "x", "w": NaN}]',
            ("NaN is not standard JSON",),
            id="nan",
        ),
        ([{"role": "user"}], ("chat.json: messages[0].content: missing required field",)),
        ([{"role": "user", "content": None}], ("messages[0].content: expected content",)),
        (
            [{"role": "user", "content": 5}],
            ("messages[0].content: expected a string or an array of parts, got a number",),
        ),
        ([{"role": "wizard", "content": "hi"}], ("messages[0].role: unknown role 'wizard'",)),
        (
            b'{"messages": [{"role": "user"',
            ("chat.json:1:30: conversation: not JSON (Expecting ',' delimiter)",),
        ),
        ([], ("chat.json: conversation: no messages (read as openai)",)),
        (
            {"messages": [{"role": "user", "content": "x"}], "specwright": {"delegations": [{}]}},
            ("specwright.delegations[0]: invalid delegation: grantor: Field required",),
        ),
        ({"model": "m", "messages": []}, ("no messages",)),
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


def _settings_spec(setting: str) -> bytes:
    text = f"# A {{#a}}\n\n**Example**: e\n\n~~~xml\n<system>\n<settings>\n{setting}\n</settings>\n"
    return (text + "</system>\n<user>\nhi\n</user>\n~~~\n").encode()


def _spec_commands() -> list[list[str]]:
    return [["show"], ["stats"], ["lint"], ["export", "--format", "json"]]


@pytest.mark.parametrize("command", _spec_commands())
@pytest.mark.parametrize(
    ("name", "raw", "needles"),
    [
        ("model_spec.md", b"", ("model_spec.md:1:1: empty file",)),
        ("model_spec.md", b"  \n\n", ("empty file",)),
        ("model_spec.md", b"# A\n\nok\x00\x00", ("model_spec.md:3:3: binary file (NUL byte)",)),
        ("spec.json", b'{"messages": []}', ("spec.json:1:1: not a spec JSON export: messages:",)),
        ("spec.json", b"[1]", ("not a spec JSON export: document: ",)),
        ("spec.json", b'{"title": ', ("spec.json:1:11: not JSON",)),
        ("model_spec.md", b"# A\n\nok \xe2\x82 x\n", ("model_spec.md:3:4: not UTF-8 text",)),
        ("model_spec.md", _settings_spec("n: " + "7" * 4301), ("model_spec.md:8:1: unusable",)),
        ("model_spec.md", _settings_spec("n: 1e999"), ("model_spec.md:8:1: unusable",)),
        ("spec.json", b"[" * 100_000 + b"]" * 100_000, ("spec.json:1:201: nested deeper",)),
        ("spec.json", b'{"version": ' + b"1" * 5000 + b"}", ("spec.json:1:13: integer of 5000",)),
        (
            "spec.json",
            b'{"title": "\\ud800"}',
            (
                "spec.json:1:12: lone surrogate (a \\ud800-\\udfff escape without its pair) "
                "in a string at title",
            ),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else None,
)
def test_bad_spec_file(  # noqa: PLR0917 (pytest parameters)
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    name: str,
    raw: bytes,
    needles: tuple[str, ...],
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    assert_input_error(capsys, [command[0], str(path), *command[1:]], *needles)


def test_bad_spec_for_chain_and_report_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{"sections": 3}', encoding="utf-8")
    chat = _conversation(tmp_path, [{"role": "user", "content": "hi"}])
    for argv in (["check", chat, "--spec", str(spec)], ["compile", chat, "--spec", str(spec)]):
        assert_input_error(capsys, argv, "spec.json:1:1: not a spec JSON export: sections: ")


@pytest.mark.parametrize(
    "command",
    [
        ["show", "--json"],
        ["stats", "--json"],
        ["lint", "--json"],
        ["export", "--format", "markdown"],
    ],
)
def test_spec_json_export_reads_like_the_markdown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main(["export", str(example_spec_path()), "--format", "json"]) == 0
    exported = tmp_path / "spec.json"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")
    outputs = []
    for source in (example_spec_path(), exported):
        assert main([command[0], str(source), *command[1:]]) in (0, 1)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] != ""


_RUN = Path(__file__).resolve().parents[1] / "report" / "golden" / "run_a.json"


@pytest.mark.parametrize(
    ("argv", "target", "reason"),
    [
        (["export", "--format", "json"], "a_file/out.json", "out.json: cannot write (Not a dir"),
        (["export", "--format", "json"], "a_dir.md", "a_dir.md: cannot write (Is a directory)"),
        (["export", "--format", "markdown"], "a_file/out", "a_file/out: cannot write (Not a dir"),
        (["report", str(_RUN)], "a_file/out.html", "a_file: cannot write (not a directory)"),
        (["history"], "a_file/h.md", "a_file: cannot write (not a directory)"),
    ],
)
def test_unwritable_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], target: str, reason: str
) -> None:
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    (tmp_path / "a_dir.md").mkdir()
    if argv[0] == "export":
        argv = ["export", str(example_spec_path()), *argv[1:]]
    if argv[0] == "history":
        argv = [*argv, "--no-index", "--db", f"sqlite:///{tmp_path / 'h.db'}"]
    assert_input_error(capsys, [*argv, "-o", str(tmp_path / target)], reason)


@pytest.mark.parametrize("command", [["report"], ["history", "--no-index", "--add"]])
@pytest.mark.parametrize(
    ("name", "raw", "needle"),
    [
        ("runs.json", b'[{"run_id": "r"}]', "runs.json: not a run result JSON file: [0]."),
        ("notes.md", b"# notes", "notes.md: not an Inspect log (.eval, .json) or a run result"),
        ("garbage.bin", b"\xff\x00", "garbage.bin: not an Inspect log"),
    ],
)
def test_bad_run_file(  # noqa: PLR0917 (pytest parameters)
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    name: str,
    raw: bytes,
    needle: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    db = ["--db", f"sqlite:///{tmp_path / 'h.db'}"] if command[0] == "history" else []
    assert_input_error(capsys, [*command, str(path), *db], needle)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_lint_rule(capsys: pytest.CaptureFixture[str], option: str) -> None:
    argv = ["lint", str(example_spec_path()), option, "SW1O1"]
    assert_input_error(capsys, argv, "unknown lint rule 'SW1O1' (known: SW101,")


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (["--interpreter", "llm", "--llm-model", "m", "--annotations", "a.json"], "--annotations"),
        (["--llm-model", "m"], "--llm-model and --llm-base-url apply to --interpreter llm"),
        (["--llm-base-url", "http://127.0.0.1:9"], "apply to --interpreter llm"),
        (["--interpreter", "llm"], "--interpreter llm needs --llm-model"),
    ],
)
def test_conflicting_interpreter_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], needle: str
) -> None:
    chat = _conversation(tmp_path, [{"role": "user", "content": "hi"}])
    argv = ["check", chat, "--spec", str(example_spec_path()), *options]
    assert_input_error(capsys, argv, needle)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["export", "x.md"], "specwright: error: Missing option '--format'. Choose from:"),
        (
            ["show"],
            "specwright: error: no spec given: pass --spec SPEC or set SPECWRIGHT_SPEC",
        ),
        (["compile", "c.json", "--budget", "-1"], "Invalid value for '--budget'"),
        (["report", "--format", "pdf"], "'pdf' is not one of 'html', 'markdown', 'json'"),
        (["nope"], "specwright: error: No such command 'nope'. (try 'specwright --help')"),
        (["shwo"], "specwright: error: No such command 'shwo'; did you mean 'show'?"),
        (["lint", "a.md", "--spec", "b.md"], "two specs given: a.md and --spec b.md"),
    ],
)
def test_usage_errors_are_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    needle: str,
) -> None:
    monkeypatch.delenv("SPECWRIGHT_SPEC", raising=False)
    assert_input_error(capsys, argv, needle)


def test_fail_on_regression_needs_a_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["report", str(_RUN), "--fail-on-regression"]
    assert_input_error(capsys, argv, "--fail-on-regression needs --baseline")


def test_unknown_section_suggests_close_ids(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["show", str(example_spec_path()), "--section", "booking"]
    assert_input_error(capsys, argv, "no section with id 'booking'", "did you mean 'bookings'")


def test_malformed_setting_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECWRIGHT_COLOR", "maybe")
    argv = ["stats", str(example_spec_path())]
    assert_input_error(capsys, argv, "SPECWRIGHT_COLOR: Input should be a valid boolean")


def test_a_missing_file_reads_the_same_whatever_it_should_hold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One wording per error kind, and file:line:col only where there is a position.
    spec, chat = str(tmp_path / "no-such-spec"), str(tmp_path / "no-such-chat.json")
    assert_input_error(capsys, ["lint", spec], f"specwright: error: {spec}: no such file")
    real_spec = str(example_spec_path())
    assert_input_error(
        capsys, ["check", chat, "--spec", real_spec], f"specwright: error: {chat}: no such file"
    )
