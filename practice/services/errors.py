"""Domain errors: what went wrong, said for the person who will read it."""


class PracticeError(Exception):
    """A rule refused the action. ``field`` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
