"""Benchmark revision review on specs of growing size: the page, and an approval's write.

Run: ``python benchmarks/bench_studio_revisions.py [--sections 20,200,2000] [--repeats 5]``.
For each size it writes a synthetic spec of that many sections and an overlay revising one of
them (as ``propose`` writes it: the section's new text and an example citing a sample), then
times a real request for the revision's page (Starlette's TestClient: reading the overlay
composed on the spec, the section-by-section diff, the cited evidence and its verdicts from
SQLite, rendering) and an approval's write of the spec (read, flatten, atomic replace, read
back). Both read the whole spec, so the cost should grow linearly with it: the printed
"per section" ratio against the smallest size, measured in the same run, stays near 1 when it
does. With ``../shared/data/openai-model-spec`` beside the checkout, the real Model Spec is
timed too.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from specwright._layers._read import read_spec
from specwright._revise._approve import spec_file, write_approved
from specwright._studio._app import Studio, create_app
from specwright._studio._index import StudioIndex

ROOT = Path(__file__).resolve().parents[1]
_REAL = ROOT.parent / "shared/data/openai-model-spec/2025-12-18/model_spec.md"
_EXAMPLE = (
    "**Example**: A cited case\n\n"
    "Motivated by run `run-1` sample `s1/example-1` (feedback by ann: unclear (judge: "
    "compliant)).\n\n~~~xml\n<user>\nA question?\n</user>\n<comparison>\n"
    "<assistant> <!-- GOOD -->\nA careful answer.\n</assistant>\n"
    "<assistant> <!-- BAD -->\nA careless answer.\n</assistant>\n</comparison>\n~~~\n"
)


def synthetic_spec(sections: int) -> str:
    """A spec of ``sections`` user-level sections, each a paragraph long."""
    parts = ["# Bench spec {#bench}\n\nAbout the bench.\n"]
    parts += [
        f"## Section {i} {{#s{i} authority=user}}\n\nSay what section {i} asks, and no more; "
        f"a sentence of prose for the diff to walk over (<b>markup</b> & entities).\n"
        for i in range(sections)
    ]
    return "\n".join(parts)


def overlay(extends: str, section_id: str, title: str, authority: str) -> str:
    """An overlay revising ``section_id``, shaped as ``propose`` writes one."""
    head = (
        f"---\ntitle: Proposed revision of {section_id}\nextends: {extends}\n"
        f"ceiling: developer\noverrides:\n- {section_id}\n---\n\n"
    )
    body = f"# {title} {{#{section_id} authority={authority}}}\n\nThe clarified text.\n\n"
    return head + body + _EXAMPLE


def _median(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(spec_path: Path, proposal_text: str, repeats: int) -> dict[str, float]:
    """Median seconds of the revision's page and of an approval's write, on this spec."""
    directory = spec_path.parent
    proposal, target = directory / "proposal.md", spec_file(spec_path)
    proposal.write_text(proposal_text, encoding="utf-8")
    original = target.read_bytes()
    index = StudioIndex(f"sqlite:///{directory / 'results.sqlite'}")
    base = read_spec(spec_path)
    studio = Studio(index=index, spec=base, proposals=[proposal], reviewer="bench")
    client = TestClient(create_app(studio), base_url="http://127.0.0.1:8765")
    assert client.get("/revisions/0").status_code == 200  # warm once, and check it answers
    page = _median(lambda: client.get("/revisions/0"), repeats)

    def write() -> None:
        target.write_bytes(original)
        write_approved(spec_path, base, proposal)

    written = _median(write, repeats)
    index.close()
    return {"page": page, "write": written}


def main(argv: list[str] | None = None) -> dict[int, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="20,200,2000")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sections.split(",")]
    print(f"machine: {platform.machine()} {platform.processor() or ''}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            spec_path = Path(tmp) / "spec.md"
            spec_path.write_text(synthetic_spec(size), encoding="utf-8")
            proposal = overlay("spec.md", "s1", "Section 1", "user")
            results[size] = measure(spec_path, proposal, args.repeats)
    base = results[sizes[0]]
    for size in sizes:
        cells = "  ".join(
            f"{op} {results[size][op] * 1000:8.1f} ms (×{results[size][op] / base[op]:.2f}, "
            f"per section ×{results[size][op] / base[op] * sizes[0] / size:.2f})"
            for op in ("page", "write")
        )
        print(f"{size:>6} sections: {cells}")
    print(f"ratios against the {sizes[0]}-section spec, measured in this run")
    _real(args.repeats)
    return results


def _real(repeats: int) -> None:
    if not _REAL.exists():
        return
    with tempfile.TemporaryDirectory() as tmp:
        spec_dir = Path(tmp) / "spec"
        shutil.copytree(_REAL.parent, spec_dir)
        spec = read_spec(spec_dir)
        section = next(s for s in spec.walk() if spec.effective_authority(s.id) == "user")
        text = overlay("spec", section.id, section.title, "user")
        timings = measure(spec_dir, text, repeats)
    n = sum(1 for _ in spec.walk())
    print(f"the OpenAI Model Spec ({n} sections, revising {section.id}): page "
          f"{timings['page'] * 1000:.1f} ms, write {timings['write'] * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
