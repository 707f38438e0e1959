"""The station layer's one exception class."""

from photoqueue.errors import PhotoqueueError


class StationError(PhotoqueueError):
    """A station-side failure a person can act on: a bad data dir or database, a bad key file,
    an event record that does not match the schema, a disk that refuses a commit."""
