"""`photoqueue demo ...`: a whole simulated collection day."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="a whole simulated collection day: one station per room, students, "
                                    "a photographer, printed tickets, the hall screen")
    p.add_argument("--headless", action="store_true", help="no windows: save screen snapshots instead")
    p.add_argument("--timetable", help="timetable file (default: the shipped 2024 timetable)")
    p.add_argument("--date", help="which day of the timetable (default: its first date)")
    p.add_argument("--rooms", help="comma-separated rooms (default: every room that day)")
    p.add_argument("--students", type=int, help="at most this many students per room (classes scaled down)")
    p.add_argument("--speed", type=float, default=None,
                   help="how many times faster than real time the day runs; 0: as fast as it can "
                        "(default: 100, so a 3-hour afternoon takes about 2 minutes)")
    p.add_argument("--data-dir", default="demo-data", help="where the stations keep their data (default: ./demo-data)")
    p.add_argument("--seed", type=int, default=2024, help="the day's random seed (who is late, absent, ...)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--swap-at", type=float, default=None, metavar="FRACTION",
                   help="the first room's Pi dies once this fraction of its students has come, and a spare Pi "
                        "takes the room over from the centre's history (default: 0.4; 0: no swap)")
    p.add_argument("--exit", action="store_true",
                   help="end when the day is done (for scripts); without it the central service stays up, "
                        "with its dashboard, until Ctrl-C")
    p.set_defaults(func=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from photoqueue.demo.day import DemoOptions, run

    options = DemoOptions.from_args(args)
    return run(options)
