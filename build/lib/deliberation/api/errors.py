"""The one place errors become HTTP: our error types carry their status; bodies are {"error": {type, message}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from deliberation.errors import DeliberationError, Unauthorized


def error_response(status: int, kind: str, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == Unauthorized.http_status else None
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)


async def _deliberation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DeliberationError)
    return error_response(error.http_status, type(error).__name__, str(error))


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())) or "request"
    message = f"{where}: {first.get('msg', 'invalid')} ({len(error.errors())} problem(s) in all)"
    return error_response(422, "ValidationError", message)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DeliberationError, _deliberation_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
