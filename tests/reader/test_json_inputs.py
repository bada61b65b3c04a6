"""JSON inputs (spec exports, conversations) through the one safe decoder: typed errors only."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from specwright import ConversationError, SpecError, read_spec
from specwright._chain._formats import read_conversation
from specwright._jsonio import MAX_DEPTH, JsonInputError, load_json

_HOSTILE = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep-objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "deep-but-decodable": "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5),
    "long-integer": '{"n": ' + "1" * 5000 + "}",
    "long-negative-integer": '{"n": -' + "1" * 5000 + "}",
    "lone-high-surrogate": '{"title": "a \\ud800 b"}',
    "lone-low-surrogate": '{"title": "\\udc00"}',
    "surrogate-in-key": '{"\\ud800": 1}',
    "nan": '{"n": NaN}',
    "infinity": '{"n": -Infinity}',
    "truncated": '{"title": "a',
}


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_hostile_json_raises_json_input_error(name: str) -> None:
    with pytest.raises(JsonInputError) as raised:
        load_json(_HOSTILE[name])
    error = raised.value
    assert error.line >= 1 and error.column >= 1
    assert "\n" not in str(error)
    str(error).encode("utf-8")  # printable: never echoes the surrogate itself


def test_errors_point_at_the_culprit() -> None:
    with pytest.raises(JsonInputError) as raised:
        load_json('{\n  "a": [1,\n    "x \\ud800"]\n}')
    assert (raised.value.line, raised.value.column, raised.value.path) == (3, 8, ("a", 1))
    assert str(raised.value).startswith("lone surrogate")
    assert "at a[1] (line 3, column 8)" in str(raised.value)
    with pytest.raises(JsonInputError) as raised:
        load_json('{"n":\n 1' + "0" * 4400 + "}")
    assert (raised.value.line, raised.value.column) == (2, 2)
    with pytest.raises(JsonInputError) as raised:
        load_json("\n" + "[" * 300 + "]" * 300)
    assert (raised.value.line, raised.value.column) == (2, MAX_DEPTH + 1)


def test_what_json_allows_still_loads() -> None:
    text = (
        '{"a": [1, -2.5e3, "\\ud83d\\ude00 \\u00e9", null, true], "b": {"n": ' + "9" * 4300 + "}}"
    )
    value = load_json(text)
    assert value == json.loads(text)
    nested = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json(nested) == json.loads(nested)


def test_paired_surrogate_escapes_are_text() -> None:
    assert load_json('"\\ud83d\\ude00"') == "\U0001f600"


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_spec_export_raises_spec_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / "spec.json"
    path.write_text(_HOSTILE[name], encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        read_spec(path)
    assert raised.value.file == str(path)
    assert raised.value.hint
    str(raised.value).encode("utf-8")


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_conversation_raises_conversation_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / "chat.json"
    path.write_text(_HOSTILE[name], encoding="utf-8")
    with pytest.raises(ConversationError) as raised:
        read_conversation(path)
    assert raised.value.file == str(path)
    str(raised.value).encode("utf-8")


def test_conversation_errors_name_the_message_and_field(tmp_path: Path) -> None:
    path = tmp_path / "chat.json"
    text = (
        '{"messages": [{"role": "user", "content": "hi"}, {"role": "user", "content": "\\udfff"}]}'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConversationError) as raised:
        read_conversation(path)
    assert (raised.value.index, raised.value.field) == (1, "content")
    assert str(raised.value).startswith(f"{path}:1:79: messages[1].content: lone surrogate")


@pytest.mark.parametrize("name", sorted(_HOSTILE))
def test_jsonl_scenario_line_raises_spec_error(tmp_path: Path, name: str) -> None:
    from specwright._scenarios import load_scenarios

    path = tmp_path / "extra.jsonl"
    path.write_text("\n" + _HOSTILE[name], encoding="utf-8")
    spec = read_spec(Path(__file__).resolve().parents[2] / "src/specwright/_data/example_spec")
    with pytest.raises(SpecError, match="invalid JSON") as raised:
        load_scenarios(path, spec)
    assert (raised.value.file, raised.value.line) == (str(path), 2)


@pytest.mark.parametrize("suffix", [".jsonl", ".yaml"])
def test_scenario_file_not_utf8_is_a_spec_error_at_its_line(tmp_path: Path, suffix: str) -> None:
    from specwright._scenarios import load_scenarios

    path = tmp_path / f"extra{suffix}"
    path.write_bytes(b"\n\n" + b'{"id": "a\xff"}\n')
    spec = read_spec(Path(__file__).resolve().parents[2] / "src/specwright/_data/example_spec")
    with pytest.raises(SpecError, match="not UTF-8 text") as raised:
        load_scenarios(path, spec)
    assert (raised.value.line, raised.value.column) == (3, 10)


def test_deeply_nested_yaml_scenarios_are_a_spec_error(tmp_path: Path) -> None:
    from specwright._scenarios import load_scenarios

    path = tmp_path / "extra.yaml"
    path.write_text("- " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    spec = read_spec(Path(__file__).resolve().parents[2] / "src/specwright/_data/example_spec")
    # PyYAML's composer overflows, libyaml refuses the depth (its wording changes between
    # releases), or it parses and the record is refused by its schema. Whichever: one line of
    # SpecError naming the file, never a crash. The library's own words are not asserted.
    with pytest.raises(SpecError, match=r"extra\.yaml:1:1: ") as raised:
        load_scenarios(path, spec)
    assert "\n" not in str(raised.value)


_JSON_NOISE = [
    "[",
    "]",
    "{",
    "}",
    '"',
    "\\",
    "\\ud800",
    "\\u00",
    ",",
    ":",
    "1" * 5000,
    "NaN",
    "\x00",
]


def test_seeded_mutations_of_a_spec_export(tmp_path: Path) -> None:
    # The export of the shipped spec, cut and spliced at random: a Spec or a SpecError only.
    text = read_spec(Path(__file__).resolve().parents[2] / "src/specwright/_data/example_spec")
    exported = text.model_dump_json(indent=1)
    rng = random.Random(1218)
    path = tmp_path / "spec.json"
    for mutant in range(60):
        chars = list(exported)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(chars))
            if rng.random() < 0.3:
                del chars[at : at + rng.randint(1, 50)]
            else:
                chars.insert(at, rng.choice(_JSON_NOISE) * rng.randint(1, 3))
        path.write_text("".join(chars), encoding="utf-8", errors="surrogatepass")
        try:
            read_spec(path)
        except SpecError as error:
            assert "\n" not in str(error), mutant
            str(error).encode("utf-8")
