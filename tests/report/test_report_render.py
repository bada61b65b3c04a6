from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import report_factory as factory

from specwright import ConfigurationError, Section, render_report
from specwright._html._assets import CSS, SCRIPT, content_security_policy
from specwright._report._load import load_runs
from specwright._results import RunResult

Golden = Callable[[str, str], None]


def test_markdown_two_runs_golden(golden: Golden) -> None:
    golden("two_runs.md", render_report([factory.run_a(), factory.run_b()], "markdown"))


def test_markdown_diff_golden(golden: Golden) -> None:
    text = render_report([factory.run_b()], "markdown", baseline=factory.run_a())
    golden("diff.md", text)
    assert (
        "| `follow_chain` | 100% [72–100%] (n=10) | 10% [2–40%] (n=10) | -90 pts | **regressed** |"
        in text
    )
    assert "How states are decided: improved / regressed" in text


def test_json_single_run_golden_and_round_trip(golden: Golden, tmp_path: Path) -> None:
    run = factory.run_a()
    text = render_report([run], "json")
    golden("run_a.json", text)
    path = tmp_path / "run.json"
    path.write_text(text, encoding="utf-8")
    assert load_runs([path]) == [run]


def test_json_several_runs_is_a_list(tmp_path: Path) -> None:
    runs = [factory.run_a(), factory.run_b()]
    text = render_report(runs, "json")
    assert [item["run_id"] for item in json.loads(text)] == ["run-a-0001", "run-b-0002"]
    (tmp_path / "runs.json").write_text(text, encoding="utf-8")
    assert load_runs([tmp_path / "runs.json"]) == runs


def test_json_diff_golden(golden: Golden) -> None:
    golden("diff.json", render_report([factory.run_b()], "json", baseline=factory.run_a()))


def test_no_calibration_warning_in_every_format() -> None:
    run = factory.run_b()
    assert "> **Warning:** This run's judge was never checked" in render_report([run], "markdown")
    assert 'data-status="missing"' in render_report([run], "html")
    assert json.loads(render_report([run], "json"))["calibration"] is None


def _with_kappa(kappa: float | None) -> RunResult:
    run = factory.run_a()
    assert run.calibration is not None
    return run.model_copy(
        update={"calibration": run.calibration.model_copy(update={"kappa": kappa})}
    )


@pytest.mark.parametrize(
    ("kappa", "status", "words"),
    [(0.0, "weak", "judge weak"), (None, "undefined", "judge unverified"),
     (0.8, "ok", "judge trusted")],
)  # fmt: skip
def test_judge_validity_is_stated_in_markdown_and_html(
    kappa: float | None, status: str, words: str
) -> None:
    run = _with_kappa(kappa)
    markdown = render_report([run], "markdown")
    html = render_report([run], "html")
    assert words in markdown and words.capitalize() in html
    assert ("> **Warning:**" in markdown) == (status != "ok")
    assert (f'data-status="{status}"' in html) == (status != "ok")
    if kappa == 0.0:
        assert "κ 0.00: slight agreement with the spec's labels, below the threshold" in markdown


def test_threshold_is_passed_in_not_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPECWRIGHT_MIN_KAPPA", "0.95")
    run = _with_kappa(0.8)
    assert "judge trusted" in render_report([run], "markdown")
    assert "judge weak" in render_report([run], "markdown", min_kappa=0.9)
    assert "threshold 0.90" in render_report([run], "html", min_kappa=0.9)


def test_errors() -> None:
    with pytest.raises(ConfigurationError, match="no run"):
        render_report([], "markdown")
    with pytest.raises(ConfigurationError, match="unknown report format"):
        render_report([factory.run_a()], "pdf")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="exactly one run"):
        render_report([factory.run_a(), factory.run_b()], baseline=factory.run_a())


