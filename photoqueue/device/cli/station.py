"""`photoqueue station --config FILE`: run a photo room's station."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

log = logging.getLogger(__name__)


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("station", help="run a photo room's station (camera, buttons, printer, hall screen)")
    # not required by argparse: --print-example needs none (run_station asks for it otherwise)
    p.add_argument("--config", help="the station's TOML config (see docs/config.md); required unless --print-example")
    p.add_argument("--check", action="store_true", help="only check the config and exit (0: good, 2: bad)")
    p.add_argument("--headless", action="store_true", help="no hall screen, whatever the config says")
    p.add_argument("--print-example", action="store_true",
                   help="print an example config with every key and its default, and exit")
    p.set_defaults(func=run_station)
    d = sub.add_parser("diagnose", help="check each part of this photo room live, and print a checklist")
    d.add_argument("--config", required=True, help="the station's TOML config")
    d.add_argument("--only", default="", help="comma-separated parts: camera, printer, display, buttons, clock, "
                                                "key, central, disk, timetable, numbering (default: all)")
    d.add_argument("--test-ticket", action="store_true", help="print a test ticket when the printer is ready")
    d.add_argument("--wait", type=float, default=10.0, help="seconds to press each button (default 10)")
    d.add_argument("--json", action="store_true", help="the checks as JSON")
    d.set_defaults(func=run_diagnose)


def run_diagnose(args: argparse.Namespace) -> int:
    import json

    from photoqueue.device.station import diagnose
    from photoqueue.device.station.config import ConfigError, load_config

    parts = tuple(p.strip() for p in args.only.split(",") if p.strip()) or diagnose.ALL
    unknown = [p for p in parts if p not in diagnose.CHECKS]
    if unknown:
        raise ConfigError(f"diagnose --only: unknown part(s) {', '.join(unknown)}; "
                          f"the parts are {', '.join(diagnose.ALL)}")
    if not 0 < args.wait <= 120:
        raise ConfigError(f"diagnose --wait: expected 0 to 120 seconds, got {args.wait}")
    config = load_config(args.config)
    probes = diagnose.Probes(press_wait_s=args.wait, test_ticket=args.test_ticket,
                             say=lambda text: print(text, flush=True))
    checks = diagnose.run_checks(config, probes, parts)
    if args.json:
        print(json.dumps({"checks": diagnose.as_json(checks)}, ensure_ascii=False))
    else:
        print(diagnose.checklist(checks))
    return 1 if any(c.status == diagnose.FAIL for c in checks) else 0


def _gate_problems(where: str, config) -> list[str]:
    """What the number gate would refuse at the start (device/station/gate_check.py): a ConfigError (exit 2) with each
    problem and its fix; the notes (a station already running) are returned."""
    from photoqueue.device.station.config import ConfigError
    from photoqueue.device.station.gate_check import numbering_problems, session_date_or_none

    problems, notes = numbering_problems(config, session_date_or_none(config))
    if problems:
        raise ConfigError(f"{where}: the station would not number / 工作站将拒绝取号\n  - " + "\n  - ".join(problems))
    return [f"note: {n}" for n in notes]


def run_station(args: argparse.Namespace) -> int:
    from photoqueue.device.station.config import ConfigError, check_files, example_toml, load_config

    if args.print_example:
        print(example_toml())
        return 0
    if not args.config:
        raise ConfigError("station: --config FILE is required (the station's TOML config; "
                          "`photoqueue station --print-example > station.toml` writes one to start from)")
    config = load_config(args.config)  # every problem at once, exit 2, nothing touched
    # the timetable (no errors, this room, this date), the key and the data_dir, at --check and at the start
    # alike: a day that will go wrong stops here, with the fix, instead of issuing tickets with no class
    notes = check_files(config)
    notes += _gate_problems(args.config, config)
    for note in notes:
        print(f"{args.config}: {note}", file=sys.stderr)
    if args.check:
        print(f"{args.config}: ok")
        return 0
    logging.getLogger("photoqueue").setLevel(config.station.log_level.upper())
    from photoqueue.device.station.build import build_station

    station = build_station(config, headless=args.headless)
    stop = threading.Event()

    def on_signal(signum, _frame):
        log.info("signal %d: stopping", signum)
        stop.set()
        station.stop(timeout=0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("station %s starting (data in %s)", config.station.room, config.station.data_dir)
    station.start()
    while not stop.wait(0.5):
        if station.stopped.is_set():
            break
    station.stop()
    if station.error is not None:
        raise station.error
    return 0
