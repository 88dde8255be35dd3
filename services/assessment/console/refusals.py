"""What the console refuses, as a page with a status (the domain's refusals are turned into these or into forms'
errors by the handler)."""

from __future__ import annotations

TITLES = {
    400: "Sorry, there is a problem with this form",
    401: "Sign in to continue",
    403: "You cannot do this",
    404: "Page not found",
    409: "The application changed",
    422: "There is a problem",
}


class ConsoleRefusal(Exception):
    def __init__(self, status: int, message: str, title: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title or TITLES.get(status, "Sorry, there is a problem")
