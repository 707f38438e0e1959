"""Station-side commands: scan (manual entry), export, queue (staff actions), demo."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from photoqueue.core import effects as fx
from photoqueue.core import glossary
from photoqueue.device.cli.sessions import given, open_session, session_args
from photoqueue.device.cli.staff import add_queue_command
from photoqueue.device.errors import StationError

FORMATS = ("json", "csv", "xlsx", "html")


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scan", help="manual entry: number codes exactly as a camera scan would")
    session_args(p)
    p.add_argument("--timetable", help="timetable file; without it tickets carry no class")
    p.add_argument("--config", help="the station's config: its [central] (the centre's hello before the first "
                                    "number) and [station] witness_dir")
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.set_defaults(func=run_scan)

    p = sub.add_parser("export", help="export a station's (or a demo's) tickets and per-class counts")
    p.add_argument("--data-dir", required=True, type=given)
    p.add_argument("--format", choices=FORMATS, help="default: from --out's extension, else json (html: the slip)")
    p.add_argument("--report", choices=("agency", "counts", "makeup", "slip"), default="agency",
                   help="with --format csv: the photo agency's list in shooting order (default), the per-class "
                        "counts and fees, or the make-up list (xlsx holds all three); slip: the printable "
                        "per-class settlement slip (HTML)")
    p.add_argument("--fee", type=float, default=20.0, help="fee per student in yuan (default 20)")
    p.add_argument("--fee-rule", choices=tuple(glossary.FEE_RULES), default=glossary.DEFAULT_FEE_RULE,
                   help="what the fee multiplies: photographed (default), issued (took a number), or expected "
                        "(every graduate, photographed or not); printed on the sheet")
    p.add_argument("--lang", choices=glossary.LANGS, default="zh",
                   help="zh (default): Chinese headings and values; en: English (the agency CSV as scripts "
                        "have read it since the first release)")
    p.add_argument("--timetable", help="timetable file, for the colleges on the sheets")
    p.add_argument("--out", help="write to this file instead of standard output")
    p.set_defaults(func=run_export)

    add_queue_command(sub, session_args)


def run_scan(args: argparse.Namespace) -> int:
    from photoqueue.device.cli.scan_gate import open_gate
    from photoqueue.device.store.gate import take_lock

    timetable = None
    if args.timetable:
        from photoqueue.timetable import load_timetable

        timetable = load_timetable(args.timetable)
    lock = take_lock(args.data_dir)  # first: never beside a running station (it holds the lock)
    session = open_session(args, timetable=timetable)
    gate = open_gate(args, session, lock)
    try:
        return _scan_codes(args, session, timetable)
    finally:
        session.store.close()
        gate.close()


def _scan_codes(args: argparse.Namespace, session, timetable) -> int:
    refusal = session.gate.check(session)
    if refusal is not None:  # every code would be refused alike: one clear message and an exit status
        raise refusal.error()
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
            said = (f"{code}：{'补打' if line['reprint'] else '取号'} {feedback.number} 号"
                    f"（{ticket.class_name or '未分班'}）")
        else:
            line = {"code": code, "error": f"{feedback.message_zh} / {feedback.message_en}", "rule": feedback.rule}
            said = f"{code}：未取号，{feedback.message_zh}"
            status = 1
        print(json.dumps(line, ensure_ascii=False), flush=True)  # for machines (DESIGN.md's contract)
        print(said, file=sys.stderr, flush=True)  # for the person at the keyboard
    return status


def _export_format(args: argparse.Namespace) -> str:
    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "")
    fmt = fmt or ("html" if args.report == "slip" else "json")
    if fmt not in FORMATS:
        raise StationError(f"无法从文件名 {args.out!r} 判断格式，请加 --format json|csv|xlsx|html / "
                           f"cannot tell the format from {args.out!r}: give --format json|csv|xlsx|html", exit_status=2)
    if args.report == "slip" and fmt != "html":
        raise StationError("结算单（--report slip）是可打印的 HTML 页面，请用 --format html 或 .html 的 --out / "
                           "--report slip is a print-ready HTML page: use --format html or an .html --out", exit_status=2)
    if args.report not in ("agency", "slip") and fmt != "csv":
        raise StationError("--report 用于选择 CSV 导出的内容，请与 --format csv 一起使用（xlsx 已包含全部三项，JSON 是完整记录） / "
                           "--report chooses among the CSV exports: use it with --format csv "
                           "(the xlsx holds all three, the JSON is the full record)", exit_status=2)
    if fmt == "html" and args.report != "slip":
        raise StationError("--format html is the settlement slip: add --report slip / HTML 只用于结算单",
                           exit_status=2)
    return fmt


def _export_body(args: argparse.Namespace, fmt: str) -> str:
    from photoqueue.device.store import export

    colleges = export.colleges_from_timetable(args.timetable) if args.timetable else None
    if fmt == "html" or (fmt == "csv" and args.report != "agency"):
        from photoqueue.reports import counts as reports

        report, _ = export.station_report(args.data_dir, args.fee, colleges, args.fee_rule, args.lang)
        if fmt == "html":
            from photoqueue.reports.slip import slip_html

            return slip_html(report, args.lang, made=dt.datetime.now())
        if args.report == "counts":
            return reports.counts_csv(report, args.lang)
        return reports.table_csv(report.makeup, reports.columns(reports.MAKEUP_KEYS, args.lang))
    return export.export_text(args.data_dir, fmt, args.lang)


def run_export(args: argparse.Namespace) -> int:
    fmt = _export_format(args)
    if not 0 <= args.fee <= 10_000:
        raise StationError(f"--fee {args.fee} is not a fee in yuan (0 to 10000)", exit_status=2)
    try:
        if fmt == "xlsx":
            from photoqueue.device.store.export import write_xlsx

            if not args.out:
                raise StationError("--format xlsx needs --out FILE", exit_status=2)
            write_xlsx(args.data_dir, args.out, fee_yuan=args.fee, timetable=args.timetable,
                       fee_rule=args.fee_rule, lang=args.lang)
            return 0
        text = _export_body(args, fmt)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    except OSError as exc:
        raise StationError(f"cannot write {args.out}: {exc.strerror or exc}", exit_status=1) from None
    return 0
