"""Photos to numbers: align the camera's own files with the room's queue and say where they disagree.

The queue knows when each number was called and when the photographer's press marked it photographed;
the camera knows when each photo was taken (EXIF) and in which order. :func:`reconcile` estimates the
camera clock's offset and drift from the data, aligns the two timelines by dynamic programming (so one
forgotten press is found where it happens and shifts nothing after it), and returns per photo its
number with a confidence, and the findings. Pure over events and photo records: no device, no I/O
except :mod:`.photos`, which reads the files.
"""

from photoqueue.reconcile.align import Params, reconcile
from photoqueue.reconcile.errors import ReconcileError
from photoqueue.reconcile.model import Assignment, Finding, Photo, Reconciliation, Turn

__all__ = ["Assignment", "Finding", "Params", "Photo", "ReconcileError", "Reconciliation", "Turn", "reconcile"]
