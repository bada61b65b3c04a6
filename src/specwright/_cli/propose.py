"""``specwright propose``: a drafted revision of one section, from disagreements and feedback."""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

import click

from specwright._cli._common import (
    DraftingOptions,
    JsonOption,
    ResultsDbOption,
    SpecOption,
    echo_json,
    model_profile,
    profile_option,
    results_db_option,
    spec_option_for,
    writing,
)
from specwright._cli._exit import ExitCode
from specwright._errors import ConfigurationError
from specwright._settings import Settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from specwright._generate._client import Endpoint
    from specwright._llm import ModelProfile, UnparsedReply
    from specwright._model import Spec
    from specwright._results import RunResult
    from specwright._revise._evidence import Evidence
    from specwright._revise._propose import Proposal

__all__ = ["ProposeOptions", "propose"]


class ProposeOptions(SpecOption, ResultsDbOption, DraftingOptions, JsonOption):
    """The options of ``specwright propose``, as click passes them."""

    sources: tuple[str, ...]
    """``--from RUN``, repeatable: logs, run JSON, directories or indexed run ids."""
    model: str
    """``--model``: the drafting model."""
    output: Path | None
    """``-o``: a file or directory; ``None``: stdout."""
    attempts: int
    """``--attempts`` before giving up on malformed answers."""
    max_evidence: int
    """``--max-evidence``: samples shown to the model at most."""


@click.command()
@click.argument("section_id", metavar="SECTION")
@click.option("--from", "sources", multiple=True, required=True, metavar="RUN",
              help="A run to draw from: an eval log, a run JSON, a directory of them, or an "
              "indexed run id; repeatable.")  # fmt: skip
@click.option("--model", required=True, help="Drafting model: openai-api/<name>/<model> "
              "(with <NAME>_BASE_URL, <NAME>_API_KEY) or openai/<model>.")  # fmt: skip
@spec_option_for("The spec to revise (the overlay extends it).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write here: FILE.md, or a directory (model_spec.md, and examples/ for a "
              "patched copy). Default: stdout.")  # fmt: skip
@click.option("--attempts", type=click.IntRange(1, 10), default=3, show_default=True,
              help="Requests before giving up on malformed answers.")  # fmt: skip
@click.option("--max-evidence", type=click.IntRange(1, 50), default=12, show_default=True,
              help="Samples shown to the model at most.")  # fmt: skip
@click.option("--temperature", type=float, default=0.2, show_default=True,
              help="Drafting temperature.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the first request (request i uses seed + i).")  # fmt: skip
@click.option("--timeout", type=click.FloatRange(min=0.1),
              help="Seconds per request (default: the profile's; 120 for openai, 600 for "
              "llama-cpp). A timed-out request is not repeated.")  # fmt: skip
@click.option("--max-tokens", type=click.IntRange(min=100), default=1500, show_default=True,
              help="Upper bound on one answer (a small model may not stop).")  # fmt: skip
@profile_option()
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the proposal (evidence, examples and their samples) as JSON; needs -o.",
)
@results_db_option()
@click.pass_obj
def propose(settings: Settings, /, section_id: str, **options: Unpack[ProposeOptions]) -> ExitCode:
    """Draft a revision of SECTION from where RUNs disagree and what people said about them.

    The revision is an overlay on the spec (front matter `extends:` and `overrides:`) when a
    layer may replace the section (developer, user or guideline level), else a patched copy
    of the spec. Its new GOOD/BAD examples each name the samples that motivated them. It is
    checked to read back and lint clean before anything is written; review it with
    `specwright diff`, then re-run the section's scenarios.

    \b
    Examples:
      specwright propose local_currency --spec spec/ --from logs/run.eval \\
          --model openai-api/local/drafter -o proposal/
      specwright diff spec/ proposal/
      specwright eval --spec proposal/ --changed-since spec/ \\
          --baseline logs/run.eval --model openai-api/local/m
    """
    from specwright._generate._client import check_reachable, resolve_endpoint
    from specwright._layers._read import read_spec
    from specwright._revise._propose import ProposalFailure

    spec_path = options["spec_path"] or settings.spec
    if spec_path is None:
        raise ConfigurationError("no spec given: pass --spec SPEC or set SPECWRIGHT_SPEC")
    spec = read_spec(spec_path)
    _check_section(spec, section_id)
    output = options["output"]
    if options["as_json"] and output is None:
        raise ConfigurationError("--json prints the proposal record: give -o for the spec")
    _check_not_the_spec(output, spec_path)
    _check_output(spec, section_id, output)
    endpoint = resolve_endpoint(options["model"], option="--model")
    db_url = options["results_db"] or settings.results_db
    runs = _runs(options["sources"], db_url)
    evidence = _evidence(spec, section_id, runs, db_url, options["max_evidence"])
    if spec.content_hash() not in {r.spec_hash for r in runs}:
        click.echo("warning: no run given was judged against this spec (its hash differs)",
                   err=True)  # fmt: skip
    check_reachable(endpoint, option="--model")
    profile = model_profile(options["profile"], settings)
    try:
        proposal = asyncio.run(_draft(spec, spec_path, section_id, evidence, endpoint=endpoint,
                                      options=options, profile=profile))  # fmt: skip
    except ProposalFailure as exc:
        kept = _keep_rejected(exc.rejected, output, section_id)
        click.echo(f"specwright: error: {exc}{kept}", err=True)
        return ExitCode.FINDINGS
    _keep_rejected(proposal.rejected, output, section_id)
    _write(proposal, output)
    _summary(proposal, spec_path, output, options["sources"])
    if options["as_json"]:
        echo_json(proposal)
    return ExitCode.OK


