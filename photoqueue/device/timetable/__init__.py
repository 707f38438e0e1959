"""The timetable: which classes each room shoots, when, and how many students each has.

``model`` holds the plain data; ``load_timetable`` reads a file into it. Pure: no hardware, no HTTP.
"""

from photoqueue.device.timetable.loader import TimetableError, load_timetable
from photoqueue.device.timetable.model import ClassSlot, RoomDay, Timetable

__all__ = ["ClassSlot", "RoomDay", "Timetable", "TimetableError", "load_timetable"]