def test_markdown_escapes_payloads() -> None:
    text = render_report([factory.hostile_run()], "markdown")
    outside_code = re.sub(r"(`+).*?\1", "", text)
    # Every < > outside code spans is backslash-escaped (no raw HTML), and so is every
    # "](" (no links).
    assert re.search(r"(?<!\\)[<>]", outside_code) is None
    assert re.search(r"(?<!\\)\]\(", outside_code) is None
    assert "\\<script\\>" in text


def _html(run: RunResult, **kwargs: object) -> str:
    return render_report([run], "html", **kwargs)  # type: ignore[arg-type]


def test_html_has_strict_csp_allowing_only_its_own_style_and_script() -> None:
    page = _html(factory.run_a())
    policy = content_security_policy()
    assert f'content="{policy}"' in page.replace("&#x27;", "'")
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert f"<style>{CSS}</style>" in page
    assert f"<script>{SCRIPT}</script>" in page
    assert "http://" not in page and "https://" not in page


def test_html_escapes_every_payload() -> None:
    spec = factory.spec(" ".join(factory.PAYLOADS))
    page = _html(factory.hostile_run(), spec=spec)
    # Only our own two script elements (data block and the hashed script) may exist.
    assert len(re.findall(r"<script", page)) == 2
    assert "<img" not in page and "<iframe" not in page and "<svg onload" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;window.__pwned" in page
    data = re.search(
        r'<script type="application/json" id="specwright-data">(.*?)</script>', page, re.S
    )
    assert data is not None
    decoded = json.loads(data.group(1))
    assert decoded["runs"][0]["model"] == factory.hostile_run().model


def test_html_includes_cited_spec_text_when_spec_given() -> None:
    page = _html(factory.run_a(), spec=factory.spec())
    assert "The text of Follow the chain of command." in page
    assert "The text of" not in _html(factory.run_a())


def test_markdown_groups_sections_by_the_specs_parts() -> None:
    text = render_report([factory.run_a(), factory.run_b()], "markdown", spec=factory.spec())
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert headings[:3] == [
        "### The chain of command",
        "### Seek the truth together",
        "### Use appropriate style",
    ]
    # follow_chain 10/10 and protect_privacy 3/5 pooled for model A.
    assert "Pooled: openai/model-a 87% [62–96%] (n=15);" in text


def test_html_groups_sections_by_the_parts_recorded_in_samples() -> None:
    run = factory.run_a()
    samples = tuple(
        s.model_copy(update={"part_id": "p1", "part_title": "Recorded part"})
        if s.section_id in {"be_honest", "follow_chain"}
        else s
        for s in run.samples
    )
    page = _html(run.model_copy(update={"samples": samples}))
    assert page.count('<details class="part"') == 2
    assert 'data-part="p1"' in page and "Recorded part" in page and "Other sections" in page


def test_a_spec_wrapped_in_one_heading_has_its_children_as_parts() -> None:
    inner = factory.spec()
    wrapped = inner.model_copy(
        update={"sections": (Section(id="all", title="My spec", depth=1, children=inner.sections),)}
    )
    assert wrapped.part_of("follow_chain").id == "chain_of_command"
    assert wrapped.part_of("all").id == "all"
    page = _html(factory.run_a(), spec=wrapped)
    assert page.count('<details class="part"') == 3


def test_adjudicated_samples_are_marked_and_the_judge_figure_kept() -> None:
    run = factory.run_a()
    samples = tuple(
        s.model_copy(update={"adjudicated": True, "judge_compliant": True, "compliant": False})
        if s.scenario_id == "follow_chain/example-1"
        else s
        for s in run.samples
    )
    judged = run.overall
    run = run.model_copy(update={"samples": samples, "n_adjudicated": 1, "judge_overall": judged})
    page = _html(run)
    assert page.count("person&#x27;s verdict (judge: compliant)") == 1
    assert "1 sample(s) adjudicated by people" in page
    assert "the judge alone: 56% [37–73%] (n=25)." in page
