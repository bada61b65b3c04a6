"""``eval --workers``: the same results as one process, sample for sample, after kills too."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from inspect_ai.log import read_eval_log_sample_summaries

from specwright import Section, Spec
from specwright._eval._logs import find_logs, load_run
from specwright._results import RunResult
from tests.cli.test_eval_cli import ROOT, respond
from tests.eval._server import ScriptedServer, is_grader_request, last_user_text, scripted_server
from tests.eval.conftest import labelled

N = 50  # two workers need at least 25 samples each

# Several evals in subprocesses each: more than the suite's default per-test limit.
pytestmark = pytest.mark.timeout(600)


def _spec_file(tmp_path: Path) -> Path:
    examples = tuple(
        labelled("many", i, f"{'violate' if i % 7 == 0 else 'comply'} {i}") for i in range(1, N + 1)
    )
    spec = Spec(title="Many", sections=(Section(id="many", title="Many", depth=1,
                                                authority="user", blocks=examples),))  # fmt: skip
    path = tmp_path / "many.json"
    path.write_text(spec.model_dump_json(), encoding="utf-8")
    return path


def _command(spec: Path, logs: Path, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "specwright", "eval", "--spec", str(spec),
        "--model", "openai-api/local/target", "--grader", "openai-api/local/judge",
        "--log-dir", str(logs), "--grader-samples", "1", "--max-connections", "4",
        "--workers", str(workers), "--no-index", "--json",
    ]  # fmt: skip


def _env(server: ScriptedServer) -> dict[str, str]:
    return os.environ | {
        "LOCAL_BASE_URL": server.base_url, "LOCAL_API_KEY": "k",
        "PYTHONPATH": str(ROOT / "src"),
    }  # fmt: skip


def _verdicts(run: RunResult) -> list[tuple[str, int, bool | None, float | None]]:
    return sorted((s.scenario_id, s.epoch, s.compliant, s.score) for s in run.samples)


def _run(command: list[str], server: ScriptedServer) -> dict[str, object]:
    done = subprocess.run(command, env=_env(server), cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_two_workers_give_the_same_run_as_one(tmp_path: Path) -> None:
    spec = _spec_file(tmp_path)
    with scripted_server(respond) as server:
        one = _run(_command(spec, tmp_path / "one", 1), server)
        two = _run(_command(spec, tmp_path / "two", 2), server)
    single, merged = load_run(str(one["log"])), load_run(str(two["log"]))
    assert _verdicts(merged) == _verdicts(single) and len(merged.samples) == N
    assert merged.overall == single.overall and merged.by_section == single.by_section
    # One run in the log directory, in the order one process would have written it.
    assert [p.name for p in find_logs(tmp_path / "two")] == [Path(str(two["log"])).name]
    # Inspect reads samples back in its own order: the same for the merged log as for one process.
    assert [s.scenario_id for s in merged.samples] == [s.scenario_id for s in single.samples]
    assert not (tmp_path / "two" / ".shards").exists() or not any(
        (tmp_path / "two" / ".shards").iterdir()
    )


def test_killed_workers_resume_redoing_only_unfinished_samples(tmp_path: Path) -> None:
    spec = _spec_file(tmp_path)
    logs = tmp_path / "logs"
    with scripted_server(respond, latency=0.15) as server:
        command = _command(spec, logs, 2)
        proc = subprocess.Popen(command, env=_env(server), cwd=ROOT, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 120
        while server.count(is_grader_request) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        graded = server.count(is_grader_request)
        time.sleep(0.3)  # let the graded samples reach the log buffer
        os.killpg(proc.pid, signal.SIGKILL)  # the parent and both workers, at once
        proc.wait(timeout=10)
        first = server.count(lambda r: not is_grader_request(r))
        assert graded >= 20 and first < N, "the run should have been killed midway"
        result = _run(command, server)
        second = server.count(lambda r: not is_grader_request(r)) - first
    final = load_run(str(result["log"]))
    assert sorted(s.scenario_id for s in final.samples) == sorted(
        f"many/example-{i}" for i in range(1, N + 1)
    )
    assert final.overall.rate == 1 - len([i for i in range(1, N + 1) if i % 7 == 0]) / N
    # Log buffers (10 samples per worker) may lose a few graded samples; never all of them.
    assert second <= N - graded + 2 * 10, (first, graded, second)


def test_ctrl_c_stops_every_worker_with_exit_130(tmp_path: Path) -> None:
    spec = _spec_file(tmp_path)
    with scripted_server(respond, latency=0.2) as server:
        proc = subprocess.Popen(_command(spec, tmp_path / "logs", 2), env=_env(server), cwd=ROOT,
                                start_new_session=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        deadline = time.monotonic() + 120
        while server.count(is_grader_request) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the whole group
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "re-run the same command to resume" in err
    assert "Traceback" not in err


class _Zygote:
    """``specwright`` commands forked from one warm interpreter (tests/cli/_eval_zygote.py)."""

    def __init__(self, env: dict[str, str], where: Path) -> None:
        helper = Path(__file__).with_name("_eval_zygote.py")
        self.proc = subprocess.Popen([sys.executable, str(helper)], env=env, cwd=ROOT, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
        self.where = where
        self.runs = 0

    def start(self, argv: list[str]) -> int:
        self.runs += 1
        out, err = self.where / f"out-{self.runs}", self.where / f"err-{self.runs}"
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"argv": argv, "out": str(out), "err": str(err)}) + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline().split()[1])

    def wait(self) -> tuple[int, str, str]:
        """The exit code once the command and every process it left have ended; its output."""
        assert self.proc.stdout is not None
        code = int(self.proc.stdout.readline().split()[1])
        out, err = self.where / f"out-{self.runs}", self.where / f"err-{self.runs}"
        return code, out.read_text(), err.read_text()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (a run's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, …
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _scenario(body: dict[str, object]) -> str:
    """The sample a target request is for: ``comply 7`` → ``many/example-7``."""
    return "many/example-" + last_user_text(body).split()[-1]


def _saved(logs: Path) -> set[str]:
    """The samples some log on disk holds as done (shard logs and merged logs)."""
    saved: set[str] = set()
    for path in logs.rglob("*_compliance_*.eval"):
        try:
            summaries = read_eval_log_sample_summaries(str(path))
        except Exception:  # a log being replaced as we read it: read the next round's
            continue
        saved.update(str(s.id) for s in summaries if s.error is None and s.scores)
    return saved


def _kill_when(parent: int, rng: random.Random, ready: Callable[[int], bool]) -> str | None:
    """Once ``ready(parent)`` (or the run ended), SIGKILL the parent or one of its workers,
    chosen at random; which one it was (``None``: the run had ended)."""
    while not ready(parent) and _alive(parent):
        time.sleep(0.005)
    victims = [parent, *_children(parent)] if _alive(parent) else []
    if not victims:
        return None
    victim = rng.choice(victims)
    with contextlib.suppress(ProcessLookupError):
        os.kill(victim, signal.SIGKILL)
    return "parent" if victim == parent else "worker"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


ROUNDS = 20


class _Round:
    """One run of the command and when to kill it, drawn at random: while it starts, a moment
    after its workers are up, after a few requests, or (``late``) in the run's tail, once every
    unfinished sample was asked for (saving, merging, cleaning up)."""

    def __init__(self, server: ScriptedServer, saved: set[str], rng: random.Random, late: bool):
        self.server, self.saved = server, saved
        self.mode = "late" if late else rng.choice(["starting", "workers", "requests"])
        self.before = len(self.targets())
        self.start = time.monotonic()
        self.delay, self.enough = rng.uniform(0.0, 0.6), rng.randint(1, 4)
        self.up: float | None = None  # when the workers were first seen

    def targets(self) -> list[dict[str, object]]:
        requests = list(self.server.requests)  # a copy: the server appends as we read
        return [r for r in requests if not is_grader_request(r)]

    def asked(self) -> set[str]:
        """The samples this round's processes asked the target for."""
        return {_scenario(r) for r in self.targets()[self.before :]}

    def ready(self, parent: int) -> bool:
        now, asked = time.monotonic(), len(self.targets()) - self.before
        if self.mode == "starting":
            return now - self.start > self.delay or asked > 0
        if self.mode == "requests":
            return asked >= self.enough
        if self.up is None and (self.mode == "workers" or len(self.asked() | self.saved) == N):
            self.up = now if self.mode == "late" or _children(parent) else None
        if self.up is None:
            return False
        return now - self.up > self.delay or (self.mode == "workers" and asked >= self.enough)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc; the helper is a subreaper")
