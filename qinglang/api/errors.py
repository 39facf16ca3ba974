"""Every error leaves the API as `{"error": {"code", "message"}}` with a stable code.

Messages come from `QinglangError`s, which never carry personal data; request validation
errors are reduced to where and what kind of problem, never the value that was sent (the
default FastAPI body echoes the input back).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from qinglang.errors import QinglangError

log = logging.getLogger("qinglang.api")

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
              413: "too_large", 415: "unsupported_media_type", 422: "invalid_request",
              429: "too_many_requests"}


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, **extra}}


def install(app: FastAPI) -> None:
    app.add_exception_handler(QinglangError, _qinglang_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


async def _qinglang_error(_request: Request, error: QinglangError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.http_status == 401 else {}
    if getattr(error, "retry_after", None):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(error_body(error.code, error.message), error.http_status,
                        headers or None)


async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("type")}
                for e in error.errors()]
    return JSONResponse(error_body("invalid_request", "the request is not valid",
                                   problems=problems), 422)


async def _http_error(_request: Request, error: HTTPException) -> JSONResponse:
    code = HTTP_CODES.get(error.status_code, "error")
    message = error.detail if isinstance(error.detail, str) else code
    return JSONResponse(error_body(code, message), error.status_code, error.headers)


async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
    log.error("unexpected %s", type(error).__name__)
    return JSONResponse(error_body("internal", "internal error"), 500)
