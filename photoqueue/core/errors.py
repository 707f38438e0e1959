"""The core layer's one exception class."""

from photoqueue.errors import PhotoqueueError


class CoreError(PhotoqueueError):
    """A record or message that breaks the queue's rules of form: an event that does not match the
    schema, a staff command with an unknown kind or wrong arguments. The station and the centre
    catch it at their edge and say which file, station or request it came from."""
