"""The one place errors become HTTP: each error type's status, and bodies as {"error": {type, message}}."""

from __future__ import annotations

import logging

from deliberation.evals.types import JudgeFailed
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from deliberation.errors import (
    Conflict,
    DeliberationError,
    Forbidden,
    InvalidScenario,
    NotAllowed,
    NotFound,
    StorageError,
    TooLarge,
    TooMany,
    TurnFailed,
    Unauthorized,
    Unavailable,
    UserError,
)

log = logging.getLogger(__name__)

STATUS: dict[type[DeliberationError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    InvalidScenario: 422,
    NotAllowed: 422,
    TooMany: 429,
    StorageError: 503,
    UserError: 400,
    TurnFailed: 502,
    JudgeFailed: 502,
    Unavailable: 503,
    DeliberationError: 500,
}
"""Looked up along the error's class hierarchy: the most specific type listed wins."""


def status_of(error: DeliberationError) -> int:
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


def error_response(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(headers or {})
    if status == STATUS[Unauthorized]:
        headers["WWW-Authenticate"] = "Bearer"
    printable = message.encode("utf-8", "backslashreplace").decode("utf-8")  # input echoed back may hold lone surrogates
    return JSONResponse({"error": {"type": kind, "message": printable}}, status_code=status, headers=headers or None)


def public_message(error: DeliberationError, where: str) -> str:
    """What a client may read of an error: a failed model call's details go to the operator's log only."""
    if isinstance(error, TurnFailed):
        log.warning("%s: %s", where, error)
        return TurnFailed.public_message
    return str(error)


async def _deliberation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DeliberationError)
    message = public_message(error, f"{request.method} {request.url.path}")
    headers = {"Retry-After": str(error.retry_after_s)} if isinstance(error, TooMany) and error.retry_after_s else None
    return error_response(status_of(error), type(error).__name__, message, headers)


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())) or "request"
    message = f"{where}: {first.get('msg', 'invalid')} ({len(error.errors())} problem(s) in all)"
    return error_response(422, "ValidationError", message)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DeliberationError, _deliberation_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
