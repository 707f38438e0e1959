"""Photos to numbers: the camera's own files against the room's queue, on the line's model.

The line is the ticket order of the students present (the 2024 notice: "采集码扫描后，坚决不能插队和出走"), so
the photos follow it; a press moves the screen, not the line, and the presses are only evidence of where the
screen was when each photo was taken (:mod:`.line`). :func:`reconcile` estimates the camera clock's offset and
drift from the data (:mod:`.clock`), reads each number's time on the screen off the state the core's reducer
folds (:mod:`.timeline`), aligns the two by dynamic programming (:mod:`.align`) and returns per photo its
student with a confidence, and the findings: the slips where they happened, the stretches between slips
that cancel, absent students pressed past. Pure over events and photo records, except :mod:`.photos`, which
reads the files, and :mod:`.xlsx`, which writes the agency's workbook. docs/reconcile.md.
"""

from photoqueue.reconcile.align import Params, reconcile
from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import Assignment, Finding, Photo, Reconciliation, Turn

__all__ = ["Assignment", "Finding", "Params", "Photo", "ReconcileError", "Reconciliation", "Turn", "reconcile"]
