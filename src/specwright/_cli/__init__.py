"""The ``specwright`` command line: one module per command, registered below.

Machine output goes to stdout, diagnostics to stderr. Exit codes (decided in ``_cli/_exit.py``):
0 ok, 1 findings or failures, 2 unreadable input or usage error. Every error is one stderr
line starting with ``specwright: error:``; shared options (``--spec``, ``--results-db``,
``--log-dir``) come from ``_cli/_common.py`` so they read the same in every command, and each
command's options are typed (a ``TypedDict`` per command, unpacked into its keyword arguments).
"""

from __future__ import annotations

import difflib
import importlib
import sys

import click

from specwright._cli._exit import ExitCode, command_exit, error_exit
from specwright._errors import SpecwrightError
from specwright._version import __version__

__all__ = ["main"]

# Each entry is "module:attribute" of a click command; modules load only when the command runs
# so that `specwright --help` stays fast and the eval/report extras stay optional.
_COMMANDS: dict[str, str] = {
    "show": "specwright._cli.show:show",
    "stats": "specwright._cli.stats:stats",
    "lint": "specwright._cli.lint:lint",
    "export": "specwright._cli.export:export",
    "check": "specwright._cli.check:check",
    "compile": "specwright._cli.compile:compile_command",
    "report": "specwright._cli.report:report",
    "history": "specwright._cli.history:history",
    "eval": "specwright._cli.eval:eval_command",
    "calibrate": "specwright._cli.calibrate:calibrate",
    "export-data": "specwright._cli.export_data:export_data",
    "pack": "specwright._cli.pack:pack",
    "feedback": "specwright._cli.feedback:feedback",
    "disagreements": "specwright._cli.disagreements:disagreements",
    "propose": "specwright._cli.propose:propose",
    "compose": "specwright._cli.compose:compose",
    "diff": "specwright._cli.diff:diff",
    "init": "specwright._cli.init:init",
    "site": "specwright._cli.site:site",
    "serve": "specwright._cli.serve:serve",
    "decisions": "specwright._cli.decisions:decisions",
    "generate": "specwright._cli.generate:generate_command",
    "scenarios": "specwright._cli.scenarios:scenarios",
    "studio": "specwright._cli.studio:studio",
}

# One-line summaries for `specwright --help`, so listing commands imports none of them.
_SUMMARIES: dict[str, str] = {
    "show": "Show a spec's outline with authority badges, or one section in full.",
    "stats": "Count sections, examples, labelled answers, eval prompts and references.",
    "lint": "Check a spec for structural problems (exit 1 on findings).",
    "export": "Export a spec as JSON or as markdown in the Model Spec dialect.",
    "check": "Show the authority and status of every part of a conversation under a spec.",
    "compile": "Compile a conversation under a spec into the messages a target model receives.",
    "report": "Render eval runs as an offline HTML, markdown or JSON report; diff two runs.",
    "history": "Show compliance over time across runs, models and spec versions.",
    "eval": "Evaluate a model's compliance with a spec, section by section (Inspect AI).",
    "calibrate": "Grade the spec's own labelled answers to measure the judge (accuracy, kappa).",
    "export-data": "Export the spec (and judged runs) as SFT or preference training data.",
    "pack": "Write the spec as a compact context file within a token budget.",
    "feedback": "Record people's verdicts on judged samples; list and export them.",
    "disagreements": "Rank sections and scenarios by disagreement across models and judges.",
    "propose": "Draft a revision of one section (overlay or patched copy) from disagreements.",
    "compose": "Compose overlay specs on a base spec by the chain of command (with provenance).",
    "diff": "Semantic diff of two specs: sections, authority, text, examples, eval prompts.",
    "init": "Scaffold a lint-clean company overlay (sections, examples, eval prompts) on a base.",
    "site": "Write a static, offline website of a spec (TOC, badges, examples, search).",
    "serve": "Run the OpenAI-compatible gateway that enforces a spec on live traffic.",
    "decisions": "List the gateway's decision records, or show one and the text that governed it.",
    "generate": "Generate draft eval scenarios for a spec's sections with a generator model.",
    "scenarios": "Review scenario files: list drafts, approve, reject with a reason, edit.",
    "studio": "Review answers, give verdicts and review drafts in a local web app.",
}

ERROR_PREFIX = "specwright: error: "
"""How every error line on stderr starts, whichever command failed."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in _COMMANDS:
            close = difflib.get_close_matches(name, list(_COMMANDS), n=3)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else "."
            ctx.fail(f"No such command {name!r}{hint}")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=_LazyGroup,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, package_name="specwright")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """specwright: make AI behaviour specs executable (write, enforce, evaluate, revise)."""
    # Imported here, not above: the settings are a pydantic model, and pydantic costs more
    # than `--version` and `--help` may take in all (both are eager: neither gets here).
    from specwright._settings import load_settings

    ctx.obj = load_settings()


def main(argv: list[str] | None = None) -> ExitCode:
    """Run the CLI; return the exit code instead of raising ``SystemExit``."""
    try:
        result = cli.main(args=argv, prog_name="specwright", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        # Bare `specwright` asks what there is: the help, on stdout, and success.
        click.echo(exc.ctx.get_help())
        return ExitCode.OK
    except click.exceptions.Exit as exc:
        return error_exit(exc)
    except (click.ClickException, click.Abort, SpecwrightError, KeyboardInterrupt) as exc:
        _report_error(exc)
        return error_exit(exc)
    # Commands return their ExitCode; click hands it back in non-standalone mode.
    return command_exit(result)


def _report_error(exc: BaseException) -> None:
    """One line on stderr for an expected failure."""
    if isinstance(exc, click.ClickException):
        click.echo(_click_error_line(exc), err=True)
    elif isinstance(exc, KeyboardInterrupt | click.Abort):
        # click turns Ctrl-C into Abort: either way the user stopped the command.
        click.echo("Interrupted.", err=True)
    else:
        click.echo(f"{ERROR_PREFIX}{exc}", err=True)


def _click_error_line(exc: click.ClickException) -> str:
    # One line like every other input error; click's usage block is what --help is for.
    message = " ".join(exc.format_message().split())  # click lists choices over lines
    ctx = exc.ctx if isinstance(exc, click.UsageError) else None
    if ctx is None:
        return f"{ERROR_PREFIX}{message}"
    return f"{ERROR_PREFIX}{message} (try '{ctx.command_path} --help')"


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
