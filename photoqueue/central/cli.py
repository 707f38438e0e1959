"""``photoqueue central ...``: serve the central service and administer its store."""

from __future__ import annotations

import argparse
import json
import sys

from photoqueue.central.errors import CentralError
from photoqueue.central.settings import DEFAULT_DB


def add_commands(sub: argparse._SubParsersAction) -> None:
    central = sub.add_parser("central", help="the central service: serve, register stations and staff")
    csub = central.add_subparsers(dest="central_command", metavar="ACTION", required=True)

    p = csub.add_parser("serve", help="run the web service (API; dashboard when installed)")
    p.add_argument("--db", default=None, help=f"store URL (default {DEFAULT_DB})")
    p.add_argument("--host", default=None, help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="TCP port (default 8600)")
    p.add_argument("--config", default=None, metavar="FILE",
                   help="a TOML file of settings (see docs/central.md); also PHOTOQUEUE_CENTRAL_CONFIG")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any other setting (see docs/central.md), e.g. rate_limit_per_s=50; "
                        "also PHOTOQUEUE_CENTRAL_<KEY> variables")
    p.set_defaults(func=run_serve)

    p = csub.add_parser("add-station", help="register a station for a room; prints its token (shown once)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--room", required=True)
    p.add_argument("--label", default="", help="a note to tell stations apart, e.g. the Pi's name")
    p.add_argument("--force", action="store_true",
                   help="register a room the timetable held at the centre does not have")
    p.set_defaults(func=run_add_station)

    p = csub.add_parser("revoke-station", help="revoke a station's token (by id, or every token of a room)")
    p.add_argument("--db", default=DEFAULT_DB)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--id", type=int, help="the registration id (see list-stations)")
    group.add_argument("--room")
    p.set_defaults(func=run_revoke_station)

    p = csub.add_parser("replace-station",
                        help="a Pi swapped for a room: retire its station, print the new Pi's token (shown once)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--room", required=True)
    p.add_argument("--date", default=None, help="the room's day it takes over (default: the latest it numbered)")
    p.add_argument("--label", default="", help="a note, e.g. the new Pi's name")
    p.set_defaults(func=run_replace_station)

    p = csub.add_parser("show-key", help="print the deployment key (for a station given it by hand)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=run_show_key)

    p = csub.add_parser("list-stations", help="registered stations (no tokens: those are kept hashed)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.set_defaults(func=run_list_stations)

    p = csub.add_parser("add-user", help="create a staff account (or set its password)")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--name", required=True)
    p.add_argument("--password-file", help="read the password from this file's first line (else a prompt)")
    p.set_defaults(func=run_add_user)

    _add_purge(csub)

    p = csub.add_parser("revoke-sessions", help="end staff logins at once: every one, or one account's")
    p.add_argument("--db", default=DEFAULT_DB)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--name", help="the staff account whose logins end")
    group.add_argument("--all", action="store_true", help="every staff login")
    p.set_defaults(func=run_revoke_sessions)

    p = csub.add_parser("load-timetable", help="hold a timetable at the centre; stations pull their room's part")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("file")
    p.set_defaults(func=run_load_timetable)


def run_serve(args: argparse.Namespace) -> int:
    import os

    from photoqueue.central.server import serve
    from photoqueue.central.settings import CentralSettings

    values = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise CentralError(f"--set {item!r}: expected KEY=VALUE", exit_status=2)
        values[key.strip()] = value.strip()
    for key in ("db", "host", "port"):
        if getattr(args, key) is not None:
            values[key] = str(getattr(args, key))
    config = args.config or os.environ.get("PHOTOQUEUE_CENTRAL_CONFIG") or None
    serve(CentralSettings.load(config, values=values))
    return 0


def run_add_station(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import add_station, station_room_problem

    problem, held = station_room_problem(args.db, args.room)
    if problem and held and not args.force:
        raise CentralError(f"{problem}; nothing was registered (--force registers it anyway)", exit_status=2)
    if problem:
        print(f"warning: {problem}", file=sys.stderr)
    print(add_station(args.db, args.room, args.label))
    return 0


def run_revoke_station(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import revoke_station

    n = revoke_station(args.db, station=args.id, room=args.room)
    what = f"ID {args.id}" if args.id is not None else f"拍摄组 {args.room}"
    print(f"已吊销 {what} 的 {n} 个工作站令牌 / revoked {n} station token(s)" if n else
          f"没有可吊销的令牌（{what}），未作任何更改 / no station token to revoke; nothing changed", file=sys.stderr)
    return 0 if n else 1


def run_replace_station(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import replace_station

    done = replace_station(args.db, args.room, args.date, args.label)
    print(done["token"])
    print(f"room {done['room']}: station {done['station_id']} replaced ({done['revoked']} token(s) revoked). "
          "Give the new Pi this token: at its first start it adopts that station id, rebuilds the room's "
          f"history from the centre and continues after its last number / {done['room']} 组的设备已更换：新设备用"
          "此令牌启动后接续该组的编号", file=sys.stderr)
    return 0


def run_show_key(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import deployment_key
    from photoqueue.core.digest import key_fingerprint

    key = deployment_key(args.db)
    print(key.hex())
    print(f"fingerprint {key_fingerprint(key)}: keep this key secret; every station of the deployment uses it "
          "/ 部署密钥：请保密，所有设备共用", file=sys.stderr)
    return 0


def run_list_stations(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import list_stations

    for row in list_stations(args.db):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def run_add_user(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import add_user

    if args.password_file:
        try:
            with open(args.password_file, encoding="utf-8") as f:
                password = f.readline().rstrip("\r\n")
        except OSError as exc:
            raise CentralError(f"{args.password_file}: cannot read the password: {exc.strerror}",
                               exit_status=2) from None
    else:
        password = _prompt_password(args.name)
    uid = add_user(args.db, args.name, password)
    print(f"工作人员账号 {args.name} 已可登录（ID {uid}） / staff account {args.name!r} ready (id {uid})", file=sys.stderr)
    return 0


def _add_purge(csub) -> None:
    p = csub.add_parser("purge", help="remove a day (a rehearsal) from the centre: counts, exports, /status")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--date", required=True, help="the day to remove, YYYY-MM-DD")
    p.add_argument("--yes", action="store_true", help="really remove it (without: say what would go)")
    p.set_defaults(func=run_purge)


def run_purge(args: argparse.Namespace) -> int:
    import datetime as dt

    from photoqueue.central.store import CentralStore

    try:
        dt.date.fromisoformat(args.date)
    except ValueError:
        raise CentralError(f"--date {args.date!r} 格式错误，应为 YYYY-MM-DD / --date {args.date!r} is not a date "
                           "(YYYY-MM-DD)", exit_status=2) from None
    with CentralStore(args.db, pool_size=1) as store:
        sessions = [(room, n) for (_sid, room, date), n in
                    ((k, len(v.tickets)) for k, v in store.projection.sessions()) if date == args.date]
        if not args.yes:
            rooms = "、".join(f"{room}（{n} 个号）" for room, n in sessions) or "没有拍摄数据"
            print(f"将从中心删除 {args.date} 的数据：{rooms}，以及当天的时间表；加 --yes 确认（未作任何更改） / "
                  f"would remove {args.date} from the centre ({len(sessions)} session(s) and that day's timetable); "
                  "add --yes to do it (nothing was changed)", file=sys.stderr)
            return 2
        removed = store.purge_date(args.date)
    print(f"已从中心删除 {args.date}：{len(sessions)} 个拍摄组的数据（{removed['tickets']} 个号）、时间表 "
          f"{removed['timetable']} 行；统计、导出和 /status 不再包含这一天。运行中的中心服务请重启 / removed "
          f"{args.date} from the centre ({removed['tickets']} tickets, {removed['timetable']} timetable rows); "
          "restart a running central service so it forgets the day too", file=sys.stderr)
    return 0


def run_revoke_sessions(args: argparse.Namespace) -> int:
    from photoqueue.central import accounts
    from photoqueue.central.store import CentralStore

    with CentralStore(args.db, pool_size=1) as store:
        n = accounts.revoke_sessions(store.db, None if args.all else args.name)
    print(f"已结束 {n} 个工作人员登录 / ended {n} staff login(s)", file=sys.stderr)
    return 0


def _prompt_password(name: str) -> str:
    """The password, typed twice. End of input (Ctrl-D, or a pipe with one line) is a refusal, not a
    traceback: nothing is created."""
    import getpass

    try:
        password = getpass.getpass(f"password for {name}: ")
        again = getpass.getpass("again: ")
    except EOFError:
        print(file=sys.stderr)
        raise CentralError("no password read (input ended); nothing was created: type it twice at the prompt, "
                           "or use --password-file FILE / 没有读到密码，未创建账号", exit_status=2) from None
    if again != password:
        raise CentralError("the two passwords differ", exit_status=2)
    return password


def run_load_timetable(args: argparse.Namespace) -> int:
    from photoqueue.central.admin import load_timetable, timetable_findings

    warnings = timetable_findings(args.file)
    n = load_timetable(args.db, args.file)
    for w in warnings:  # held anyway, and no room is stopped by it: the rule the stations apply too
        print(f"warning: {args.file}: {w}", file=sys.stderr)
    if warnings:
        print(f"warning: {len(warnings)} 处需注意，各组照常开始（`photoqueue timetable check {args.file}` 逐条说明）/ "
              f"{len(warnings)} warning(s); every room starts anyway", file=sys.stderr)
    print(f"中心已保存 {n} 个班级的时间表 / {n} classes held at the centre", file=sys.stderr)
    return 0
