"""The one error of the HTTP layer: a status and a message for the person or program that asked."""

from __future__ import annotations


class Problem(Exception):
    """An HTTP error with a message for the person or program that sent the request."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
