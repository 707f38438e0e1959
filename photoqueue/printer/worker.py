"""Printing off the station's state thread: a worker thread, a job queue, a result callback.

The station's state thread calls :meth:`PrinterWorker.submit` (never blocks, never raises for a printer
problem) and gets every :class:`PrintOutcome` through ``on_result(job, outcome)``, called on the worker
thread (or, for a job refused because the queue is full, on the submitting thread). The callback should
only hand the outcome to the state thread (e.g. put an event on its queue).
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from photoqueue.printer.outcome import PrintOutcome
from photoqueue.printer.printer import TicketPrinter
from photoqueue.printer.ticket import Ticket

log = logging.getLogger(__name__)


@dataclass(eq=False)
class PrintJob:
    """One request to the worker: a ticket to print, or (``ticket`` None) a probe of the printer."""

    id: int
    ticket: Ticket | None
    tag: Any = None  # the caller's own reference, e.g. the ticket's event sequence number
    outcome: PrintOutcome | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    def wait(self, timeout: float | None = None) -> PrintOutcome | None:
        """The outcome once the job is done (for tests and tools; the station uses the callback)."""
        self.done.wait(timeout)
        return self.outcome


class PrinterWorker:
    """Runs a :class:`TicketPrinter` on a thread of its own, one job at a time, in submission order."""

    def __init__(self, printer: TicketPrinter, on_result: Callable[[PrintJob, PrintOutcome], None] | None = None,
                 *, max_pending: int = 100, name: str = "photoqueue-printer"):
        self.printer = printer
        self.on_result = on_result
        self._queue: queue.Queue[PrintJob | None] = queue.Queue(maxsize=max_pending)
        self._ids = itertools.count(1)
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._busy = 0

    def start(self) -> PrinterWorker:
        self._thread.start()
        return self

    def submit(self, ticket: Ticket, tag: Any = None) -> PrintJob:
        """Queue a ticket; returns at once. A full queue or a stopped worker gives an outcome right away."""
        return self._put(PrintJob(next(self._ids), ticket, tag))

    def submit_probe(self, tag: Any = None) -> PrintJob:
        """Queue a status check ('ready' or why not): how the station learns the printer is back."""
        return self._put(PrintJob(next(self._ids), None, tag))

    @property
    def pending(self) -> int:
        """Jobs queued or being printed."""
        with self._idle:
            return self._busy

    def wait_idle(self, timeout: float | None = None) -> bool:
        """True once every submitted job is done (False on timeout)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the job in hand, cancel the rest (each gets a 'cancelled' outcome), join the thread."""
        self._stopping.set()
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                self._finish(job, PrintOutcome.of("cancelled"))
        if self._thread.is_alive():
            try:
                self._queue.put(None, timeout=timeout)
            except queue.Full:
                pass
            self._thread.join(timeout)

    def __enter__(self) -> PrinterWorker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _put(self, job: PrintJob) -> PrintJob:
        if self._stopping.is_set() or not self._thread.is_alive():
            self._finish(job, PrintOutcome.of("cancelled", "the printer worker is not running"), counted=False)
            return job
        with self._idle:
            self._busy += 1
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            self._finish(job, PrintOutcome.of("queue_full", f"{self._queue.maxsize} jobs waiting"))
        return job

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._stopping.is_set():
                self._finish(job, PrintOutcome.of("cancelled"))
                continue
            try:
                outcome = self.printer.print_ticket(job.ticket) if job.ticket is not None else self.printer.probe()
            except Exception as exc:  # print_ticket does not raise; this guards the thread anyway
                log.exception("printer job %s failed", job.id)
                outcome = PrintOutcome.of("internal_error", str(exc))
            self._finish(job, outcome)

    def _finish(self, job: PrintJob, outcome: PrintOutcome, *, counted: bool = True) -> None:
        job.outcome = outcome
        job.done.set()
        if self.on_result is not None:
            try:
                self.on_result(job, outcome)
            except Exception:
                log.exception("printer result callback failed for job %s", job.id)
        if counted:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()
