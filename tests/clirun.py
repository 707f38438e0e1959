"""The command line in this process: ``photoqueue.cli.main(argv)`` with stdout and stderr captured, answered as
the ``subprocess.CompletedProcess`` a run of ``python -m photoqueue`` gives, without a new interpreter's
imports each time (about a second a run). One test per command family still runs the real entry point in a
subprocess (tests/test_cli_no_traceback.py and each family's own file say which)."""

from __future__ import annotations

import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")  # .buffer too, as sys.stdout has


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8", "replace")


def run_cli(*args: object, check: bool = False) -> subprocess.CompletedProcess:
    """``photoqueue ARGS`` in process: its exit status (argparse's SystemExit included), stdout and stderr."""
    from photoqueue.cli import main

    argv = [str(a) for a in args]
    out, err = _stream(), _stream()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's --help and usage errors
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    result = subprocess.CompletedProcess(["photoqueue", *argv], code, _text(out), _text(err))
    if check:
        result.check_returncode()
    return result
