"""Errors the domain raises; the web layer turns each into a status code and a human sentence."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses, with a message fit to show the person who made it."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """Input that breaks a rule; ``errors`` maps a field name (or path) to what is wrong with it."""

    status = 422

    def __init__(self, errors: dict[str, str], message: str = "Please correct the marked fields."):
        super().__init__(message)
        self.errors = errors


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class StorageFull(DomainError):
    """There is no room to store what was sent (a full disk); nothing of the request is kept."""

    status = 507


class TooManyAttempts(DomainError):
    """Throttled; ``retry_after`` is in seconds."""

    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
