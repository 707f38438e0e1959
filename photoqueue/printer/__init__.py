"""Tickets: layout and rendering, ESC/POS connections, a virtual network printer. A leaf library:
imports nothing from photoqueue.device or photoqueue.central."""
