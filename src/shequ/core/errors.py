"""Domain errors: each carries a message a person can act on, in Chinese."""


class DomainError(Exception):
    """A refused request. ``message`` is shown to the user as it is."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []


class ValidationError(DomainError):
    status = 422


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The object changed under the request (e.g. someone else moved it on)."""

    status = 409
