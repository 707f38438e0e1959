"""``photoqueue ticket preview`` and ``photoqueue printer serve``."""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger(__name__)

DEFAULT_CLASS = "22计算机科学与技术(第二学士学位）"


def add_commands(sub: argparse._SubParsersAction) -> None:
    ticket = sub.add_parser("ticket", help="ticket tools: preview a ticket as PNG and ESC/POS bytes")
    tsub = ticket.add_subparsers(dest="ticket_command", metavar="ACTION")
    p = tsub.add_parser("preview", help="render a ticket to a PNG (and its ESC/POS bytes to a file)")
    p.add_argument("--out", default="ticket.png", help="PNG to write (default: ticket.png)")
    p.add_argument("--escpos", metavar="FILE", help="also write the exact bytes a printer would get")
    p.add_argument("--number", type=int, default=1, help="shooting number (default 1)")
    p.add_argument("--room", default="第一组", help="room name (default 第一组)")
    p.add_argument("--location", default="", help="room location, printed under the room")
    p.add_argument("--class", dest="class_name", default=DEFAULT_CLASS, help="class name")
    p.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm (default 80)")
    p.add_argument("--reprint", action="store_true", help="mark the ticket 补打 / REPRINT")
    p.add_argument("--position", type=int, default=None, help="people ahead in the queue")
    p.add_argument("--wait", type=float, default=None, help="expected wait in minutes")
    p.add_argument("--status-url", default="", metavar="URL",
                   help="the public /status address ([printer] status_url): a QR code and the short address")
    p.add_argument("--mode", choices=("image", "text"), default="image", help="ESC/POS mode for --escpos")
    p.add_argument("--profile", default="default", help="python-escpos printer profile for --escpos")
    p.set_defaults(func=_preview)
    ticket.set_defaults(func=lambda _args: (ticket.print_help(), 2)[1])

    printer = sub.add_parser("printer", help="printer tools: a virtual network ESC/POS printer")
    psub = printer.add_subparsers(dest="printer_command", metavar="ACTION")
    s = psub.add_parser("serve", help="run a virtual network ESC/POS printer that saves each ticket as a PNG")
    s.add_argument("--port", type=int, default=9100, help="TCP port 0-65535 (default 9100; 0: any free port)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--out", default="virtual-printer", help="folder for ticket PNGs (default ./virtual-printer)")
    s.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm (default 80)")
    s.add_argument("--chinese", action="store_true", help="start in Chinese (GB18030) mode, as many "
                   "Chinese-market printers do")
    s.add_argument("--paper-state", choices=("ok", "near_end", "out"), default="ok",
                   help="simulated paper sensor (default ok)")
    s.add_argument("--offline", action="store_true", help="simulate a printer that is offline")
    s.add_argument("--seconds", type=float, default=None, help="stop after this many seconds (default: "
                   "run until Ctrl-C)")
    s.set_defaults(func=_serve)
    printer.set_defaults(func=lambda _args: (printer.print_help(), 2)[1])


def _preview(args: argparse.Namespace) -> int:
    from datetime import datetime

    from photoqueue.printer.encode import encode_ticket
    from photoqueue.printer.errors import PrinterError
    from photoqueue.printer.layout import render_ticket
    from photoqueue.printer.settings import PAPER_DOTS, PrinterSettings
    from photoqueue.printer.ticket import Ticket
    from photoqueue.settings import problems as settings_problems

    ticket = Ticket(room=args.room, number=args.number, class_name=args.class_name or None,
                    issued_at=datetime.now().replace(microsecond=0), position=args.position,
                    wait_minutes=args.wait, reprint=args.reprint, location=args.location)
    settings = PrinterSettings(paper_width=args.paper, mode=args.mode, profile=args.profile,
                               status_url=args.status_url)
    problems = settings_problems(settings)
    if problems:
        raise PrinterError("; ".join(problems), exit_status=2)
    if settings.status_url:
        from dataclasses import replace

        from photoqueue.printer.ticket import status_link

        ticket = replace(ticket, status_url=status_link(settings.status_url, ticket.room, ticket.number))
    image = render_ticket(ticket, PAPER_DOTS[args.paper])
    try:
        image.save(args.out)
    except (OSError, ValueError) as exc:
        raise PrinterError(f"cannot write {args.out}: {exc}") from exc
    print(f"{args.out}: {image.width}x{image.height} dots ({args.paper} mm)")
    if args.escpos:
        job = encode_ticket(ticket, settings)
        try:
            with open(args.escpos, "wb") as f:
                f.write(job.data)
        except OSError as exc:
            raise PrinterError(f"cannot write {args.escpos}: {exc.strerror}") from exc
        print(f"{args.escpos}: {len(job)} bytes of ESC/POS ({args.mode} mode)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import time

    from photoqueue.printer.virtual import VirtualPrinter

    printer = VirtualPrinter(args.host, args.port, out_dir=args.out, paper_width=args.paper, chinese=args.chinese)
    printer.set_state(paper=args.paper_state, online=not args.offline)
    printer.start()
    print(f"virtual ESC/POS printer on {args.host}:{printer.port}, {args.paper} mm; tickets go to {args.out}/",
          flush=True)
    seen = 0
    stop_at = None if args.seconds is None else time.monotonic() + args.seconds
    try:
        while stop_at is None or time.monotonic() < stop_at:
            printer.wait_for_tickets(seen + 1, timeout=0.2)
            for t in printer.tickets[len(printer.tickets) - (printer.printed - seen) :] if printer.printed > seen else []:
                print(f"ticket {t.index}: {t.image.width}x{t.image.height} ({t.how}) -> {t.path}", flush=True)
            seen = printer.printed
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()
    return 0
