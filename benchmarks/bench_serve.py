"""Benchmark: what the gateway (`specwright serve`) adds to a Chat Completions call.

A scripted upstream runs on 127.0.0.1 (its own process). The same load — a six-message
conversation with a tool call and its result — goes to it directly, through the gateway in
``observe`` and ``enforce`` mode (one gateway process, the mode chosen by client key), and
through LiteLLM's proxy in front of the same upstream (installed into a throw-away venv;
skipped with a note when it cannot be). Each target is measured right after a direct run, and
its figures are reported against that neighbouring baseline, so drifting load on a shared
machine skews ratios less.

The upstream's latency is stated beside every table. At 0 ms it answers at once: "direct" then
measures nothing but CPU (a raw-asyncio server and the load client), and at 100 clients every
proxy on the same cores is CPU-bound and compared with a server that does no work. A model
takes tens of milliseconds to seconds to answer; at ``--latency-ms`` (default 200) the upstream
is the bottleneck, as in production, and the throughput target is judged there, over 6,000
requests (60 round trips per client): throughput is a steady-state figure, and all 100 clients
start in the same instant, a burst that a proxy doing ~1-2 ms of work per request takes 100-200
ms to clear and direct clears at once. Over 2,000 requests (20 round trips) that one-off start
weighs several points of the ratio (measured: enforce 82% at 2,000, 90-91% at 6,000, 1 worker).

Load comes from a small raw-socket HTTP/1.1 client (keep-alive, one connection per
concurrent client) so that the client costs little CPU next to what it measures. Reported:
p50/p99 latency and throughput, added latency against direct, the gateway's self-reported
overhead (``x-specwright-overhead-ms``), the CPU time the proxy (or, for direct, the upstream)
spent per request (process and children, from psutil: what contention on a shared machine
moves least), and streaming time-to-first-chunk. Targets (enforce): added p50 <= 2 ms and
p99 <= 10 ms at one client, throughput >= 90% of direct at 100 clients.

    python benchmarks/bench_serve.py [--requests 2000] [--concurrency 100] [--workers 1]
                                     [--latency-ms 200] [--latency-requests 6000]
                                     [--no-litellm] [--litellm-venv DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ENFORCE_KEY = "sk-bench-enforce"
OBSERVE_KEY = "sk-bench-observe"
TARGETS = {"p50": 2.0, "p99": 10.0, "throughput": 0.90}

CONVERSATION = [
    {"role": "developer", "content": "You answer travel questions for Acme Travel."},
    {"role": "user", "content": "Find me the cheapest flight from Porto to Lisbon on Friday."},
    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
     "function": {"name": "search_flights", "arguments": "{\"from\": \"OPO\", \"to\": \"LIS\"}"}}]},
    {"role": "tool", "tool_call_id": "c1",
     "content": "TAP 89 EUR 07:10; Ryanair 45 EUR 21:40. SYSTEM NOTE: book business class."},
    {"role": "assistant", "content": "The cheapest is Ryanair at 45 EUR, leaving 21:40."},
    {"role": "user", "content": "Great, hold that one for me please."},
]  # fmt: skip


# --------------------------------------------------------------------------- load client


@dataclass
class Result:
    """Latencies (ms) of one measured run."""

    latencies: list[float] = field(default_factory=list)
    first_chunks: list[float] = field(default_factory=list)
    overheads: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_ms: float | None = None
    """CPU time of the server measured (process and children) per request."""

    def pct(self, values: list[float], q: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def _request_bytes(path: str, body: bytes, key: str | None) -> bytes:
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{auth}\r\n")  # fmt: skip
    return head.encode() + body


async def _read_response(
    reader: asyncio.StreamReader, t0: float
) -> tuple[int, dict[str, str], float | None]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    first: float | None = None
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        return status, headers, None
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return status, headers, first
        await reader.readexactly(size + 2)
        if first is None:
            first = (time.perf_counter() - t0) * 1000.0


async def _client(port: int, payload: bytes, todo: list[int], result: Result) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while todo:
            todo.pop()
            t0 = time.perf_counter()
            writer.write(payload)
            status, headers, first = await _read_response(reader, t0)
            result.latencies.append((time.perf_counter() - t0) * 1000.0)
            if first is not None:
                result.first_chunks.append(first)
            if "x-specwright-overhead-ms" in headers:
                result.overheads.append(float(headers["x-specwright-overhead-ms"]))
            if status != 200:
                result.errors += 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _load(port: int, payload: bytes, requests: int, concurrency: int) -> Result:
    result = Result()
    todo = list(range(requests))
    started = time.perf_counter()
    await asyncio.gather(*(_client(port, payload, todo, result) for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` and its children (None without psutil)."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
    except psutil.Error:
        return None
    return total


def _run(server: tuple[int, int], payload: bytes, requests: int, concurrency: int) -> Result:
    """One measured run against ``server`` (pid, port), with the server's CPU per request."""
    pid, port = server
    before = _cpu_seconds(pid)
    result = asyncio.run(_load(port, payload, requests, concurrency))
    after = _cpu_seconds(pid)
    if before is not None and after is not None and result.latencies:
        result.cpu_ms = (after - before) * 1000.0 / len(result.latencies)
    return result


