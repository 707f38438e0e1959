"""The ticket printer: one call per ticket, an outcome back, never an exception and never a long wait.

:meth:`TicketPrinter.print_ticket` renders and encodes the ticket, opens the connection, asks the printer's
status (DLE EOT), sends the job with a deadline, asks again, and reports a :class:`PrintOutcome`. It is
synchronous and bounded by the settings' timeouts; :class:`photoqueue.printer.worker.PrinterWorker` runs
it on a thread of its own so the station's state thread never waits for paper.
"""

from __future__ import annotations

import logging
import threading
import time

from photoqueue.printer import commands as cmd
from photoqueue.printer.connection import Link, open_link
from photoqueue.printer.encode import Job, encode_ticket
from photoqueue.printer.errors import PrinterError
from photoqueue.printer.outcome import PrintOutcome
from photoqueue.printer.settings import PrinterSettings
from photoqueue.printer.status import PrinterStatus, parse_status
from photoqueue.printer.ticket import Ticket
from photoqueue.settings import problems as settings_problems

log = logging.getLogger(__name__)


class TicketPrinter:
    """A printer as the settings describe it. Thread-safe: one ticket at a time goes to the printer."""

    def __init__(self, settings: PrinterSettings | None = None):
        self.settings = settings or PrinterSettings()
        self._lock = threading.Lock()
        self._link: Link | None = None
        self._virtual = None  # the in-process VirtualPrinter of kind 'virtual'
        self._status_answered = False  # has this printer ever answered a status query?
        self._status_supported = True  # False once it never answered one (status_query 'auto')
        self.last_status: PrinterStatus | None = None

    # -- the public calls -------------------------------------------------------------------------

    def print_ticket(self, ticket: Ticket) -> PrintOutcome:
        """Print one ticket. Returns within about ``job_timeout_s`` plus two status timeouts, always."""
        start = time.monotonic()
        try:
            problems = settings_problems(self.settings)
            if problems:
                return PrintOutcome.of("config_error", "; ".join(problems))
            try:
                job = encode_ticket(ticket, self.settings)
            except PrinterError as exc:
                return PrintOutcome.of("bad_ticket", str(exc))
            with self._lock:
                outcome = self._run(job, start)
        except Exception as exc:  # the queue must never see an exception from the printer
            log.exception("printing ticket failed unexpectedly")
            outcome = PrintOutcome.of("internal_error", f"{type(exc).__name__}: {exc}")
        log.log(logging.INFO if outcome.ok else logging.WARNING, "ticket %s: %s %s",
                getattr(ticket, "number", "?"), outcome.reason_code, outcome.detail)
        return outcome

    def probe(self) -> PrintOutcome:
        """Is the printer there and ready? ('ready', or the reason it is not.) Prints nothing."""
        start = time.monotonic()
        try:
            with self._lock:
                link = self._connect()
                try:
                    status = self._ask_status(link)
                    if status is not None and status.problem:
                        self._drop(link, force=True)
                        return PrintOutcome.of(status.problem, repr(status), elapsed_s=time.monotonic() - start)
                    self._drop(link)
                    return PrintOutcome.of("ready", "" if status else "status not available",
                                           elapsed_s=time.monotonic() - start)
                except PrinterError:
                    self._drop(link, force=True)
                    raise
        except PrinterError as exc:
            return PrintOutcome.of(exc.reason, str(exc), elapsed_s=time.monotonic() - start)
        except Exception as exc:
            log.exception("printer probe failed unexpectedly")
            return PrintOutcome.of("internal_error", f"{type(exc).__name__}: {exc}")

    @property
    def escpos(self):
        """The python-escpos printer object of the open connection (a Dummy keeps ``.output``)."""
        return self._link.escpos if self._link else None

    @property
    def virtual_printer(self):
        """The in-process virtual printer of kind 'virtual' (None until the first ticket or probe)."""
        return self._virtual

    def close(self) -> None:
        with self._lock:
            if self._link:
                self._link.close()
                self._link = None
            if self._virtual:
                self._virtual.stop()
                self._virtual = None

    def __enter__(self) -> TicketPrinter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- one job ----------------------------------------------------------------------------------

    def _run(self, job: Job, start: float) -> PrintOutcome:
        s = self.settings
        sent = 0
        try:
            link = self._connect()
        except PrinterError as exc:
            return PrintOutcome.of(exc.reason, str(exc), elapsed_s=time.monotonic() - start)
        try:
            before = self._ask_status(link)
            if before is None and self._expects_status(link):
                if s.status_query == "require" or self._status_answered:
                    raise PrinterError("no answer to DLE EOT before the ticket", reason="no_status")
                # 'auto' and it never answered: a printer without status; stop asking it
                log.warning("printer does not answer status queries; printing without them")
                self._status_supported = False
            if before is not None and before.problem:
                self._drop(link, force=True)
                return PrintOutcome.of(before.problem, f"before printing: {before}",
                                       elapsed_s=time.monotonic() - start)
            deadline = start + s.job_timeout_s
            try:
                link.write(job.data, deadline)
            finally:
                sent = link.written
            link.end_job()
            # a printer whose receive buffer is full reads our query only once it has printed some of
            # the ticket: allow for that, within the job's deadline
            after = self._ask_status(link, max(s.timeout_s, min(10.0, deadline - time.monotonic())))
            if after is None and self._expects_status(link) and (
                self._status_answered or s.status_query == "require"
            ):
                # it answered before and not now: the job may not have arrived whole
                raise PrinterError("no answer to DLE EOT after the ticket", reason="no_status")
            if after is not None and after.problem:
                self._drop(link, force=True)
                return PrintOutcome.of(after.problem, f"after printing (ticket may be incomplete): {after}",
                                       bytes_sent=sent, elapsed_s=time.monotonic() - start)
        except PrinterError as exc:
            self._drop(link, force=True)
            return PrintOutcome.of(exc.reason, str(exc), bytes_sent=sent, elapsed_s=time.monotonic() - start)
        except Exception:
            self._drop(link, force=True)
            raise
        self._drop(link)
        near_end = any(st is not None and st.paper == "near_end" for st in (before, after))
        return PrintOutcome.of("printed_paper_low" if near_end else "printed", bytes_sent=sent,
                               elapsed_s=time.monotonic() - start, paper_near_end=near_end)

    def _connect(self) -> Link:
        if self._link is not None:
            return self._link
        port = None
        if self.settings.kind == "virtual":
            port = self._start_virtual()
        link = open_link(self.settings, port=port)
        self._link = link
        return link

    def _start_virtual(self) -> int:
        if self._virtual is None:
            from photoqueue.printer.virtual import VirtualPrinter

            # any free port: several rooms of a demo each run one in the same process
            self._virtual = VirtualPrinter(port=0, out_dir=self.settings.out_dir or None,
                                           paper_width=self.settings.paper_width)
            self._virtual.start()
        return self._virtual.port

    def _drop(self, link: Link, *, force: bool = False) -> None:
        """Close a per-ticket connection, or any connection after a failure (reopened next time)."""
        if force or not link.persistent:
            link.close()
            if self._link is link:
                self._link = None

    def _expects_status(self, link: Link) -> bool:
        return link.can_query and self.settings.status_query != "off" and self._status_supported

    def _ask_status(self, link: Link, first_timeout: float | None = None) -> PrinterStatus | None:
        """DLE EOT 1 and 4 (and 2, 3 when something is wrong); None when not asked or not answered."""
        if not self._expects_status(link):
            return None
        replies: dict[int, int] = {}
        timeout = self.settings.timeout_s
        for n in (cmd.STATUS_PRINTER, cmd.STATUS_PAPER):
            value = link.query(n, first_timeout if (first_timeout and not replies) else timeout)
            if value is None:
                break
            replies[n] = value
        if not replies:
            return None
        self._status_answered = True
        status = parse_status(replies)
        if not status.ready or status.online is False:
            for n in (cmd.STATUS_OFFLINE_CAUSE, cmd.STATUS_ERROR_CAUSE):
                value = link.query(n, timeout)
                if value is not None:
                    replies[n] = value
            status = parse_status(replies)
        self.last_status = status
        return status
