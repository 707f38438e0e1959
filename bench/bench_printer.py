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
from photoqueue.printer.virtual import VirtualPrinter  # noqa: E402

LINKS = {"USB bulk ~1 MB/s": 1e6, "serial 115200": 115200 / 10, "LAN 100 Mbit/s": 100e6 / 8}
TICKET = Ticket(room="第一组", number=127, class_name="22计算机科学与技术(第二学士学位）",
                issued_at=datetime(2023, 10, 25, 14, 32, 7), position=12, wait_minutes=5.6, check_code="7F3A",
                location="行政附楼1号会议室")


def peer_escpos(width: int) -> bytes:
    """python-escpos's way: render, then Dummy.image() with its defaults, then cut()."""
    p = Dummy()
    p.hw("INIT")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints a notice about the profile's width
        p.image(render_ticket(TICKET, width))
    p.cut()
    return p.output


def variants(width: int, paper: int):
    return {
        "python-escpos image() (peer)": lambda: peer_escpos(width),
        "photoqueue raster, plain": lambda: encode_ticket(TICKET, PrinterSettings(paper_width=paper,
                                                                                  compact=False)).data,
        "photoqueue raster, compact": lambda: encode_ticket(TICKET, PrinterSettings(paper_width=paper)).data,
        "photoqueue text mode (GB18030)": lambda: encode_ticket(TICKET, PrinterSettings(paper_width=paper,
                                                                                        mode="text")).data,
    }


def timed(fn, runs: int) -> tuple[float, float, bytes]:
    fn()  # warm: fonts load once per process
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        data = fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))], data


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


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
    print(f"# Ticket printer: render + encode, bytes, transfer time ({args.runs} runs, medians)\n")
    for paper, width in ((80, 576), (58, 384)):
        print(f"## {paper} mm paper ({width} dots), longest class name, not a reprint\n")
        header = ["encoding", "render+encode ms (median)", "p95 ms", "time vs peer", "bytes/ticket", "bytes vs peer"]
        header += [f"{name} ms" for name in LINKS] + ["serial vs peer"]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        results = {name: timed(fn, args.runs) for name, fn in variants(width, paper).items()}
        peer_median, _, peer_data = results["python-escpos image() (peer)"]
        peer_bytes = len(peer_data)
        for name, (median, p95, data) in results.items():
            row = [name, ms(median), ms(p95), f"{median / peer_median:.2f}x", f"{len(data):,}",
                   f"{len(data) / peer_bytes:.3f}x"]
            row += [ms(len(data) / rate) for rate in LINKS.values()]
            row.append(f"{peer_bytes / len(data):.1f}x faster" if len(data) < peer_bytes else "1.0x")
            print("| " + " | ".join(row) + " |")
        print()
        runs = max(5, args.runs // 3)
        image_ms, text_ms = loopback(paper, "image", runs), loopback(paper, "text", runs)
        print(f"print_ticket end to end over loopback to the virtual printer (status queries before and "
              f"after, median of {runs}): image {ms(image_ms)} ms, text {ms(text_ms)} ms\n")


if __name__ == "__main__":
    main()