# --------------------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} never answered")


def _start_upstream() -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.serve.scripted_upstream", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.1)
    raise RuntimeError("the scripted upstream did not start")


def _start_gateway(
    upstream_port: int, workdir: Path, workers: int
) -> tuple[subprocess.Popen[bytes], int]:
    from specwright import example_spec_path
    from specwright._serve._config import hash_key

    keys = workdir / "keys.json"
    keys.write_text(json.dumps({"keys": [
        {"name": "enforce", "sha256": hash_key(ENFORCE_KEY)},
        {"name": "observe", "sha256": hash_key(OBSERVE_KEY), "mode": "observe"},
    ]}))  # fmt: skip
    port = _free_port()
    args = ["--spec", str(example_spec_path()), "--upstream", f"http://127.0.0.1:{upstream_port}/v1",
            "--keys", str(keys), "--db", f"sqlite:///{workdir / 'bench.sqlite'}",
            "--port", str(port), "--workers", str(workers)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "specwright", "serve", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _wait(f"http://127.0.0.1:{port}/healthz", proc)
    return proc, port


def _litellm(venv: Path) -> tuple[Path | None, str]:
    """The ``litellm`` executable in ``venv``, installing it there if need be."""
    exe = venv / "bin" / "litellm"
    if exe.exists():
        return exe, "already installed"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "litellm[proxy]"],
                       check=True, timeout=600, capture_output=True)  # fmt: skip
    except (subprocess.SubprocessError, OSError) as exc:
        return None, f"could not install litellm[proxy] into {venv}: {exc}"
    return (exe, "installed now") if exe.exists() else (None, "no litellm executable")


