"""``photoqueue timetable check`` and ``photoqueue timetable plan``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from photoqueue.settings import problems as settings_problems
from photoqueue.timetable.errors import TimetableError


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("timetable", help="check a timetable and plan the day")
    tsub = p.add_subparsers(dest="timetable_command", metavar="ACTION", required=True)

    c = tsub.add_parser("check", help="every mistake in a timetable file (CSV or XLSX), row by row; "
                                      "exit status 1 when any is an error")
    c.add_argument("--json", action="store_true", help='print {"findings": [...]} instead of a table')
    _import_args(c)
    c.set_defaults(func=run_check)

    q = tsub.add_parser("plan", help="when each class will really start and end, and which rooms run late")
    q.add_argument("--pace", type=float, metavar="SECONDS",
                   help="seconds a student (default: the pace measured in --data-dir, else 11)")
    q.add_argument("--data-dir", metavar="DIR", help="a station's or a demo's data dir: use its measured pace "
                                                     "and what it has already shot")
    q.add_argument("--now", metavar="TIME", help="plan from this time (HH:MM or ISO; default: with --data-dir, "
                                                 "the room's last recorded event)")
    q.add_argument("--early", type=float, default=0.0, metavar="MINUTES",
                   help="a class may start this long before its slot when the room is free (default 0)")
    q.add_argument("--json", action="store_true", help="print the plan as JSON")
    q.add_argument("--lang", choices=("zh", "en"), default="zh", help="zh (default) or en")
    q.add_argument("--out", metavar="FILE.xlsx",
                   help="also write the timetable corrected to this pace (each class's planned start and end)")
    _import_args(q)
    q.set_defaults(func=run_plan)


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="the timetable: .csv (UTF-8 or GBK) or .xlsx")
    p.add_argument("--year", type=int, help="the year of dates written without one (10月25日)")
    p.add_argument("--date", help="the date (YYYY-MM-DD) of a file that gives none; also the month of 13日")
    p.add_argument("--room", help="the room of a file without a room column (default: a title, else the file name)")


def _options(args: argparse.Namespace):
    from photoqueue.timetable.importer import ImportOptions

    date = None
    if args.date:
        try:
            date = dt.date.fromisoformat(args.date)
        except ValueError:
            raise TimetableError(f"--date {args.date!r} is not a date YYYY-MM-DD / 日期格式错误", exit_status=2) from None
    return ImportOptions(year=args.year, date=date, room=args.room)


def run_check(args: argparse.Namespace) -> int:
    from photoqueue.timetable.check import check_file

    report = check_file(args.file, _options(args))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        for f in report.findings:
            where = f"[{f.sheet}] " if f.sheet else ""
            print(f"{where}row {f.row:>3}  {f.severity:<7}  {f.rule:<16}  {f.message}")
        for note in report.notes:
            print(f"note: {note}")
        e, w = len(report.errors), len(report.warnings)
        print(f"{report.source}: {report.rows} class rows, {e} error{'s' * (e != 1)}, "
              f"{w} warning{'s' * (w != 1)} / {e} 个错误，{w} 个警告")
    return 1 if report.errors else 0


def run_plan(args: argparse.Namespace) -> int:
    from photoqueue.cli import plan_text
    from photoqueue.timetable.loader import load_timetable
    from photoqueue.timetable.model import RoomDay
    from photoqueue.timetable.plan import PlanSettings, plan_room

    settings = PlanSettings(early_min=args.early)
    if args.pace is not None:
        settings.pace_s = args.pace
    problems = settings_problems(settings)
    if problems:
        raise TimetableError("; ".join(problems), exit_status=2)
    o = _options(args)
    timetable = load_timetable(args.file, year=o.year, date=o.date, room=o.room)
    tickets = _tickets(args.data_dir) if args.data_dir else None
    plans, no_data = [], set()
    for date in timetable.dates:
        for room in timetable.rooms_on(date):
            # the published order, not the start times: the order students and class leaders were given
            room_day = RoomDay(date, room, tuple(s for s in timetable.slots if s.room == room and s.date == date))
            pace, source, now, measured = settings.pace_s, "given" if args.pace else "default", None, None
            if tickets is not None:
                pace, source, now, measured = _measured(tickets, room_day, settings, given=args.pace)
                if not any(t["room"] == room and t["date"] == date.isoformat() for t in tickets):
                    no_data.add((room, date))
            if args.now:
                now = _now(args.now, date)
            plan = plan_room(room_day, pace, now=now, measured=measured,
                             early=dt.timedelta(minutes=settings.early_min))
            plans.append(_with_source(plan, source))
    if args.out:
        plan_text.write_corrected(args.out, plans, timetable)
    if args.json:
        late = [{"room": p.room, "date": p.date.isoformat(), "late_s": round(p.late_by.total_seconds()),
                 "max_start_delay_s": round(p.max_start_delay.total_seconds())}
                for p in plans if plan_text.is_late(p) and (p.room, p.date) not in no_data]
        print(json.dumps({"rooms": [p.to_dict() for p in plans], "late": late,
                          "no_data": [{"room": r, "date": d.isoformat()} for r, d in sorted(no_data)]},
                         ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(plan_text.render(plans, args.lang, frozenset(no_data),
                                          plan_text.order_notes(timetable, args.lang)))
        if args.out:
            print(f"调整后的时间表已写入 {args.out} / corrected timetable written to {args.out}")
    return 0


def _with_source(plan, source: str):
    from dataclasses import replace

    return replace(plan, pace_source=source)


def _tickets(data_dir: str) -> list[dict]:
    from photoqueue.device.store.export import collect
    from photoqueue.errors import PhotoqueueError

    try:
        return collect(data_dir)["tickets"]
    except PhotoqueueError:
        raise
    except Exception as exc:  # a damaged store: say so instead of a traceback
        raise TimetableError(f"{data_dir}: cannot read the station data ({exc}) / 无法读取工作站数据") from None


def _measured(tickets, room_day, settings, given: float | None):
    from photoqueue.core.pace import measure_pace
    from photoqueue.timetable.progress import room_progress

    progress = room_progress(tickets, room_day)
    pace, n = measure_pace(progress.photographed_at, settings.max_gap_s, progress.ready_at)
    if given:
        return given, "given", progress.latest, progress.classes
    if pace and n >= settings.min_intervals:
        return pace, "measured", progress.latest, progress.classes
    return settings.pace_s, "default", progress.latest, progress.classes


def _now(text: str, date: dt.date) -> dt.datetime:
    try:
        if "T" in text or " " in text.strip():
            return dt.datetime.fromisoformat(text.strip())
        return dt.datetime.combine(date, dt.time.fromisoformat(text.strip()))
    except ValueError:
        raise TimetableError(f"--now {text!r} is not a time HH:MM or an ISO date-time / 时间格式错误",
                             exit_status=2) from None
