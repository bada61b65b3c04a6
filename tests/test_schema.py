"""Checked-in JSON Schemas match the models they are generated from."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from specwright import Message, Prose, Section, Spec, TextPart
from specwright._schema import SCHEMAS, render_schema

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_checked_in_schema_is_current(name: str) -> None:
    current = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert current == render_schema(name), (
        f"schemas/{name} is stale: run `python -m specwright._schema schemas`"
    )


def test_spec_json_validates_against_schema() -> None:
    spec = Spec(
        title="t",
        sections=(
            Section(
                id="a",
                title="A",
                depth=1,
                authority="user",
                blocks=(Prose(markdown="Be kind."),),
            ),
        ),
    )
    schema = json.loads(render_schema("spec.schema.json"))
    jsonschema.validate(json.loads(spec.model_dump_json()), schema)
    bad = json.loads(spec.model_dump_json())
    bad["sections"][0]["authority"] = "platform-admin"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert Message(role="user", parts=(TextPart(text="hi"),)).text == "hi"
