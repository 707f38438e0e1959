"""The printer layer's one exception class."""

from photoqueue.errors import PhotoqueueError


class PrinterError(PhotoqueueError):
    """A ticket, setting, font or connection the printer layer cannot use: says what is wrong.

    ``reason`` is one of the reason codes of :class:`PrintOutcome` ('unreachable', 'timeout', ...).
    Printing itself never raises this into the queue: :meth:`TicketPrinter.print_ticket` turns every
    failure into a :class:`PrintOutcome`. The CLI, the renderer and the connections raise it.
    """

    def __init__(self, message: str, *, reason: str = "printer_error", exit_status: int | None = None):
        super().__init__(message, exit_status=exit_status)
        self.reason = reason
