"""Error types. Each class means a behaviour: a user error (exit 2) or a failure; the API maps them to HTTP (api/errors.py)."""

from __future__ import annotations


class DeliberationError(Exception):
    """Base class: every error the library raises on purpose."""

    exit_code = 1


class UserError(DeliberationError):
    """The caller asked for something that does not exist or is malformed."""

    exit_code = 2


class NotFound(UserError):
    """A named scenario, persona, model, run or debate does not exist."""


class InvalidScenario(UserError):
    """A scenario or persona file is malformed or inconsistent with its source."""


class Conflict(UserError):
    """The request is valid but not now (e.g. a post out of turn)."""


class Unauthorized(UserError):
    """No valid token."""


class Forbidden(UserError):
    """A valid token that may not do this."""


class TooLarge(UserError):
    """A message or request exceeds its size bound."""


class TurnFailed(DeliberationError):
    """A model call failed or returned output that does not fit the schema, after retries."""

    public_message = "the model call failed; the server's log has the details for its operator"
    """What a client of the server sees: a provider's error text may hold account details and internal addresses."""


class MalformedOutput(TurnFailed):
    """The model answered, but not with the structured turn it was asked for (retryable)."""


class OutOfRole(TurnFailed):
    """A persona's reply left its role (spoke as another party, broke character, obeyed an injected instruction)."""


class Unavailable(DeliberationError):
    """A configured service (Postgres, Redis, a Chroma server) cannot be reached: the setting or the service is wrong."""

    exit_code = 2


class TooMany(UserError):
    """A quota is used up: a rate limit (`retry_after_s` says when to try again) or a cap on live debates or streams."""

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class StorageError(UserError):
    """Stored state (a transcript, a checkpoint, a database) is missing, damaged or cannot be written."""


class NotAllowed(UserError):
    """A well-formed value the operator has not allowed here (e.g. a model off the allow-list)."""