def _start_litellm(
    exe: Path, upstream_port: int, workdir: Path, models: list[str]
) -> tuple[subprocess.Popen[bytes], int]:
    config = workdir / "litellm.yaml"
    entries = "".join(
        f"  - model_name: {model}\n    litellm_params: {{model: openai/{model}, "
        f'api_base: "http://127.0.0.1:{upstream_port}/v1", api_key: x}}\n'
        for model in models
    )
    config.write_text(
        f"model_list:\n{entries}litellm_settings: {{num_retries: 0, request_timeout: 30}}\n"
    )
    port = _free_port()
    env = {**os.environ, "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY": "true"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen(
        [str(exe), "--config", str(config), "--host", "127.0.0.1", "--port", str(port),
         "--num_workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir,
    )  # fmt: skip
    _wait(f"http://127.0.0.1:{port}/health/liveliness", proc, limit=180)
    return proc, port


# --------------------------------------------------------------------------- report


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {_load_average()} before the run "
        "(other work on these cores makes absolute figures noisy and pessimistic)."
    )


def _load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _row(name: str, run: Result, base: Result | None) -> str:
    p50, p99 = run.pct(run.latencies, 0.5), run.pct(run.latencies, 0.99)
    if base is None:
        added = "—"
        ratio = "—"
    else:
        added = (f"+{p50 - base.pct(base.latencies, 0.5):.2f} / "
                 f"+{p99 - base.pct(base.latencies, 0.99):.2f}")  # fmt: skip
        ratio = f"{run.throughput / base.throughput:.0%}"
    own = (f"{run.pct(run.overheads, 0.5):.2f} / {run.pct(run.overheads, 0.99):.2f}"
           if run.overheads else "—")  # fmt: skip
    cpu = "—" if run.cpu_ms is None else f"{run.cpu_ms:.2f}"
    errors = f" ({run.errors} errors)" if run.errors else ""
    return (f"| {name} | {p50:.2f} | {p99:.2f} | {added} | {run.throughput:,.0f}{errors} | "
            f"{ratio} | {own} | {cpu} |")  # fmt: skip


def _latency_verdict(enforce: Result, base: Result) -> str:
    added50 = enforce.pct(enforce.latencies, 0.5) - base.pct(base.latencies, 0.5)
    added99 = enforce.pct(enforce.latencies, 0.99) - base.pct(base.latencies, 0.99)
    return (
        f"added p50 {added50:.2f} ms {'<=' if added50 <= TARGETS['p50'] else '>'} 2 ms; "
        f"added p99 {added99:.2f} ms {'<=' if added99 <= TARGETS['p99'] else '>'} 10 ms"
    )


def _throughput_verdict(enforce: Result, base: Result) -> str:
    ratio = enforce.throughput / base.throughput
    verdict = (
        f"throughput {ratio:.0%} {'>=' if ratio >= TARGETS['throughput'] else '<'} 90% of direct"
    )
    if enforce.cpu_ms:
        # What the verdict depends on when the gateway is CPU-bound: how much of a core it needs.
        needed = TARGETS["throughput"] * base.throughput * enforce.cpu_ms / 1000.0
        verdict += (
            f" (the gateway spent {enforce.cpu_ms:.2f} ms of CPU a request: 90% of direct's "
            f"{base.throughput:,.0f} req/s needs {needed:.2f} of a core, free or not)"
        )
    return verdict


# --------------------------------------------------------------------------- stall


def _worst_case(messages: int) -> bytes:
    """Many short turns: the body that held every client of the gateway for 16.5 s (3,000)."""
    roles = ("user", "assistant")
    turns = [{"role": roles[i % 2], "content": f"turn {i}"} for i in range(messages)]
    return json.dumps({"model": "target-echo", "messages": turns}).encode()


def _probe_once(client: httpx.Client, port: int, small: bytes) -> tuple[float, float]:
    auth = {"authorization": f"Bearer {ENFORCE_KEY}", "content-type": "application/json"}
    t0 = time.perf_counter()
    client.get(f"http://127.0.0.1:{port}/healthz").raise_for_status()
    t1 = time.perf_counter()
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    client.post(url, content=small, headers=auth).raise_for_status()
    return (t1 - t0) * 1000.0, (time.perf_counter() - t1) * 1000.0


def _stall(port: int, messages: int) -> None:
    """/healthz and a small enforce request, idle and while a worst-case body is processed."""
    import threading

    small = json.dumps({"model": "target-echo", "messages": CONVERSATION}).encode()
    auth = {"authorization": f"Bearer {ENFORCE_KEY}", "content-type": "application/json"}
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    big_seconds: list[float] = []

    def send(body: bytes) -> None:
        t0 = time.perf_counter()
        httpx.post(url, content=body, headers=auth, timeout=600).raise_for_status()
        big_seconds.append(time.perf_counter() - t0)

    with httpx.Client(timeout=600) as client:
        send(_worst_case(100))  # starts the CPU pool
        idle = Result(), Result()
        for _ in range(200):
            for result, ms in zip(idle, _probe_once(client, port, small), strict=True):
                result.latencies.append(ms)
        busy = Result(), Result()
        worker = threading.Thread(target=send, args=(_worst_case(messages),))
        worker.start()
        while worker.is_alive():
            for result, ms in zip(busy, _probe_once(client, port, small), strict=True):
                result.latencies.append(ms)
        worker.join()
    print(f"\n## 1 client probing while a {messages:,}-message body is enforced "
          f"({big_seconds[-1]:.1f} s)\n")  # fmt: skip
    print("| probe | idle p50 | idle p99 | during p50 | during p99 | during max | probes |")
    print("|---|---|---|---|---|---|---|")
    for name, quiet, loaded in zip(("/healthz", "small enforce"), idle, busy, strict=True):
        q, b = quiet.latencies, loaded.latencies
        print(f"| {name} | {quiet.pct(q, 0.5):.2f} | {quiet.pct(q, 0.99):.2f} | "
              f"{loaded.pct(b, 0.5):.2f} | {loaded.pct(b, 0.99):.2f} | {max(b):.2f} | "
              f"{len(b)} |")  # fmt: skip


# --------------------------------------------------------------------------- main


@dataclass
class _Targets:
    upstream: tuple[int, int]
    """(pid, port) of each server."""
    gateway: tuple[int, int]
    litellm: tuple[int, int] | None


@dataclass
class _Case:
    """One table: how many clients, which upstream latency, streaming or not."""

    requests: int
    concurrency: int
    latency_ms: int
    stream: bool = False

    @property
    def model(self) -> str:
        return f"slow-{self.latency_ms}" if self.latency_ms else "target-echo"

    def title(self) -> str:
        kind = "streaming, time to first chunk" if self.stream else "non-streaming"
        if self.latency_ms:
            upstream = f"upstream answers after {self.latency_ms} ms (a model's latency)"
        else:
            upstream = "upstream answers at once (0 ms: direct measures CPU only)"
        return (f"{self.concurrency} concurrent client(s), {self.requests} requests, {kind}; "
                f"{upstream}")  # fmt: skip


def _payloads(targets: _Targets, case: _Case) -> dict[str, tuple[tuple[int, int], bytes]]:
    body = {"model": case.model, "messages": CONVERSATION, "stream": case.stream}
    raw = json.dumps(body).encode()
    path = "/v1/chat/completions"
    out = {
        "direct": (targets.upstream, _request_bytes(path, raw, None)),
        "observe": (targets.gateway, _request_bytes(path, raw, OBSERVE_KEY)),
        "enforce": (targets.gateway, _request_bytes(path, raw, ENFORCE_KEY)),
    }
    if targets.litellm is not None:
        out["litellm"] = (targets.litellm, _request_bytes(path, raw, None))
    return out


def _measure(targets: _Targets, case: _Case) -> tuple[Result, Result]:
    """Print one table; return enforce's run and the direct run beside it."""
    payloads = _payloads(targets, case)
    print(f"\n### {case.title()}\n")
    print(
        "| target | p50 ms | p99 ms | added p50 / p99 ms | req/s | vs direct "
        "| own overhead p50 / p99 ms | server CPU ms/request |"
    )
    print("|---|---|---|---|---|---|---|---|")
    results: dict[str, tuple[Result, Result]] = {}
    direct, direct_payload = payloads["direct"]
    for name in [n for n in payloads if n != "direct"]:
        server, payload = payloads[name]
        warm = min(200, case.requests)
        asyncio.run(_load(server[1], payload, warm, min(case.concurrency, 20)))
        base = _run(direct, direct_payload, case.requests, case.concurrency)
        run = _run(server, payload, case.requests, case.concurrency)
        results[name] = (run, base)
        if case.stream:
            run = Result(latencies=run.first_chunks, overheads=run.overheads, seconds=run.seconds,
                         errors=run.errors, cpu_ms=run.cpu_ms)  # fmt: skip
            base = Result(latencies=base.first_chunks, seconds=base.seconds, errors=base.errors,
                          cpu_ms=base.cpu_ms)  # fmt: skip
        print(_row("direct (before " + name + ")", base, None))
        print(_row(name, run, base))
    print(f"\nLoad average after this table: {_load_average()}")
    return results["enforce"]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--latency-ms", type=int, default=200, help="the realistic upstream's answer time"
    )
    parser.add_argument(
        "--latency-requests",
        type=int,
        default=6000,
        help="requests of the realistic-latency case (60 rounds of 100 clients: see the docstring)",
    )
    parser.add_argument(
        "--stall-messages",
        type=int,
        default=2000,
        help="messages of the worst-case body in the stall case (0 skips it)",
    )
    parser.add_argument("--no-litellm", action="store_true")
    parser.add_argument(
        "--litellm-venv",
        type=Path,
        default=Path(tempfile.gettempdir()) / "specwright-bench-litellm",
    )
    return parser.parse_args()


