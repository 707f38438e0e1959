"""The station's state thread never waits on the printer."""

import threading

import pytest

from photoqueue.printer import PrinterSettings, PrinterWorker, TicketPrinter
from photoqueue.printer.virtual import VirtualPrinter

from .conftest import make_ticket

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


class SlowPrinter(TicketPrinter):
    """Blocks each job until released: stands for a printer that takes its time."""

    def __init__(self):
        super().__init__(PrinterSettings(kind="dummy"))
        self.release = threading.Event()

    def print_ticket(self, ticket):
        self.release.wait(10)
        return super().print_ticket(ticket)


def test_submit_returns_before_the_printer_is_done_and_results_come_in_order():
    printer = SlowPrinter()
    results = []
    with PrinterWorker(printer, lambda job, outcome: results.append((job.tag, outcome.reason_code))) as worker:
        jobs = [worker.submit(make_ticket(number=n), tag=n) for n in (1, 2, 3)]
        assert not any(job.done.is_set() for job in jobs)  # nobody waited for the printer
        assert worker.pending == 3
        printer.release.set()
        assert worker.wait_idle(10)
    assert results == [(1, "printed"), (2, "printed"), (3, "printed")]


def test_a_full_queue_refuses_at_once():
    printer = SlowPrinter()
    refused = []
    worker = PrinterWorker(printer, lambda _job, o: refused.append(o.reason_code) if not o.ok else None,
                           max_pending=1).start()
    try:
        jobs = [worker.submit(make_ticket(number=n)) for n in range(4)]
        assert "queue_full" in refused
        assert any(j.outcome and j.outcome.reason_code == "queue_full" for j in jobs)
    finally:
        printer.release.set()
        worker.stop()


def test_outcomes_of_a_printer_that_is_out_of_paper_come_back_through_the_callback():
    with VirtualPrinter() as vp:
        vp.set_state(paper="out")
        printer = TicketPrinter(PrinterSettings(kind="network", host="127.0.0.1", port=vp.port, timeout_s=3))
        seen = []
        with PrinterWorker(printer, lambda _job, outcome: seen.append(outcome)) as worker:
            job = worker.submit(make_ticket())
            assert job.wait(10).reason_code == "paper_out"
            vp.set_state(paper="ok")
            assert worker.submit_probe().wait(10).reason_code == "ready"
            assert worker.submit(make_ticket(reprint=True)).wait(10).ok
        assert [o.reason_code for o in seen] == ["paper_out", "ready", "printed"]


def test_a_failing_callback_does_not_stop_the_worker():
    def bad(_job, _outcome):
        raise ValueError("station bug")

    with PrinterWorker(TicketPrinter(PrinterSettings(kind="dummy")), bad) as worker:
        first, second = worker.submit(make_ticket()), worker.submit(make_ticket(number=2))
        assert second.wait(10).ok and first.outcome.ok


def test_stop_cancels_what_was_not_printed():
    printer = SlowPrinter()
    outcomes = []
    worker = PrinterWorker(printer, lambda _job, o: outcomes.append(o.reason_code)).start()
    worker.submit(make_ticket(number=1))
    worker.submit(make_ticket(number=2))
    threading.Timer(0.2, printer.release.set).start()
    worker.stop()
    assert "cancelled" in outcomes
    late = worker.submit(make_ticket(number=3))
    assert late.outcome.reason_code == "cancelled"
