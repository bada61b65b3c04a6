"""Write screenshots of each report page type at 1280 px: report, multi-run, diff, history.

Run from the repository root (needs the ``dev`` extra for Playwright and Debian's chromium)::

    python docs/screenshots.py --spec path/to/model-spec -o docs/img

The runs are DEMO DATA: verdicts drawn from a seeded random generator over the spec's own
examples (nothing here was measured; the model names say ``demo``). Without ``--spec`` (or
``SPECWRIGHT_SPEC``) a small built-in spec is used. The pages are the real renderers' output.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from specwright import ResultsStore, Section, Spec, read_spec, render_report
from specwright._model import Prose
from specwright._report._history import load_history, render_history
from specwright._report._view import wilson
from specwright._results import (
    Calibration,
    ConfusionMatrix,
    Rate,
    RunResult,
    SampleResult,
    TranscriptMessage,
)

CHROMIUM = "/usr/bin/chromium"
WIDTH = 1280


@dataclass(frozen=True)
class DemoModel:
    """A made-up model: a name, how often it complies, and its judge's calibration kappa."""

    name: str
    skill: float
    grader: str
    kappa: float | None
    day: int


def _rate(verdicts: list[bool | None]) -> Rate:
    scored = [v for v in verdicts if v is not None]
    if not scored:
        return Rate(rate=None, ci_low=None, ci_high=None, n=0)
    share = sum(scored) / len(scored)
    low, high = wilson(share, len(scored))
    return Rate(rate=share, ci_low=low, ci_high=high, n=len(scored))


def _builtin_spec() -> Spec:
    parts = {
        "chain": ("The chain of command", ["Follow the chain of command", "Respect the letter"]),
        "bounds": ("Stay in bounds", ["Protect people's privacy", "Comply with the law"]),
        "truth": ("Seek the truth together", ["Be honest", "Do not lie by omission"]),
    }
    return Spec(
        title="Demo Spec",
        version="2025-06-01",
        sections=tuple(
            Section(
                id=pid,
                title=title,
                depth=1,
                children=tuple(
                    Section(
                        id=f"{pid}_{i}",
                        title=name,
                        depth=2,
                        blocks=(Prose(markdown=f"What *{name.lower()}* asks. See [?](#{pid})."),),
                    )
                    for i, name in enumerate(names)
                ),
            )
            for pid, (title, names) in parts.items()
        ),
    )


def _scenarios(spec: Spec) -> list[tuple[Section, str, str, Section]]:
    """(section, scenario id, title, part) for every example; four per section without any."""
    out = []
    for part in spec.sections:
        for section in part.walk():
            examples = [(e.id, e.title) for e in section.examples]
            if not examples and spec.title == "Demo Spec" and section.depth > 1:
                examples = [(f"{section.id}/example-{i}", f"Case {i}") for i in range(1, 5)]
            out += [(section, sid, title, part) for sid, title in examples]
    return out


def _sample(section: Section, sid: str, title: str, part: Section, ok: bool | None) -> SampleResult:
    return SampleResult(
        scenario_id=sid, kind="example", section_id=section.id, section_title=section.title,
        scenario_title=title, part_id=part.id, part_title=part.title, compliant=ok,
        score=None if ok is None else (6.0 if ok else 2.0),
        rationale="" if ok is None else "Demo rationale: the answer was judged against the text.",
        unscored_reason="unparseable" if ok is None else None, cited_sections=(section.id,),
        transcript=(
            TranscriptMessage(role="user", content=f"A demo question for {title}"),
            TranscriptMessage(role="assistant", content="A demo answer."),
        ),
    )  # fmt: skip


def _run(spec: Spec, model: DemoModel) -> RunResult:
    rng = random.Random(model.name + model.grader)
    samples = []
    for section, sid, title, part in _scenarios(spec):
        bias = random.Random(section.id).uniform(-0.3, 0.3)
        draw = rng.random()
        ok = None if draw > 0.97 else rng.random() < model.skill + bias
        samples.append(_sample(section, sid, title, part, ok))
    ids = list(dict.fromkeys(s.section_id for s in samples))
    calibration = None
    if model.kappa is not None:
        calibration = Calibration(
            grader=model.grader, spec_hash=spec.content_hash(), accuracy=0.5 + model.kappa / 2,
            kappa=model.kappa, n_scored=60, n_unscored=0, confusion=ConfusionMatrix(tp=20),
        )  # fmt: skip
    verdicts = [s.compliant for s in samples]
    return RunResult(
        run_id=f"demo-{model.name}-{model.day}", model=f"demo/{model.name}", grader=model.grader,
        spec_title=spec.title, spec_version=spec.version, spec_hash=spec.content_hash(),
        created=datetime(2025, 7, 1, 9, tzinfo=UTC) + timedelta(days=model.day),
        calibration=calibration, samples=tuple(samples), overall=_rate(verdicts),
        by_section={k: _rate([s.compliant for s in samples if s.section_id == k]) for k in ids},
        n_scored=sum(v is not None for v in verdicts),
        n_unscored=sum(v is None for v in verdicts),
        grader_tokens=900 * len(samples), whole_spec_grader_tokens=41000 * len(samples),
    )  # fmt: skip


MODELS = (
    DemoModel("model-a", 0.62, "demo/judge-1", 0.71, 0),
    DemoModel("model-b", 0.78, "demo/judge-1", 0.71, 14),
    DemoModel("model-b", 0.80, "demo/judge-2", 0.12, 21),
    DemoModel("model-c", 0.70, "demo/judge-1", None, 28),
    DemoModel("model-a", 0.66, "demo/judge-1", 0.71, 35),
    DemoModel("model-b", 0.84, "demo/judge-1", 0.71, 42),
)


def _pages(spec: Spec, directory: Path) -> dict[str, tuple[Path, str | None]]:
    runs = [_run(spec, m) for m in MODELS]
    pages = {
        "report": (render_report([runs[1]], "html", spec=spec), None),
        "multi-run": (render_report(runs[:3], "html", spec=spec), "#by-section"),
        "diff": (render_report([runs[1]], "html", spec=spec, baseline=runs[0]), "#diff"),
    }
    with ResultsStore(f"sqlite:///{directory / 'demo.sqlite'}") as store:
        for run in runs:
            store.add(run)
        first, last = runs[0].samples[0].section_id, runs[0].samples[-1].section_id
        history = load_history(store, list(dict.fromkeys([first, last])))
    pages["history"] = (render_history(history, "html"), None)
    out = {}
    for name, (html, anchor) in pages.items():
        path = directory / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        out[name] = (path, anchor)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=os.environ.get("SPECWRIGHT_SPEC"))
    parser.add_argument("-o", "--output", type=Path, default=Path("docs/img"))
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    spec = read_spec(args.spec) if args.spec else _builtin_spec()
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTH, "height": args.height})
        for name, (path, anchor) in _pages(spec, Path(tmp)).items():
            page.goto(path.as_uri() + (anchor or ""))
            target = args.output / f"{name}.png"
            page.screenshot(path=str(target))
            print(f"wrote {target}")
        browser.close()


if __name__ == "__main__":
    main()
