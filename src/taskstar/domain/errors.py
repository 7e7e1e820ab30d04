"""Domain errors: what went wrong in business terms.

Services raise these; the HTTP edge maps each to its status in one place
(`taskstar.http.problems`), so no service ever speaks HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One offending input field and why it was refused."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every error a business operation can refuse with."""

    title = "Request refused"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule (an id from another workspace, say)."""

    title = "Invalid input"

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls(message, errors=[FieldError(field, message)])


class NotFound(DomainError):
    """The resource does not exist, or the caller may not know that it does."""

    title = "Not found"


class Forbidden(DomainError):
    """The caller is a member, but their role does not allow the action."""

    title = "Forbidden"


class Conflict(DomainError):
    """A uniqueness conflict or a rule about the current state (the last owner, say)."""

    title = "Conflict"


class StaleVersion(DomainError):
    """The client's idea of the resource (its ``If-Match``) is out of date."""

    title = "Precondition failed"


class Gone(DomainError):
    """What the client asked for existed but is no longer kept (an event-feed cursor older than
    the retention window). ``resume_after`` is the cursor to read on from once the client has
    reloaded what it shows; the problem details carry it as an extension member."""

    title = "Gone"

    def __init__(self, detail: str, *, resume_after: int) -> None:
        super().__init__(detail)
        self.resume_after = resume_after


class AuthenticationFailed(DomainError):
    """Credentials are missing, wrong, or expired."""

    title = "Unauthorized"


class Unavailable(DomainError):
    """The database cannot be reached right now; the client may retry."""

    title = "Service unavailable"
