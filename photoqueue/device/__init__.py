"""The station: queue core, event store, timetable, scanner, buttons, sync client, station app.

The core modules (``events``, ``queue``, ``codecheck``, ``digest``, ``store``, ``timetable``) import no
hardware, GUI, printer or HTTP library; the adapters import theirs inside themselves.
"""
