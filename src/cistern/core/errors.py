"""The error a service raises when a request cannot be carried out.

Its message is written for the person at the screen: it says what is wrong and what to
do. ``field`` names the form field at fault, so a view can show it beside that field.
"""


class ServiceError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
