"""The timetable: which classes each room shoots, when, and how many students each has.

``model`` holds the plain data; ``load_timetable`` reads a CSV or XLSX file into it (``importer`` does
the reading, tolerant of how staff write timetables); ``check`` finds the mistakes; ``plan`` says when
each class will really be shot. Pure: no hardware, no GUI, no HTTP (openpyxl only inside the XLSX reader).
"""

from photoqueue.timetable.check import CheckReport, CheckSettings, check_file, check_rows
from photoqueue.timetable.findings import Finding
from photoqueue.timetable.importer import ImportOptions
from photoqueue.timetable.loader import TimetableError, load_timetable
from photoqueue.timetable.model import ClassSlot, RoomDay, Timetable
from photoqueue.timetable.plan import (
    ClassPlan,
    ClassProgress,
    PlanSettings,
    RoomPlan,
    plan_room,
)
from photoqueue.timetable.progress import RoomProgress, room_progress

__all__ = [
    "CheckReport", "CheckSettings", "ClassPlan", "ClassProgress", "ClassSlot", "Finding", "ImportOptions",
    "PlanSettings", "RoomDay", "RoomPlan", "RoomProgress", "Timetable", "TimetableError", "check_file",
    "check_rows", "load_timetable", "plan_room", "room_progress",
]
