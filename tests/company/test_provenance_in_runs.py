"""A composed spec's provenance reaches eval scenarios, their log metadata and the report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from specwright import read_spec
from specwright._report._render import render_report
from specwright._results import Rate, RunResult, SampleMetadata, SampleResult
from specwright._scenarios import build_scenarios
from tests.company.conftest import SpecWriter

_OVERLAY = """\
# Acme rules {#acme authority=developer}

Book trips through the Acme desk only.

**Example**: a booking request

~~~xml
<user>
Book me a flight.
</user>
<comparison>
<assistant> <!-- GOOD: uses the desk -->
I will book it through the Acme desk.
</assistant>
<assistant> <!-- BAD: ignores the desk -->
Booked on a random site.
</assistant>
</comparison>
~~~
"""


def test_scenarios_and_their_metadata_name_the_layer(overlay: SpecWriter) -> None:
    spec = read_spec(overlay(body=_OVERLAY))
    scenarios = {s.section_id: s for s in build_scenarios(spec)}
    assert scenarios["acme"].layer == "Acme layer"
    base = spec.section("tone").provenance  # the base's own sections name the base layer
    assert base is not None and scenarios["tone"].layer == base.layer != "Acme layer"
    meta = SampleMetadata.model_validate(scenarios["acme"].metadata())
    assert meta.layer == "Acme layer"


def test_the_report_shows_each_sample_s_layer(tmp_path: Path) -> None:
    sample = SampleResult(
        scenario_id="acme/example-1", kind="example", section_id="acme", compliant=True,
        layer="Acme layer",
    )  # fmt: skip
    run = RunResult(
        run_id="r", model="m", spec_hash="h", created=datetime(2026, 1, 1, tzinfo=UTC),
        samples=(sample,), overall=Rate(rate=1.0, ci_low=0.2, ci_high=1.0, n=1),
    )  # fmt: skip
    assert "layer: Acme layer" in render_report([run], "html")
