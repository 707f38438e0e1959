"""Station-side commands: scan (manual entry), export, queue (staff actions), demo."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from photoqueue.core import commands as cmd
from photoqueue.core import effects as fx
from photoqueue.device.errors import StationError

KEY_FILE_NAME = "deployment.key"


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="manual entry: number codes exactly as a camera scan would")
    _session_args(p)
    p.add_argument("--timetable", help="timetable file; without it tickets carry no class")
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.set_defaults(func=run_scan)

    p = sub.add_parser("export", help="export a station's (or a demo's) tickets and per-class counts")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--format", choices=("json", "csv", "xlsx"),
                   help="default: from --out's extension, else json")
    p.add_argument("--report", choices=("agency", "counts", "makeup"), default="agency",
                   help="with --format csv: the photo agency's list in shooting order (default), the per-class "
                        "counts and fees, or the make-up list (xlsx holds all three)")
    p.add_argument("--fee", type=float, default=20.0, help="fee per photographed student, yuan (default 20)")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(func=run_export)

    p = sub.add_parser("queue", help="staff actions on a station's queue: advance, undo, skip, recall, void, ...")
    _session_args(p)
    p.add_argument("action", choices=("status", "advance", "undo", "skip", "recall", "void", "next-class",
                                      "switch-class", "correct-class", "reprint", "unprinted"))
    p.add_argument("args", nargs="*", help="NUMBER for skip/recall/void/reprint; CLASS for switch-class; "
                                           "NUMBER CLASS for correct-class")
    p.add_argument("--reason", default="", help="why a ticket is voided")
    p.set_defaults(func=run_queue)


def _session_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", required=True, help="the station's data directory")
    p.add_argument("--room", required=True)
    p.add_argument("--date", help="session date YYYY-MM-DD (default: today)")
    p.add_argument("--key-file", help=f"deployment key (default: DATA_DIR/{KEY_FILE_NAME}, made if missing)")


def open_session(args: argparse.Namespace, *, existing: bool = False, timetable=None):
    """The session the command works on. ``existing``: the station and the session must already be
    there (staff actions on a running station), so a mistyped directory, room or date is an error
    rather than a new, empty queue."""
    from photoqueue.core.queue import Rules
    from photoqueue.device.keyfile import load_key
    from photoqueue.device.session import Session, resolve_date
    from photoqueue.device.store import EventStore, db_path

    data_dir = Path(args.data_dir)
    path = db_path(data_dir)
    store = EventStore(path, create=not existing)
    try:
        planned = [s.date for s in timetable.slots if s.room == args.room] if timetable else None
        date = resolve_date(store, args.room, args.date, dt.date.today(), planned)
        if existing and (args.room, date) not in store.sessions():
            known = ", ".join(f"{r} {d}" for r, d in store.sessions()) or "none"
            raise StationError(f"{path}: no queue for {args.room} on {date} here (sessions: {known}) "
                               "/ 此工作站没有该组该日期的记录", exit_status=2)
        # A key is made only for a new station; an existing one must be given the key it numbers with.
        key = load_key(args.key_file or data_dir / KEY_FILE_NAME,
                       create=args.key_file is None and not store.sessions())
        return Session(store, args.room, date, Rules(digest_key=key))
    except BaseException:
        store.close()
        raise


def run_scan(args: argparse.Namespace) -> int:
    timetable = None
    if args.timetable:
        from photoqueue.timetable import load_timetable

        timetable = load_timetable(args.timetable)
    session = open_session(args, timetable=timetable)
    now = dt.datetime.now()
    if timetable is not None:
        session.load_timetable(timetable.room_day(session.room, dt.date.fromisoformat(session.date)), now)
    status = 0
    for code in args.codes:
        effects = session.scan(code, now)
        feedback = next(e for e in effects if isinstance(e, fx.ScanFeedback))
        if feedback.ok:
            ticket = session.state.tickets[feedback.number]
            line = {"code": code, "number": feedback.number, "reprint": feedback.kind == "reprint",
                    "class": ticket.class_name}
        else:
            line = {"code": code, "error": f"{feedback.message_zh} / {feedback.message_en}", "rule": feedback.rule}
            status = 1
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return status


def run_export(args: argparse.Namespace) -> int:
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "") or "json"
    if fmt not in ("json", "csv", "xlsx"):
        raise StationError(f"cannot tell the format from {args.out!r}: give --format json|csv|xlsx", exit_status=2)
    if args.report != "agency" and fmt != "csv":
        raise StationError("--report chooses among the CSV exports: use it with --format csv "
                           "(the xlsx holds all three, the JSON is the full record)", exit_status=2)
    if not 0 <= args.fee <= 10_000:
        raise StationError(f"--fee {args.fee} is not a fee in yuan (0 to 10000)", exit_status=2)
    try:
        if fmt == "xlsx":
            from photoqueue.device.export import write_xlsx

            if not args.out:
                raise StationError("--format xlsx needs --out FILE", exit_status=2)
            write_xlsx(args.data_dir, args.out, fee_yuan=args.fee)
            return 0
        if fmt == "csv" and args.report != "agency":
            from photoqueue.device.export import station_report
            from photoqueue.reports import counts as reports

            report, _ = station_report(args.data_dir, fee_yuan=args.fee)
            text = (reports.counts_csv(report) if args.report == "counts"
                    else reports.table_csv(report.makeup, reports.MAKEUP_COLUMNS))
        else:
            from photoqueue.device.export import export_text

            text = export_text(args.data_dir, fmt)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    except OSError as exc:
        raise StationError(f"cannot write {args.out}: {exc.strerror or exc}", exit_status=1) from None
    return 0


def _number(args: argparse.Namespace, i: int = 0) -> int:
    try:
        return int(args.args[i])
    except (IndexError, ValueError):
        raise StationError(f"{args.action} needs a ticket NUMBER", exit_status=2) from None


def run_queue(args: argparse.Namespace) -> int:
    from photoqueue.core.queue import class_counts

    session = open_session(args, existing=True)
    action = args.action
    if action == "status":
        s = session.state
        print(json.dumps({"room": s.room, "date": s.date, "called": s.called, "waiting": s.waiting,
                          "active_class": s.active_class, "issued": len(s.tickets),
                          "classes": class_counts(s)}, ensure_ascii=False, indent=1))
        return 0
    if action == "unprinted":
        # printed None after a crash: the station stopped between the commit and the printer's answer
        for t in session.state.tickets.values():
            if t.printed is not True:
                reason = t.print_error if t.printed is False else "no print outcome (stopped before the printer answered)"
                print(f"{t.number}\t{t.class_name or ''}\t{reason}")
        return 0
    command = {
        "advance": lambda: cmd.Advance(),
        "undo": lambda: cmd.Undo(),
        "skip": lambda: cmd.Skip(_number(args) if args.args else None),
        "recall": lambda: cmd.Recall(_number(args)),
        "void": lambda: cmd.Void(_number(args), args.reason),
        "next-class": lambda: cmd.SwitchClass(None),
        "switch-class": lambda: cmd.SwitchClass(" ".join(args.args) or None),
        "correct-class": lambda: cmd.CorrectClass(_number(args), " ".join(args.args[1:]) or None),
        "reprint": lambda: cmd.Reprint(_number(args)),
    }[action]()
    effects = session.handle(command, dt.datetime.now())
    refused = [e for e in effects if isinstance(e, fx.StaffNotice) and e.kind in ("refused", "idle")]
    for e in effects:
        if isinstance(e, fx.StaffNotice):
            print(f"{e.message_zh} / {e.message_en}", file=sys.stderr)
    print(json.dumps({"called": session.state.called, "waiting": session.state.waiting[:10],
                      "active_class": session.state.active_class}, ensure_ascii=False))
    return 1 if refused else 0
