"""The root of photoqueue's exceptions.

Each layer has one exception class of its own, derived from :class:`PhotoqueueError`
(``StoreError``, ``PrinterError``, ``DisplayError``, ``ConfigError`` ...). The command line
catches this root class and prints its message without a traceback: these are the
errors a user can cause and fix (a bad file, a bad key, a printer out of paper).
"""


class PhotoqueueError(Exception):
    """An error with a message meant for the person at the keyboard.

    ``exit_status`` is what the command line exits with when this error ends a command.
    """

    exit_status = 1

    def __init__(self, message: str, *, exit_status: int | None = None):
        super().__init__(message)
        if exit_status is not None:
            self.exit_status = exit_status
