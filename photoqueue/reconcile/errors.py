"""The reconcile layer's one exception class."""

from photoqueue.errors import PhotoqueueError


class ReconcileError(PhotoqueueError):
    """Photos and numbers cannot be reconciled as asked: no such folder, no photos, no queue for the
    room and date, an output file that cannot be written."""
