"""Error types. Each class means a behaviour: user error (exit 2 / 4xx) or a turn failure."""

from __future__ import annotations


class DeliberationError(Exception):
    """Base class: every error the library raises on purpose."""

    exit_code = 1
    http_status = 500


class UserError(DeliberationError):
    """The caller asked for something that does not exist or is malformed."""

    exit_code = 2
    http_status = 400


class NotFound(UserError):
    """A named scenario, persona, model, run or debate does not exist."""

    http_status = 404


class InvalidScenario(UserError):
    """A scenario or persona file is malformed or inconsistent with its source."""

    http_status = 422


class Conflict(UserError):
    """The request is valid but not now (e.g. a post out of turn)."""

    http_status = 409


class Unauthorized(UserError):
    """No valid token."""

    http_status = 401


class Forbidden(UserError):
    """A valid token that may not do this."""

    http_status = 403


class TooLarge(UserError):
    """A message or request exceeds its size bound."""

    http_status = 413


class TurnFailed(DeliberationError):
    """A model call failed or returned output that does not fit the schema, after retries."""

    http_status = 502
    public_message = "the model call failed; the server's log has the details for its operator"
    """What a client of the server sees: a provider's error text may hold account details and internal addresses."""


class MalformedOutput(TurnFailed):
    """The model answered, but not with the structured turn it was asked for (retryable)."""


class OutOfRole(TurnFailed):
    """A persona's reply left its role (spoke as another party, broke character, obeyed an injected instruction)."""


class JudgeFailed(DeliberationError):
    """The LLM judge could not score an utterance: its model call failed or never fit the schema, after retries."""

    http_status = 502

    def __init__(self, utterance_id: str, message: str) -> None:
        super().__init__(message)
        self.utterance_id = utterance_id


class Unavailable(DeliberationError):
    """A configured service (Postgres, Redis, a Chroma server) cannot be reached: the setting or the service is wrong."""

    exit_code = 2
    http_status = 503


class TooMany(UserError):
    """A quota is used up: a rate limit (`retry_after_s` says when to try again) or a cap on live debates or streams."""

    http_status = 429

    def __init__(self, message: str, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class StorageError(UserError):
    """Stored state (a transcript, a checkpoint, a database) is missing, damaged or cannot be written."""

    http_status = 503


class NotAllowed(UserError):
    """A well-formed value the operator has not allowed here (e.g. a model off the allow-list)."""

    http_status = 422
