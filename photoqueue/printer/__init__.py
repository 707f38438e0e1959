"""Tickets: layout and rendering, ESC/POS connections, a virtual network printer. A leaf library:
imports nothing from photoqueue.device or photoqueue.central.

The station calls::

    printer = TicketPrinter(PrinterSettings(kind="network", host="192.168.1.50"))
    worker = PrinterWorker(printer, on_result=lambda job, outcome: events.put(("printed", job.tag, outcome)))
    worker.start()
    worker.submit(Ticket(room="第一组", number=17, class_name="20财务管理1班", issued_at=now,
                         position=3, wait_minutes=1.5, check_code="7F3A"), tag=17)
"""

from photoqueue.printer.encode import Job, encode_ticket
from photoqueue.printer.errors import PrinterError
from photoqueue.printer.outcome import REASONS, PrintOutcome
from photoqueue.printer.printer import TicketPrinter
from photoqueue.printer.settings import PrinterSettings
from photoqueue.printer.status import PrinterStatus
from photoqueue.printer.ticket import Ticket, visible_text
from photoqueue.printer.worker import PrinterWorker, PrintJob

__all__ = [
    "REASONS", "Job", "PrintJob", "PrintOutcome", "PrinterError", "PrinterSettings", "PrinterStatus",
    "PrinterWorker", "Ticket", "TicketPrinter", "encode_ticket", "visible_text",
]
