"""The reports layer's one exception: a request the reports cannot honour (an unknown fee rule or language)."""

from photoqueue.errors import PhotoqueueError


class ReportError(PhotoqueueError):
    """Raised with a message a person can act on (Chinese, then English)."""
