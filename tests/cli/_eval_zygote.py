"""Test helper: start ``specwright`` commands as forks of one warm interpreter.

A fresh ``python -m specwright eval`` spends seconds importing Inspect; a test that kills and
re-runs an eval twenty times would spend most of its time there. This process imports the CLI
once, then for each JSON request on stdin (``{"argv": [...], "out": path, "err": path}``) forks
a child that runs ``specwright`` with those arguments (the same ``main`` that ``python -m
specwright`` runs), its stdout and stderr going to the two files, and prints ``start <pid>``, then
``exit <code>`` once the child *and every process it left behind* have ended: the helper is a
child subreaper (Linux), so workers orphaned by a killed parent are reparented to it and
waited for. Exit codes are the shell's: 128 + N for a death by signal N.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import sys

import inspect_ai.model._providers.anthropic
import inspect_ai.model._providers.openai_compatible  # noqa: F401
from inspect_ai._util import package

import specwright._eval._inspect_entry
import specwright._eval._workers  # noqa: F401
from specwright._cli import main

_PR_SET_CHILD_SUBREAPER = 36


def _warm() -> None:
    """Do once what every fresh process does on its first run: the imports above (Inspect
    loads its providers lazily), and the scan of every installed distribution that Inspect
    makes to find the task's distribution when specwright runs from a checkout on
    PYTHONPATH (seconds on a loaded machine; the installed packages do not change here)."""
    scan = functools.cache(package.packages_distributions)  # type: ignore[attr-defined]
    package.packages_distributions = scan  # type: ignore[attr-defined]
    scan()


def _run(argv: list[str], out: str, err: str) -> None:
    child = os.fork()
    if child == 0:
        for fd, path in ((1, out), (2, err)):
            target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(target, fd)
            os.close(target)
        code = main(argv)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    print(f"start {child}", flush=True)
    code = 0
    while True:  # the child, then whatever it orphaned
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
    print(f"exit {code}", flush=True)


def serve() -> None:
    _warm()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
    for line in sys.stdin:
        request = json.loads(line)
        _run(request["argv"], request["out"], request["err"])


if __name__ == "__main__":
    serve()