def _check_not_the_spec(output: Path | None, spec_path: Path) -> None:
    """Writing the proposal over the spec it revises would lose the spec."""
    if output is None:
        return
    spec_file = spec_path / "model_spec.md" if spec_path.is_dir() else spec_path
    written = output if output.suffix == ".md" else output / "model_spec.md"
    if written.resolve() == spec_file.resolve():
        raise ConfigurationError(f"-o {output}: that is the spec being revised; write elsewhere")


def _check_section(spec: Spec, section_id: str) -> None:
    if spec.get(section_id) is not None:
        return
    close = difflib.get_close_matches(section_id, [s.id for s in spec.walk()], n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise ConfigurationError(f"SECTION {section_id!r}: no such section in the spec{hint}")


def _runs(sources: tuple[str, ...], db_url: str) -> list[RunResult]:
    from specwright._cli._report_common import log_reader
    from specwright._report._load import load_runs
    from specwright._revise._runs import resolve_run

    reader = log_reader()
    runs: list[RunResult] = []
    for name in sources:
        path = Path(name)
        runs += load_runs([path], reader) if path.exists() else [resolve_run(name, db_url, reader)]
    return runs


def _evidence(
    spec: Spec, section_id: str, runs: list[RunResult], db_url: str, limit: int
) -> tuple[Evidence, ...]:
    from specwright._revise._adjudicate import stored_feedback
    from specwright._revise._evidence import gather_evidence

    feedback = stored_feedback(db_url, [r.run_id for r in runs], section_id)
    evidence = gather_evidence(section_id, runs, feedback, spec, limit=limit)
    if not evidence:
        raise ConfigurationError(
            f"SECTION {section_id!r}: no feedback on it and no disagreement among its samples "
            f"in {len(runs)} run(s): nothing to draft a revision from"
        )
    return evidence


def _check_output(spec: Spec, section_id: str, output: Path | None) -> None:
    from specwright._revise._revision import overlay_ceiling

    if overlay_ceiling(spec, section_id) is not None or not spec.eval_files:
        return
    if output is None or output.suffix == ".md":
        raise ConfigurationError(
            f"-o: {section_id} is {spec.effective_authority(section_id) or 'framing text'}, so "
            "the revision is a patched copy of the spec; give -o a directory to keep its "
            f"{len(spec.eval_files)} eval prompt files"
        )


def _keep_rejected(rejected: Sequence[UnparsedReply], output: Path | None, section: str) -> str:
    """Keep unusable answers beside the output (``-o``) or in ``SECTION.unparsed.jsonl``."""
    from specwright._llm import keep_unparsed, unparsed_path

    if not rejected:
        return ""
    path = unparsed_path(output if output is not None else Path(section))
    keep_unparsed(path, rejected)
    return f"; the {len(rejected)} unusable answer(s) are kept in {path}"


async def _draft(
    spec: Spec, spec_path: Path, section_id: str, evidence: tuple[Evidence, ...], *,
    endpoint: Endpoint, options: ProposeOptions, profile: ModelProfile,
) -> Proposal:  # fmt: skip
    from specwright._generate._client import GeneratorClient, GeneratorSettings
    from specwright._revise._propose import propose_revision

    client = GeneratorClient(endpoint, GeneratorSettings(
        temperature=options["temperature"], seed=options["seed"], timeout=options["timeout"],
        max_concurrency=1, max_tokens=options["max_tokens"], max_retries=2,
    ), profile=profile)  # fmt: skip
    try:
        return await propose_revision(
            spec,
            spec_path,
            section_id,
            evidence,
            client,
            output=options["output"],
            attempts=options["attempts"],
        )
    finally:  # fmt: skip
        await client.close()


def _write(proposal: Proposal, output: Path | None) -> None:
    from specwright._writer import save_spec

    if output is None:
        click.echo(proposal.text, nl=False)
        return
    with writing(output):
        if output.suffix == ".md":
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(proposal.text, encoding="utf-8")
        elif proposal.spec is not None:
            save_spec(proposal.spec, output)
        else:
            output.mkdir(parents=True, exist_ok=True)
            (output / "model_spec.md").write_text(proposal.text, encoding="utf-8")


def _summary(
    proposal: Proposal, spec_path: Path, output: Path | None, runs: tuple[str, ...]
) -> None:
    what = (f"an overlay on {spec_path} (ceiling {proposal.ceiling})" if proposal.kind == "overlay"
            else f"a patched copy of {spec_path}")  # fmt: skip
    samples = {s for e in proposal.examples for s in e.samples}
    where = f"wrote {output}" if output is not None else "printed"
    click.echo(f"{where}: {what} revising {proposal.section_id}, {len(proposal.examples)} new "
               f"example(s) citing {len(samples)} sample(s), drafted by {proposal.model} in "
               f"{proposal.attempts} attempt(s)", err=True)  # fmt: skip
    if output is not None:
        click.echo(f"review: specwright diff {spec_path} {output}", err=True)
        click.echo(f"re-run: specwright eval --spec {output} --changed-since {spec_path} "
                   f"--baseline {runs[0]} --model MODEL", err=True)  # fmt: skip
