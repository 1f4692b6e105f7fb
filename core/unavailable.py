"""A clear 503, never a 500, while the database cannot be reached.

A PostgreSQL restart, a failover or a full connection pool must look to a
citizen like "come back in a minute", and to an API client like a retryable
answer (503 with Retry-After), not like a bug. Only connection failures are
turned into 503: a query error, a constraint violation or a lock timeout is a
bug or a conflict, and stays a 500 that reaches the error log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

# Seconds a client should wait before retrying: about as long as PostgreSQL
# takes to restart or a standby to be promoted.
RETRY_AFTER_SECONDS = 30

# SQLSTATE codes the server sends while it cannot serve: class 08 is
# "connection exception"; 57P01-57P03 are admin shutdown, crash shutdown and
# "the database system is starting up".
_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")


def is_connection_failure(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be reached right now.

    Django wraps the driver's exception (kept as ``__cause__``). psycopg gives
    every error that came from the server an SQLSTATE, and none to a refused
    or dropped connection, so an OperationalError without one is a connection
    failure. An InterfaceError is a connection already closed under us.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if cause is None or not type(cause).__module__.startswith("psycopg"):
        # Another driver (SQLite in development): do not guess, keep the 500.
        return False
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        return True
    return sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


def _detail() -> str:
    return _("The service is temporarily unavailable. Please try again in a minute.")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 page (or JSON under /api/) with a Retry-After header."""
    detail = _detail()
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": detail, "retry_after": RETRY_AFTER_SECONDS}, status=503
        )
    else:
        # Both languages, the visitor's first: the page must be understood
        # whichever language the request was routed to. The template extends
        # nothing and loads no tags that query the database.
        other = "en" if translation.get_language() != "en" else "zh-hans"
        with translation.override(other):
            other_detail = _detail()
        html = render_to_string(
            "503.html",
            {
                "detail": detail,
                "other_detail": other_detail,
                "language": translation.get_language(),
            },
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a database connection failure raised by a view into a 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if not is_connection_failure(exception):
            return None
        logger.warning("database unavailable: %s %s", request.method, request.path)
        return unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a connection failure raised in a middleware is still a 503.

    process_exception only sees exceptions raised by views; a session or
    second-factor lookup fails inside a middleware and reaches this handler,
    which Django calls while the exception is being handled.
    """
    error = sys.exc_info()[1]
    if error is not None and is_connection_failure(error):
        return unavailable_response(request)
    return default_server_error(request)