def test_every_death_resumes_with_only_the_unfinished_samples(tmp_path: Path) -> None:
    """SIGKILL of the parent or a worker at random moments, ROUNDS times and then in the run's
    tail: no re-run asks for a sample a log already holds, none prints a traceback, and one
    complete run ends in ``history``."""
    rng = random.Random(233)
    spec, logs, db = _spec_file(tmp_path), tmp_path / "logs", tmp_path / "runs.db"
    command = _command(spec, logs, 2)[3:]  # the arguments after `python -m specwright`
    command[command.index("--no-index")] = f"--results-db=sqlite:///{db}"
    command.append("--fast")  # less logging per sample: the rounds stay quick
    saved: set[str] = set()
    kills: list[str] = []
    with scripted_server(respond, latency=0.01) as server:
        zygote = _Zygote(_env(server), tmp_path)
        for number in range(ROUNDS + 3):
            round_ = _Round(server, saved, rng, late=number >= ROUNDS)
            victim = _kill_when(zygote.start(command), rng, round_.ready)
            code, _, err = zygote.wait()
            assert "Traceback" not in err, err
            again = round_.asked() & saved
            assert not again, f"round {number} ({victim} killed) redid saved samples {again}"
            if victim is None or code == 0 or _merged_and_clean(logs):
                break  # done (a kill after the cleanup finds a finished run: no round)
            kills.append(victim)
            assert code in {1, 137}, err  # a dead worker: 1, in one line; the parent: SIGKILL
            assert code == 137 or err.strip().splitlines()[-1].startswith("stopped: worker"), err
            saved = _saved(logs)
        if code != 0 and not _merged_and_clean(logs):  # the tail rounds killed every run
            zygote.start(command)
            code, _, err = zygote.wait()
        zygote.start(["history", f"--results-db=sqlite:///{db}", "--log-dir", str(logs), "--json"])
        listed = zygote.wait()
        zygote.close()
    assert len(kills) >= ROUNDS and {"parent", "worker"} <= set(kills), kills
    assert _merged_and_clean(logs), err
    (log,) = logs.glob("*_compliance_*.eval")  # one run: never merged twice
    final = load_run(log)
    assert sorted(s.scenario_id for s in final.samples) == sorted(
        f"many/example-{i}" for i in range(1, N + 1)
    )
    assert final.finished and final.overall.n == N
    assert listed[0] == 0, listed[2]
    assert [run["run_id"] for run in json.loads(listed[1])["runs"]] == [final.run_id]


def _merged_and_clean(logs: Path) -> bool:
    """Whether the run's merged log is in the log directory and its shards are gone."""
    shards = logs / ".shards"
    leftovers = list(shards.iterdir()) if shards.is_dir() else []
    return not leftovers and any(logs.glob("*_compliance_*.eval"))
