"""The chain core's contracts: typed references, candidate shapes, vocabularies, the outcome
order, the per-spec index, the compiler's use of the resolution, and no import cycles."""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import re
from pathlib import Path
from typing import get_args

import httpx
import openai
import pytest
from pydantic import BaseModel, TypeAdapter

from specwright import ConfigurationError, Spec
from specwright._chain import _answers
from specwright._chain._candidates import Candidate, SectionCandidate, SpanCandidate, ref_names
from specwright._chain._compiler import compile_prompt
from specwright._chain._interpreter import Annotations, DeterministicInterpreter, RelationNote
from specwright._chain._llm_interpreter import LLMInterpreter
from specwright._chain._llm_prompts import QUESTIONS
from specwright._chain._refs import AnyRef, MessageRef, SectionRef, ToolRef, parse_ref
from specwright._chain._resolution import resolve
from specwright._chain._resolution_rules import OUTCOME_PRECEDENCE, Outcome, strongest
from specwright._chain._spec_index import SpecIndex
from specwright._frozen import FrozenModel

from .conftest import chain_spec, conv

CHAIN = Path(__file__).resolve().parents[2] / "src" / "specwright" / "_chain"


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("*", AnyRef()),
        ("section:*", SectionRef()),
        ("section:be_warm", SectionRef("be_warm")),
        ("message:*", MessageRef()),
        ("message:2", MessageRef(2)),
        ("message:2.1", MessageRef(2, 1)),
        ("message:2.1:0-15", MessageRef(2, 1, 0, 15)),
        ("tool:browser", ToolRef("browser")),
    ],
)
def test_refs_parse_once_and_print_back(text: str, ref: object) -> None:
    assert parse_ref(text) == ref
    assert str(ref) == text


@pytest.mark.parametrize("text", ["", "x", "section:", "message:", "message:a", "message:1.2:3"])
def test_bad_refs_are_refused_naming_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="expected \\*, section:<id>"):
        parse_ref(text)


def test_refs_name_candidates_by_type() -> None:
    span = SpanCandidate(
        message_index=1, part_index=0, start=0, end=4, authority="user", text="Hi", role="user"
    )
    section = SectionCandidate(section_id="a", title="A", authority="root", text="x")
    assert ref_names(MessageRef(1), span) and ref_names(MessageRef(1, 0, 0, 4), span)
    assert not ref_names(MessageRef(1, 0, 0, 3), span) and not ref_names(MessageRef(10), span)
    assert not ref_names(SectionRef(), span) and ref_names(SectionRef(), section)
    assert not ref_names(ToolRef("a"), span) and ref_names(AnyRef(), section)


def test_candidates_are_a_discriminated_union() -> None:
    res = resolve(chain_spec(), conv(("user", "Hello")))
    adapter = TypeAdapter(tuple[Candidate, ...])
    back = adapter.validate_json(adapter.dump_json(res.candidates))
    assert back == res.candidates
    assert {type(c) for c in back} == {SectionCandidate, SpanCandidate}
    assert json.loads(adapter.dump_json(res.candidates))[0]["id"] == "section:no_weapons"


def test_vocabularies_are_written_once() -> None:
    assert get_args(_answers.SpanClass) == _answers.SPAN_CLASSES
    assert QUESTIONS["relate"][1] is _answers.OVERRIDES
    assert QUESTIONS["capability"][1] is _answers.CAPABILITIES
    assert QUESTIONS["delegates"][1] is _answers.GRANTS
    assert QUESTIONS["classify"][1] is _answers.SPAN_CLASSES


def test_strongest_outcome_follows_the_precedence_whatever_the_order() -> None:
    outcomes = [Outcome(status, status) for status in OUTCOME_PRECEDENCE]
    for order in itertools.permutations(outcomes):
        assert strongest(order) == outcomes[0]
    assert strongest([]) is None
    first, second = Outcome("undetermined", "a"), Outcome("undetermined", "b")
    assert strongest([first, second]) is first  # the first found among equals


def test_verdict_does_not_depend_on_the_order_of_answers() -> None:
    """A message misaligned with one instruction and undetermined about another is misaligned,
    however the interpreter's answers are ordered."""
    c = conv(("developer", "Only talk about cooking."), ("user", "Tell me about weapons."))
    notes = [
        RelationNote.model_validate({"subject": "message:1", "other": o, "answer": a})
        for o, a in [("message:0", "explicit"), ("section:no_weapons", "undetermined")]
    ]
    seen = set()
    for order in itertools.permutations(notes):
        notes_all = [
            *order,
            RelationNote.model_validate({"subject": "*", "other": "*", "answer": "none"}),
        ]
        interp = DeterministicInterpreter(Annotations(relations=tuple(notes_all)))
        user = resolve(chain_spec(), c, interpreter=interp).message_candidates()[-1]
        seen.add((user.status, user.related))
    assert seen == {("misaligned", "message:0.0:0-24")}


