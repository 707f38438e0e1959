"""The display layer's one exception class."""

from photoqueue.errors import PhotoqueueError


class DisplayError(PhotoqueueError):
    """A display state or setting that cannot be used: says which field and what is wrong with it."""
