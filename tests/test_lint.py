"""Lint rules, one behaviour each, on specs built in code."""

from __future__ import annotations

import pytest

from specwright import CrossReference, Section
from specwright._errors import ConfigurationError
from specwright._lint import lint_rule, lint_rules, lint_spec
from tests._factories import small_spec


def codes(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rule for f in findings]


def test_small_spec_findings() -> None:
    findings = lint_spec(small_spec())
    assert sorted(codes(findings)) == [
        "empty-eval-file",
        "empty-section",
        "eval-file-without-footnote",
        "example-without-good",
    ]
    without_good = next(f for f in findings if f.rule == "example-without-good")
    assert without_good.location is not None and without_good.location.line == 20
    assert without_good.section_id == "be_kind"


def test_broken_reference_and_duplicate_ids() -> None:
    spec = small_spec()
    bad_ref = CrossReference(target="missing", text="x", source_section="style")
    style = spec.sections[1].model_copy(update={"references": (bad_ref,)})
    dup = Section(id="style", title="Dup", depth=1)
    broken = spec.model_copy(update={"sections": (spec.sections[0], style, dup)})
    found = codes(lint_spec(broken, select=["broken-reference", "SW101"]))
    assert sorted(found) == ["broken-reference", "duplicate-section-id"]


def test_footnote_without_file() -> None:
    spec = small_spec()
    section = spec.sections[1].model_copy(update={"eval_tags": ("nofile",)})
    changed = spec.model_copy(update={"sections": (spec.sections[0], section)})
    messages = [f.message for f in lint_spec(changed, select=["SW202"])]
    assert messages == ["footnote [^nofile] has no eval prompt file examples/nofile.md"]


def test_select_and_ignore() -> None:
    assert lint_spec(small_spec(), select=["SW302"])[0].rule == "empty-section"
    assert "empty-section" not in codes(lint_spec(small_spec(), ignore=["empty-section"]))


@pytest.mark.parametrize("option", ["select", "ignore"])
def test_unknown_rule_is_a_configuration_error(option: str) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown lint rule 'SW999', 'emty-section'"):
        lint_spec(small_spec(), **{option: ["SW101", "SW999", "emty-section"]})


def test_registry_is_sorted_and_rejects_duplicates() -> None:
    rules = lint_rules()
    assert [r.code for r in rules] == sorted(r.code for r in rules)
    assert all(r.summary for r in rules)
    with pytest.raises(ConfigurationError, match="twice"):  # in the closed error tree
        lint_rule(rules[0].code, "another", "info")(lambda spec, rule: [])
