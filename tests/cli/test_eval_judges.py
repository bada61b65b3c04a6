"""Several judges through the real CLI: ``eval``/``calibrate`` with ``--grader`` three times.

One scripted server on 127.0.0.1 answers as the model under test and as three judges (told
apart by the model name in the request); :mod:`tests.eval.judges_support` fixes every judge's
verdict, so each agreement figure below is checked against arithmetic done by hand.

Hand arithmetic (verdicts of judge_a, judge_b, judge_c; T compliant):

- ``clear``: TTT, FFF, TTT, FFF. Every pair agrees everywhere: Fleiss' κ 1, each Cohen's κ 1.
- ``murky``: TTF, TFF, FFT, TFT. Each item has 2 or 1 "T" of 3, so each item's agreement is
  (2·1 + 1·0)/(3·2) = 1/3; P̄ = 1/3. Half of the 12 verdicts are T, so Pe = ½² + ½² = ½ and
  Fleiss' κ = (1/3 − ½)/(1 − ½) = −1/3.
  a vs b: (T,T) (T,F) (F,F) (T,F): agree 2/4; po = ½, a says T ¾, b says T ¼,
  pe = ¾·¼ + ¼·¾ = 3/8, κ = (½ − 3/8)/(5/8) = 1/5.
  a vs c: (T,F) (T,F) (F,T) (T,T): agree 1/4; pe = ¾·½ + ¼·½ = ½, κ = (¼ − ½)/½ = −½.
  b vs c: (T,F) (F,F) (F,T) (F,T): agree 1/4; pe = ¼·½ + ¾·½ = ½, κ = −½.
- whole run (8 samples): P̄ = (4·1 + 4·⅓)/8 = ⅔, Pe = ½, Fleiss' κ = ⅓.
  a vs b: agree 6/8; a says T 5/8, b 3/8; pe = 5/8·3/8 + 3/8·5/8 = 30/64,
  κ = (48/64 − 30/64)/(34/64) = 9/17.
  a vs c and b vs c: agree 5/8; each says T half the time or a says T 5/8 and c ½:
  pe = ½, κ = (5/8 − ½)/½ = ¼.
- headline verdicts (majority): murky TTF→T, TFF→F, FFT→F, TFT→T; clear as the judges.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from specwright._cli import main
from specwright._eval._logs import find_logs, load_run
from specwright._revise._adjudicate import adjudicate
from tests.eval._server import ScriptedServer, is_grader_request, scripted_server
from tests.eval.judges_support import JUDGES, judges_spec, respond

GRADERS = [f"openai-api/local/{j}" for j in JUDGES]
NAMES = [f"openai-roles/local/{j}" for j in JUDGES]


def _grader_args(graders: list[str]) -> list[str]:
    return [arg for g in graders for arg in ("--grader", g)]


def _eval(spec: Path, logs: Path, graders: list[str], *extra: str) -> list[str]:
    return [
        "eval", "--spec", str(spec), "--model", "openai-api/local/target", *_grader_args(graders),
        "--log-dir", str(logs), "--display", "none", "--no-index", "--workers", "1", *extra,
    ]  # fmt: skip


class Judged:
    """The module's one three-judge run (eval --json), and what it needs."""

    def __init__(self, server: ScriptedServer, spec: Path, logs: Path, summary: dict[str, Any],
                 err: str) -> None:  # fmt: skip
        self.server, self.spec, self.logs, self.summary, self.err = server, spec, logs, summary, err

    @property
    def log(self) -> Path:
        (path,) = find_logs(self.logs)
        return path


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Judged]:
    root = tmp_path_factory.mktemp("judges")
    spec = root / "spec.json"
    spec.write_text(judges_spec().model_dump_json(), encoding="utf-8")
    with scripted_server(respond) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BASE_URL", server.base_url)
        patch.setenv("LOCAL_API_KEY", "test-key")
        patch.delenv("INSPECT_LOG_DIR", raising=False)
        # Judge calibrations first: a trusted, an undefined and an inverted judge.
        assert main(["calibrate", "--spec", str(spec), *_grader_args(GRADERS),
                     "--log-dir", str(root / "logs"), "--json"]) == 0  # fmt: skip
        out, err = _run_captured(_eval(spec, root / "logs", GRADERS, "--json"))
        yield Judged(server, spec, root / "logs", json.loads(out), err)