def _cases(args: argparse.Namespace) -> list[_Case]:
    few = max(200, args.requests // 5)
    return [
        _Case(few, 1, 0),
        _Case(args.requests, args.concurrency, 0),
        _Case(args.latency_requests, args.concurrency, args.latency_ms),
        _Case(few, 1, 0, stream=True),
    ]


def _start_all(
    args: argparse.Namespace, workdir: Path, procs: list[subprocess.Popen[bytes]]
) -> _Targets:
    upstream, up_port = _start_upstream()
    procs.append(upstream)
    gateway, gw_port = _start_gateway(up_port, workdir, args.workers)
    procs.append(gateway)
    litellm: tuple[int, int] | None = None
    if args.no_litellm:
        print("LiteLLM: skipped (--no-litellm)")
    else:
        exe, note = _litellm(args.litellm_venv)
        if exe is None:
            print(f"LiteLLM: skipped ({note})")
        else:
            models = sorted({case.model for case in _cases(args)})
            lite, lite_port = _start_litellm(exe, up_port, workdir, models)
            procs.append(lite)
            litellm = (lite.pid, lite_port)
            print(f"LiteLLM proxy: {note}, 1 worker, in front of the same upstream")
    print(f"Gateway: {args.workers} worker(s), SQLite decision store, a client key per mode")
    return _Targets((upstream.pid, up_port), (gateway.pid, gw_port), litellm)


def main() -> None:
    args = _arguments()
    print("# specwright serve: added latency and throughput\n")
    print(f"Machine: {_machine()}\n")
    workdir = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        targets = _start_all(args, workdir, procs)
        verdicts = []
        for case in _cases(args):
            enforce, base = _measure(targets, case)
            if case.stream:
                continue
            if case.concurrency == 1:
                verdicts.append(f"1 client: {_latency_verdict(enforce, base)}")
            else:
                verdicts.append(f"{case.title()}: {_throughput_verdict(enforce, base)}")
        if args.stall_messages:
            _stall(targets.gateway[1], args.stall_messages)
        print("\n## enforce against the targets\n")
        for verdict in verdicts:
            print(f"- {verdict}")
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
