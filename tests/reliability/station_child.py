"""A real station process for the power-cut test: ``python station_child.py CONFIG``.

Built by ``build_station`` from a TOML config like ``photoqueue station --config`` (printer: the
printer part's network connection to a virtual printer), with manual scan input on stdin instead
of a camera: one line per item, ``scan CODE``, ``reprint N`` or ``quit``. It reports on stdout,
one line each, only what the station itself did: ``issued N CODE`` / ``again N CODE`` (the scan's
feedback, which the core gives only after its commit), ``shown N`` (the screen's flash) and
``printed N`` (the printer part's result). A SIGKILL may land anywhere, so the parent trusts only
complete lines.
"""

from __future__ import annotations

import sys
import threading
import time

from photoqueue.device.station.parts import Adapter

_out = threading.Lock()


def say(line: str) -> None:
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class RecordingDisplay(Adapter):
    """The hall screen's adapter, reduced to what the test needs: the flash after a scan."""

    def __init__(self):
        self.states = []

    def show(self, state) -> None:
        self.states.append(state)
        del self.states[:-5]

    def flash(self, kind: str, text: str, number: int | None) -> None:  # noqa: ARG002 - the display's signature
        if kind in ("issued", "reprint") and number is not None:
            say(f"shown {number}")


def main(config_path: str) -> int:
    from photoqueue.core import commands as cmd
    from photoqueue.core import effects as fx
    from photoqueue.device.station.build import build_station
    from photoqueue.device.station.config import load_config
    from photoqueue.device.station.printer import PrintResult
    from photoqueue.scanner.reads import ScanEvent

    station = build_station(load_config(config_path), headless=True, keyboard=False)
    station.display = RecordingDisplay()

    pending: list[str] = []  # codes submitted, in order: the queue thread answers each with one feedback

    def observe(effects) -> None:
        for e in effects:
            if isinstance(e, fx.ScanFeedback):
                code = pending.pop(0)
                if e.ok:
                    say(f"{'issued' if e.kind == 'issued' else 'again'} {e.number} {code}")

    station.observers.append(observe)
    submit = station.submit

    def on_print(item) -> None:
        if isinstance(item, PrintResult) and item.ok:
            say(f"printed {item.number}")
        submit(item)

    station.printer._submit = on_print
    station.start()
    say("ready")
    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        if verb == "scan":
            pending.append(arg)
            station.submit(ScanEvent(arg, "manual", time.monotonic()))
        elif verb == "reprint":
            station.submit(cmd.Reprint(int(arg)))
        elif verb == "quit":
            break
    station.call(lambda _s: None).result(30)
    station.printer.drain(30)
    station.call(lambda _s: None).result(30)
    station.stop()
    say("bye")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