def _run_captured(argv: list[str]) -> tuple[str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


def test_fleiss_and_pairwise_kappa_per_section_match_hand_arithmetic(judged: Judged) -> None:
    data = judged.summary
    assert data["graders"] == NAMES and data["grader"] == NAMES[0]
    whole = data["judge_agreement"]
    assert whole["n"] == 8 and whole["fleiss_kappa"] == pytest.approx(1 / 3)
    assert [p["kappa"] for p in whole["pairs"]] == pytest.approx([9 / 17, 1 / 4, 1 / 4])
    assert [p["agreement"] for p in whole["pairs"]] == pytest.approx([6 / 8, 5 / 8, 5 / 8])
    assert [tuple(p["graders"]) for p in whole["pairs"]] == [
        (NAMES[0], NAMES[1]), (NAMES[0], NAMES[2]), (NAMES[1], NAMES[2]),
    ]  # fmt: skip
    murky = data["judge_agreement_by_section"]["murky"]
    assert murky["n"] == 4 and murky["fleiss_kappa"] == pytest.approx(-1 / 3)
    assert [p["kappa"] for p in murky["pairs"]] == pytest.approx([1 / 5, -1 / 2, -1 / 2])
    clear = data["judge_agreement_by_section"]["clear"]
    assert clear["fleiss_kappa"] == 1.0 and [p["kappa"] for p in clear["pairs"]] == [1.0] * 3
    # The headline verdict is the majority: murky TTF, TFF, FFT, TFT -> 2 of 4 compliant.
    assert data["by_section"] == {"clear": 0.5, "murky": 0.5} and data["n_scored"] == 8


def test_every_judge_is_asked_and_each_verdict_is_kept(judged: Judged) -> None:
    graded = [r for r in judged.server.requests if is_grader_request(r)]
    # calibration: 16 labelled answers x 3 judges x 3 grader samples; eval: 8 x 3 x 3.
    assert sorted({r["model"] for r in graded}) == list(JUDGES)
    assert len(graded) == 16 * 3 * 3 + 8 * 3 * 3
    run = load_run(judged.log)
    murky_1 = next(s for s in run.samples if s.scenario_id == "murky/example-1")
    assert [(j.grader, j.compliant) for j in murky_1.judges] == list(
        zip(NAMES, (True, True, False), strict=True)
    )
    assert murky_1.compliant is True and len(murky_1.grades) == 9  # every judge's samples
    assert murky_1.grader_tokens == sum(j.grader_tokens for j in murky_1.judges) > 0


def test_each_judge_is_held_to_its_own_calibration(judged: Judged) -> None:
    run = load_run(judged.log)
    kappas = {g: c.kappa for g, c in run.judge_calibrations.items()}
    assert kappas == {NAMES[0]: 1.0, NAMES[1]: 0.0, NAMES[2]: -1.0}
    assert run.calibration is not None and run.calibration.grader == NAMES[0]
    lines = [line for line in judged.err.splitlines() if line.startswith("warning:")]
    assert any(line.startswith(f"warning: {NAMES[1]}: judge is weak: kappa 0.00") for line in lines)
    assert any(
        line.startswith(f"warning: {NAMES[2]}: judge is weak: kappa -1.00") for line in lines
    )
    assert not any(NAMES[0] + ":" in line for line in lines)  # the trusted judge is not flagged


def test_report_json_markdown_and_html_show_agreement_per_section(
    judged: Judged, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(judged.log), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["judge_agreement_by_section"]["murky"]["fleiss_kappa"] == pytest.approx(-1 / 3)
    assert data["samples"][0]["judges"][0]["grader"] == NAMES[0]
    assert main(["report", str(judged.log), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "## Agreement between judges" in markdown
    assert (
        "| `murky` | -0.33 | 4 | κ 0.20, 50% agree (n=4) | κ -0.50, 25% agree (n=4) |" in markdown
    )
    assert "| **all sections** | 0.33 | 8 | κ 0.53, 75% agree (n=8) |" in markdown
    assert "judge\\_b: judge weak" in markdown
    # Each judge alone: a finds 2 + 3 of 8 compliant, b 2 + 1, c 2 + 2 (see the table above).
    from specwright._report._judges import judge_rates

    alone = judge_rates(load_run(judged.log))
    assert {g: r.rate for g, r in alone.items()} == dict(
        zip(NAMES, (5 / 8, 3 / 8, 1 / 2), strict=True)
    )
    assert (
        "alone it finds 38% [14–69%] (n=8) compliant" in markdown
        and "judge\\_c: judge weak" in markdown
    )
    page = tmp_path / "report.html"
    assert main(["report", str(judged.log), "-o", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert '<section id="judges">' in html and "Agreement between judges" in html
    assert '<tr data-section="murky"><td><code>murky</code></td><td>-0.33</td><td>4</td>' in html


def test_disagreements_rank_the_section_the_judges_split_on_first(
    judged: Judged, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["disagreements", str(judged.log), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["section_id"] for s in data["sections"]] == ["murky", "clear"]
    top = data["scenarios"][:4]
    assert {s["scenario_id"] for s in top} == {f"murky/example-{n}" for n in range(1, 5)}
    axes = {a["axis"]: a for a in top[0]["axes"]}
    assert axes["judges"]["disagreement"] == pytest.approx(2 / 3)  # 1 of 3 judges dissents
    assert axes["grader_samples"]["disagreement"] == 0.0  # each judge agrees with itself


def test_a_human_verdict_overrides_the_majority_and_keeps_the_judges(judged: Judged) -> None:
    from datetime import UTC, datetime

    from specwright._results._feedback import Feedback

    run = load_run(judged.log)
    feedback = Feedback(
        feedback_id="f1", created=datetime.now(UTC), author="tester", run_id=run.run_id,
        model=run.model, spec_hash=run.spec_hash, section_id="murky",
        scenario_id="murky/example-1", epoch=1, verdict="non-compliant",
        judge_verdict="compliant", judge=run.grader,
    )  # fmt: skip
    decided = adjudicate(run, [feedback])
    sample = next(s for s in decided.samples if s.scenario_id == "murky/example-1")
    assert sample.adjudicated and sample.compliant is False and sample.judge_compliant is True
    assert [j.compliant for j in sample.judges] == [True, True, False]
    assert decided.by_section["murky"].rate == 0.25 and decided.n_adjudicated == 1
    assert decided.judge_agreement == run.judge_agreement  # the judges' own verdicts stand


def test_calibrate_reports_and_gates_each_judge(
    judged: Judged, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BASE_URL", judged.server.base_url)
        patch.setenv("LOCAL_API_KEY", "test-key")
        argv = ["calibrate", "--spec", str(judged.spec), *_grader_args(GRADERS),
                "--log-dir", str(tmp_path), "--json", "--min-kappa", "0.5"]  # fmt: skip
        code = main(argv)
    out, err = capsys.readouterr()
    assert code == 1
    judges = json.loads(out)["judges"]
    assert [(j["grader"], j["kappa"]) for j in judges] == list(
        zip(NAMES, (1.0, 0.0, -1.0), strict=True)
    )
    assert [j["confusion"] for j in judges] == [
        {"tp": 8, "fp": 0, "tn": 8, "fn": 0},
        {"tp": 8, "fp": 8, "tn": 0, "fn": 0},
        {"tp": 0, "fp": 8, "tn": 0, "fn": 8},
    ]
    # Agreement between the judges on the 16 labelled answers: GOOD ones get (T, T, F), BAD
    # ones (F, T, T). Each answer's agreement is 1/3; 2/3 of the verdicts are T, so
    # Pe = 4/9 + 1/9 = 5/9 and Fleiss' kappa = (1/3 - 5/9) / (4/9) = -1/2. a vs b agree on
    # GOOD only, and b always says T (kappa 0); a vs c never agree (kappa -1); b vs c agree on
    # BAD only, kappa 0 again. Each section (4 GOOD, 4 BAD) gives the same figures.
    data = json.loads(out)
    for agreement in (data["agreement"], *data["agreement_by_section"].values()):
        assert agreement["fleiss_kappa"] == pytest.approx(-1 / 2)
        assert [p["kappa"] for p in agreement["pairs"]] == [0.0, -1.0, 0.0]
        assert [p["agreement"] for p in agreement["pairs"]] == [0.5, 0.0, 0.5]
    assert data["agreement"]["n"] == 16 and sorted(data["agreement_by_section"]) == [
        "clear", "murky",
    ]  # fmt: skip
    assert f"grader {NAMES[1]}: kappa 0.000 is below --min-kappa 0.5" in err
    assert f"grader {NAMES[2]}: kappa -1.000 is below --min-kappa 0.5" in err
    assert f"grader {NAMES[0]}:" not in err
    assert err.count("saved ") == 3 and len(list((tmp_path / "calibrations").iterdir())) == 3


def test_calibrate_json_prints_what_it_saved(
    judged: Judged, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The several-judge document is the stage's record: each judge's entry is the very
    # calibration saved beside the logs (made once, so even its timestamp agrees).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BASE_URL", judged.server.base_url)
        patch.setenv("LOCAL_API_KEY", "test-key")
        argv = ["calibrate", "--spec", str(judged.spec), *_grader_args(GRADERS),
                "--log-dir", str(tmp_path), "--json"]  # fmt: skip
        assert main(argv) == 0
    out, err = capsys.readouterr()
    saved = [line.removeprefix("saved ") for line in err.splitlines() if line.startswith("saved ")]
    assert len(saved) == len(GRADERS)
    files = [json.loads(Path(path).read_text(encoding="utf-8")) for path in saved]
    assert json.loads(out)["judges"] == files


def test_calibrate_human_output_shows_each_judge(
    judged: Judged, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BASE_URL", judged.server.base_url)
        patch.setenv("LOCAL_API_KEY", "test-key")
        code = main(["calibrate", "--spec", str(judged.spec), *_grader_args(GRADERS[:2]),
                     "--log-dir", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert f"grader {NAMES[0]}: accuracy 100.0%, Cohen's kappa 1.000" in out
    assert f"grader {NAMES[1]}: accuracy 50.0%, Cohen's kappa 0.000" in out
    assert "judges agree: Fleiss' kappa -0.33 (n=16)" in out


@pytest.mark.parametrize("command", ["eval", "calibrate"])
@pytest.mark.parametrize(
    ("graders", "expected"),
    [
        (["openai-api/local/j", "openai-api/local/j"], "given twice"),
        (["openai-api/local/j", "openai-roles/local/j"], "given twice (as openai-api/local/j)"),
        (["openai-api/local/j", "judge"], "--grader 'judge': not a model name"),
        (["openai-api/local/j", "openai-api/local/a,b"], "not a model name"),
        (["openai-api/local/j", ""], "--grader '': not a model name"),
    ],
)
def test_bad_graders_are_one_line_and_exit_2(
    command: str, graders: list[str], expected: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    spec = tmp_path / "spec.json"
    spec.write_text(judges_spec().model_dump_json(), encoding="utf-8")
    with scripted_server(respond) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BASE_URL", server.base_url)
        patch.setenv("LOCAL_API_KEY", "test-key")
        if command == "eval":
            argv = _eval(spec, tmp_path / "logs", graders)
        else:
            argv = ["calibrate", "--spec", str(spec), *_grader_args(graders),
                    "--log-dir", str(tmp_path / "logs")]  # fmt: skip
        code = main(argv)
        asked = len(server.requests)
    err = capsys.readouterr().err
    assert code == 2 and asked == 0
    assert len(err.strip().splitlines()) == 1 and expected in err and "Traceback" not in err


def test_a_partial_three_judge_run_resumes_redoing_only_its_failed_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.eval._server import RawReply

    spec = tmp_path / "spec.json"
    spec.write_text(judges_spec().model_dump_json(), encoding="utf-8")
    failing = {"on": True}

    def responder(body: dict[str, Any]) -> str | RawReply:
        third = body["model"] == "judge_c" and "ANSWER case murky-2" in str(body["messages"])
        if failing["on"] and third:  # the third judge refuses one answer: that sample fails
            return RawReply('{"error": {"message": "no"}}', status=400)
        return respond(body)

    argv = _eval(spec, tmp_path / "logs", GRADERS, "--json", "--max-retries", "0")
    with scripted_server(responder) as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOCAL_BASE_URL", server.base_url)
        patch.setenv("LOCAL_API_KEY", "test-key")
        assert main(argv) == 1
        first = json.loads(capsys.readouterr().out)
        failing["on"] = False
        before = len(server.requests)
        assert main(argv) == 0
        again = server.requests[before:]
    assert first["complete"] is False and first["samples_done"] == 7
    # Only murky/example-2 is redone: one answer and 3 judges x 3 grader samples.
    assert len(again) == 1 + 9 and {r["model"] for r in again} == {"target", *JUDGES}
    done = json.loads(capsys.readouterr().out)
    assert done["complete"] is True and done["n_scored"] == 8
    assert done["judge_agreement"]["fleiss_kappa"] == pytest.approx(1 / 3)
    # eval_retry writes a new log of the same run (Inspect's task id survives a retry).
    assert len({load_run(p).run_id for p in find_logs(tmp_path / "logs")}) == 1


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda judges: judges[0].pop("grader"), "judges.0.grader"),
        (lambda judges: judges[1].update(compliant="maybe"), "judges.1.compliant"),
        (lambda judges: judges.append("not a verdict"), "judges.3"),
    ],
)
def test_a_malformed_judge_verdict_in_a_log_is_one_line_naming_the_field(
    judged: Judged, mutate: Any, field: str
) -> None:
    from inspect_ai.log import read_eval_log

    from specwright._errors import ConfigurationError
    from specwright._eval._logs import SCORER_NAME, run_from_log

    log = read_eval_log(str(judged.log))
    score = (log.samples or [])[0].scores[SCORER_NAME]  # type: ignore[index]
    assert score.metadata is not None
    mutate(score.metadata["judges"])
    with pytest.raises(ConfigurationError) as caught:
        run_from_log(log)
    message = str(caught.value)
    assert f"bad score metadata: {field}" in message and "\n" not in message
