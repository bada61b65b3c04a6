"""The public API is exactly what ``__all__`` lists, in two tiers: adding a name must be deliberate.

``specwright`` holds the toolkit a user needs; ``specwright.chain`` the chain of command's
extension surface. Every exported class reports the public module it is documented under,
and every type a public function takes or returns (or a public model holds) is exported too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

import specwright
import specwright.chain

TOP_LEVEL = {
    "AUTHORITY_LEVELS", "Adaptation", "Attachment", "Authority", "AuthorityOrNone", "Block",
    "Budget",
    "Calibration", "Change", "ChangeKind", "Commentary", "CompiledPrompt", "CompiledSection",
    "ConfigurationError", "ConfusionMatrix", "ContentForm", "Conversation", "ConversationError",
    "ConversationTooLarge", "CrossReference", "EvalPrompt", "Example", "Feedback", "Finding",
    "Flip", "FlipDirection",
    "Grade", "GraderFailure", "GraderSettings", "IsolatedBlock", "JudgeAgreement", "JudgeValidity",
    "JudgeVerdict", "Label", "LabelledAnswer", "LabelledCase", "LayerInfo", "LintRule", "Media",
    "Message", "PairAgreement", "Part", "PartVerdict",
    "Prose", "Provenance", "Rate", "RateChange", "ReplacedSection", "ReportFormat",
    "Resolution", "ResultsStore", "Role", "RunDiff", "RunResult", "RunStatus", "SampleResult",
    "Scenario", "ScenarioKind", "Section", "SectionPoint", "Settings", "Severity",
    "SourceLocation", "Spec", "SpecChange", "SpecDiff", "SpecError", "SpecSide", "SpecStats",
    "SpecwrightError", "SpotlightMode", "StoredRun", "SourceSlip", "StrayEmphasis", "TextPart",
    "ToolCall",
    "TranscriptMessage", "Turn", "UnknownSectionError", "UntrustedPart", "ValidityStatus",
    "WordSpan", "__version__", "authority_rank", "build_scenarios", "calibrate",
    "compile_prompt", "compliance_task", "compose_spec", "diff_runs", "diff_specs",
    "example_spec_path", "find_logs", "from_anthropic", "from_openai", "index_run",
    "judge_validity", "lint_rule", "lint_rules", "lint_spec", "load_example_spec", "load_run",
    "load_scenarios", "load_settings", "parse_messages", "parse_spec", "read_conversation",
    "read_spec", "render_report", "resolve", "save_spec", "spec_stats", "to_anthropic",
    "to_openai", "write_eval_file", "write_spec",
}  # fmt: skip

CHAIN = {
    "Annotations", "AnyRef", "ApproxTokenCounter", "Bm25Index", "Candidate", "CandidateStatus",
    "Capability", "ConversationLimits", "Delegation", "DeterministicInterpreter", "DroppedField",
    "Grant", "Interpreter", "LLMInterpreter", "MessageRef", "Override", "PartMark", "PartMeta",
    "Ref",
    "RelationNote", "SectionCandidate", "SectionCost", "SectionRef", "Span", "SpanCandidate",
    "SpanClass", "SpanKind", "SpecIndex", "TiktokenCounter", "TokenCounter", "ToolRef",
    "create_interpreter", "create_token_counter", "interpreter", "parse_ref",
    "split_conversation", "token_counter",
}  # fmt: skip

NAMESPACES = (specwright, specwright.chain)


@pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
def test_all_is_sorted_and_unique(module: types.ModuleType) -> None:
    assert list(module.__all__) == sorted(set(module.__all__))


def test_the_exact_members() -> None:
    assert set(specwright.__all__) == TOP_LEVEL
    assert set(specwright.chain.__all__) == CHAIN
    assert not TOP_LEVEL & CHAIN, "a name lives in one tier only"


@pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
def test_every_public_attribute_is_exported(module: types.ModuleType) -> None:
    public = {
        name
        for name in vars(module)
        if not name.startswith("_") and not isinstance(getattr(module, name), types.ModuleType)
    }
    # `annotations` comes from `from __future__ import annotations`.
    public.discard("annotations")
    assert public <= set(module.__all__), f"exported by accident: {public - set(module.__all__)}"


@pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
def test_every_exported_name_resolves_and_is_documented(module: types.ModuleType) -> None:
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert getattr(value, "__doc__", None), f"{name} has no docstring"


def test_only_the_chain_namespace_is_a_public_module() -> None:
    public = [m.name for m in pkgutil.iter_modules(specwright.__path__) if m.name[0] != "_"]
    assert public == ["chain"], f"public modules: {public}; make new ones private"


@pytest.mark.parametrize("module", NAMESPACES, ids=lambda m: m.__name__)
def test_exported_classes_report_their_public_module(module: types.ModuleType) -> None:
    # Reprs, docs and pickles name `specwright.X`, never a private module.
    for name in module.__all__:
        value = getattr(module, name)
        if isinstance(value, type):
            assert value.__module__ == module.__name__, f"{name}: {value.__module__}"
            assert getattr(importlib.import_module(value.__module__), name) is value


# --------------------------------------------------------------------------- exported types


def _exported_classes() -> dict[type, str]:
    found: dict[type, str] = {}
    for module in NAMESPACES:
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                found[value] = f"{module.__name__}.{name}"
    return found


def _classes_in(annotation: object) -> Iterator[type]:
    """Every class an annotation names, through unions, generics and ``Annotated``."""
    if isinstance(annotation, type) and not typing.get_args(annotation):
        yield annotation
    origin = typing.get_origin(annotation)
    if isinstance(origin, type):
        yield origin
    if origin is typing.Literal:
        return
    for arg in typing.get_args(annotation):
        if isinstance(arg, list):  # Callable[[A, B], R]
            for item in arg:
                yield from _classes_in(item)
        else:
            yield from _classes_in(arg)


def _hints(value: object) -> dict[str, object]:
    target = (
        value.__init__ if isinstance(value, type) and not issubclass(value, BaseModel) else value
    )  # type: ignore[misc]
    if isinstance(value, type) and issubclass(value, BaseModel):
        return {name: field.annotation for name, field in value.model_fields.items()}
    try:
        # Optional dependencies are imported for type checkers only: resolve them here.
        return typing.get_type_hints(target, localns={"openai": importlib.import_module("openai")})
    except NameError as exc:  # an annotation that is only imported for type checkers
        pytest.fail(f"{value}: annotation not resolvable at run time: {exc}")


def _ours(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "specwright"


def test_every_public_signature_uses_exported_types_only() -> None:
    exported = _exported_classes()
    missing: set[str] = set()
    for module in NAMESPACES:
        for name in module.__all__:
            value = getattr(module, name)
            if not (inspect.isfunction(value) or isinstance(value, type)):
                continue
            for where, annotation in _hints(value).items():
                for cls in _classes_in(annotation):
                    if _ours(cls) and cls not in exported:
                        missing.add(f"{module.__name__}.{name} ({where}): {cls.__qualname__}")
    assert sorted(missing) == []


def test_the_type_walk_finds_nested_and_private_classes() -> None:
    class Hidden:
        pass

    Hidden.__module__ = "specwright._somewhere"
    found = set(_classes_in(typing.Sequence[specwright.RunResult] | dict[str, Hidden] | None))
    assert {specwright.RunResult, Hidden} <= found
    assert not _ours(int) and _ours(Hidden) and Hidden not in _exported_classes()
