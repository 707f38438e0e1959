"""The station's printer adapter: PrintTicket effects in, the printer part's worker thread prints,
a ``PrintResult`` comes back on the station's queue. The queue thread never waits for paper.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from photoqueue.core import effects as fx
from photoqueue.device.station.view import printer_ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintResult:
    """What became of one ticket (put on the station's queue by the printer thread)."""

    number: int
    reprint: bool
    ok: bool
    reason_code: str = ""
    message_zh: str = ""
    message_en: str = ""
    nbytes: int = 0
    written_at: float = 0.0  # time.perf_counter() when the printer part reported the bytes sent


class PrinterAdapter:
    """photoqueue.printer's TicketPrinter + PrinterWorker, speaking the station's items."""

    def __init__(self, settings, submit: Callable[[object], None]):
        from photoqueue.printer import PrinterWorker, TicketPrinter

        self.settings = settings
        self._submit = submit
        self.printer = TicketPrinter(settings)
        self.worker = PrinterWorker(self.printer, on_result=self._on_result)
        self.printed = 0
        self.healthy = True

    def start(self) -> PrinterAdapter:
        self.worker.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self.worker.stop(timeout)
        self.printer.close()

    def print_ticket(self, effect: fx.PrintTicket, location: str = "") -> None:
        self.worker.submit(printer_ticket(effect, location), tag=(effect.number, effect.reprint))

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted ticket was handled (for tests, the demo and the bench)."""
        return self.worker.wait_idle(timeout)

    @property
    def virtual_printer(self):
        return self.printer.virtual_printer

    def _on_result(self, job, outcome) -> None:
        if job.tag is None:
            return  # a probe
        number, reprint = job.tag
        self.healthy = outcome.ok
        if outcome.ok:
            self.printed += 1
        self._submit(PrintResult(number, reprint, outcome.ok, outcome.reason_code, outcome.message_zh,
                                 outcome.message_en, outcome.bytes_sent, time.perf_counter()))