def test_spec_index_is_explicit_and_checked() -> None:
    spec = chain_spec()
    index = SpecIndex.build(spec)
    c = conv(("user", "Tell me about cooking."))
    res = resolve(spec, c, index=index)
    assert tuple(s.section_id for s in res.section_candidates()) == tuple(
        s.section_id for s in index.candidates
    )
    compiled = compile_prompt(spec, c, res, index=index)
    assert compiled.whole_spec_tokens == index.whole_spec_tokens
    other = Spec(title="Other")
    with pytest.raises(ConfigurationError, match="another spec"):
        resolve(other, c, index=index)
    with pytest.raises(ConfigurationError, match="another spec"):
        compile_prompt(other, c, index=index)


def test_no_module_level_caches_keyed_by_id() -> None:
    for path in CHAIN.glob("*.py"):
        assert not re.search(r"(?<!def )(?<![\w.])id\(", path.read_text("utf-8")), path.name


def test_chain_models_derive_from_the_one_frozen_base() -> None:
    # Every pydantic model of the chain is a FrozenModel (frozen, extra="forbid", attribute
    # docstrings), overriding only what differs; no module keeps a private base of its own.
    for path in CHAIN.glob("_*.py"):
        module = importlib.import_module(f"specwright._chain.{path.stem}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, BaseModel):
                assert issubclass(value, FrozenModel), f"{path.name}: {name}"
                assert value.model_config["frozen"] and value.model_config["extra"] == "forbid"
        assert "ConfigDict(frozen" not in path.read_text("utf-8"), path.name


def test_compile_refuses_a_resolution_with_an_interpreter() -> None:
    spec, c = chain_spec(), conv(("user", "Hi"))
    res = resolve(spec, c)
    with pytest.raises(ConfigurationError, match="not both"):
        compile_prompt(spec, c, res, interpreter=DeterministicInterpreter())


def test_compiler_isolates_what_the_resolution_says() -> None:
    spec, c = chain_spec(), conv(("user", "Hi there, friend"))
    res = resolve(spec, c)
    (span,) = res.spans
    forced = res.model_copy(
        update={"spans": (span.model_copy(update={"authority": "none", "kind": "quoted"}),)}
    )
    compiled = compile_prompt(spec, c, forced)
    assert [b.text for b in compiled.isolated] == ["Hi there, friend"]
    with pytest.raises(ConfigurationError, match="does not match the conversation"):
        compile_prompt(spec, conv(("user", "a"), ("user", "b")), res)


def _module_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:  # module level only: lazy imports inside functions do not cycle
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.If):  # TYPE_CHECKING blocks
            continue
    return {m for m in found if m.startswith("specwright._chain.")}


def test_chain_modules_import_no_cycle() -> None:
    graph = {f"specwright._chain.{p.stem}": _module_imports(p) for p in CHAIN.glob("_*.py")}

    def visit(node: str, stack: tuple[str, ...]) -> None:
        assert node not in stack, " -> ".join((*stack, node))
        for nxt in graph.get(node, ()):
            visit(nxt, (*stack, node))

    for module in graph:
        visit(module, ())
    assert "specwright._chain._llm_interpreter" not in graph["specwright._chain._interpreter"]


def test_llm_interpreter_takes_an_injected_client() -> None:
    seen: list[dict[str, object]] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        body = {"answers": [{"index": 0, "answer": "instruction"}]}
        message = {"role": "assistant", "content": json.dumps(body)}
        return httpx.Response(
            200,
            json={
                "id": "x",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            },
        )

    client = openai.OpenAI(
        api_key="k",
        base_url="http://fake.invalid/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(reply)),
    )
    interp = LLMInterpreter("m", client=client)
    span = SpanCandidate(
        message_index=0, part_index=0, start=0, end=2, authority="user", text="Go", role="user"
    )
    assert interp.classify([span], conv()) == ["instruction"]
    assert seen[0]["model"] == "m"
    with pytest.raises(ConfigurationError, match="not both"):
        LLMInterpreter("m", client=client, base_url="http://x")
