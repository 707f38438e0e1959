"""Ticket printer benchmark: render + encode time per ticket, bytes per ticket, implied transfer times.

Compares photoqueue's compact raster encoding with its plain raster (python-escpos-compatible bytes),
with python-escpos's own ``image()`` path at its default settings (the peer), and with text mode
(the printer's resident GB18030 font). Transfer times are bytes over the link rate alone: USB full
full-speed bulk (about 1 MB/s of the 12 Mbit/s), 115200-baud serial (8N1: 11,520 bytes/s) and 100 Mbit Ethernet. Also times
``print_ticket`` end to end (status queries included) against the virtual printer over loopback.

Run: python bench/bench_printer.py [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from escpos.printer import Dummy  # noqa: E402

from photoqueue.printer import PrinterSettings, Ticket, TicketPrinter, encode_ticket  # noqa: E402
from photoqueue.printer.layout import render_ticket  # noqa: E402
from photoqueue.printer.raster import raster_commands  # noqa: E402
from photoqueue.printer.virtual import VirtualPrinter  # noqa: E402

LINKS = {"USB bulk ~1 MB/s": 1e6, "serial 115200": 115200 / 10, "LAN 100 Mbit/s": 100e6 / 8}
TICKET = Ticket(room="第一组", number=127, class_name="22计算机科学与技术(第二学士学位）",
                issued_at=datetime(2023, 10, 25, 14, 32, 7), position=12, wait_minutes=5.6, check_code="7F3A",
                location="行政附楼1号会议室")


def peer_escpos(image) -> bytes:
    """python-escpos's way: Dummy.image() with its defaults, then cut()."""
    p = Dummy()
    p.hw("INIT")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a notice about the profile's width
        p.image(image)
    p.cut()
    return p.output


def variants(width: int, paper: int):
    """name -> (render+encode, encode only from an image rendered once); text mode has no image."""
    image = render_ticket(TICKET, width)
    plain, compact = (PrinterSettings(paper_width=paper, compact=c) for c in (False, True))
    text = PrinterSettings(paper_width=paper, mode="text")
    return {
        "python-escpos image() (peer)": (lambda: peer_escpos(render_ticket(TICKET, width)),
                                         lambda: peer_escpos(image)),
        "photoqueue raster, plain": (lambda: encode_ticket(TICKET, plain).data,
                                     lambda: b"".join(raster_commands(image, compact=False))),
        "photoqueue raster, compact": (lambda: encode_ticket(TICKET, compact).data,
                                       lambda: b"".join(raster_commands(image, compact=True))),
        "photoqueue text mode (GB18030)": (lambda: encode_ticket(TICKET, text).data, None),
    }


def timed_all(fns: dict, runs: int) -> dict:
    """Median and p95 seconds and the last output of each function, run round-robin (fair under noise)."""
    samples = {name: [] for name in fns}
    outputs = {name: fn() for name, fn in fns.items()}  # warm: fonts load once per process
    for _ in range(runs):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            outputs[name] = fn()
            samples[name].append(time.perf_counter() - t0)
    result = {}
    for name, values in samples.items():
        values.sort()
        result[name] = (statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.95))],
                        outputs[name])
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds < 0.01 else f"{seconds * 1000:.1f}"


def ratio(value: float, peer: float) -> str:
    return f"{value / peer:.3g}x"


def loopback(paper: int, mode: str, runs: int) -> float:
    with VirtualPrinter(paper_width=paper) as vp:
        printer = TicketPrinter(PrinterSettings(kind="network", host="127.0.0.1", port=vp.port,
                                                paper_width=paper, mode=mode))
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            assert printer.print_ticket(TICKET).ok
            samples.append(time.perf_counter() - t0)
        return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"# Ticket printer: render + encode, bytes, transfer time ({args.runs} runs each, round-robin; "
          "transfer = bytes / link rate; 'vs peer' < 1 is better)\n")
    for paper, width in ((80, 576), (58, 384)):
        print(f"## {paper} mm paper ({width} dots), longest class name, not a reprint\n")
        header = ["encoding", "render+encode ms", "p95 ms", "vs peer", "encode only ms", "vs peer",
                  "bytes/ticket", "bytes vs peer"] + [f"{name} ms" for name in LINKS]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        table = variants(width, paper)
        full = timed_all({name: pair[0] for name, pair in table.items()}, args.runs)
        enc = timed_all({name: pair[1] for name, pair in table.items() if pair[1]}, args.runs)
        peer = "python-escpos image() (peer)"
        peer_bytes = len(full[peer][2])
        for name, (median, p95, data) in full.items():
            row = [name, ms(median), ms(p95), ratio(median, full[peer][0])]
            row += [ms(enc[name][0]), ratio(enc[name][0], enc[peer][0])] if name in enc else ["-", "-"]
            row += [f"{len(data):,}", ratio(len(data), peer_bytes)]
            row += [ms(len(data) / rate) for rate in LINKS.values()]
            print("| " + " | ".join(row) + " |")
        print()
        runs = max(5, args.runs // 3)
        image_ms, text_ms = loopback(paper, "image", runs), loopback(paper, "text", runs)
        print(f"print_ticket end to end over loopback to the virtual printer (status queries before and "
              f"after, median of {runs}): image {ms(image_ms)} ms, text {ms(text_ms)} ms\n")


if __name__ == "__main__":
    main()
