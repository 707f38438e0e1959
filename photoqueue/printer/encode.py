"""A ticket as the exact bytes of one print job: ESC @, the body (raster or text), feed and cut."""

from __future__ import annotations

from dataclasses import dataclass, replace

from photoqueue.printer import commands as cmd
from photoqueue.printer.layout import render_ticket
from photoqueue.printer.raster import raster_commands
from photoqueue.printer.settings import PrinterSettings, profile_cut
from photoqueue.printer.textmode import ticket_text_commands
from photoqueue.printer.ticket import Ticket, status_link


@dataclass(frozen=True)
class Job:
    """One ticket's print job: the chunks to send, in order (a chunk is one band or one text line)."""

    chunks: tuple[bytes, ...]

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    def __len__(self) -> int:
        return sum(len(c) for c in self.chunks)


def resolve_cut(settings: PrinterSettings) -> str:
    return profile_cut(settings.profile) if settings.cut == "auto" else settings.cut


def encode_ticket(ticket: Ticket, settings: PrinterSettings | None = None) -> Job:
    """The print job for ``ticket`` under ``settings`` (image or text mode). Pure: sends nothing."""
    s = settings or PrinterSettings()
    if s.status_url and not ticket.status_url:  # the QR code of /status on this room and number
        ticket = replace(ticket, status_url=status_link(s.status_url, ticket.room, ticket.number))
    width = s.width_dots
    if s.mode == "text":
        body = ticket_text_commands(ticket, width)
    else:
        body = raster_commands(render_ticket(ticket, width, font_path=s.font_path or None), compact=s.compact)
    return Job((cmd.INIT, *body, cmd.finish(resolve_cut(s), s.feed_lines)))
