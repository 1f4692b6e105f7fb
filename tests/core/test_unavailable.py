"""While the database cannot be reached, every page and API answers a clear 503."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.utils import translation
from psycopg import errors as pg_errors

from core.unavailable import RETRY_AFTER_SECONDS, is_connection_failure

pytestmark = pytest.mark.django_db

ENGLISH_DETAIL = "The service is temporarily unavailable. Please try again in a minute."


def wrapped(cause: BaseException, wrapper=OperationalError) -> Exception:
    """A Django database error wrapping ``cause``, as Django's wrapper raises it."""
    try:
        try:
            raise cause
        except BaseException as error:
            raise wrapper(str(error)) from error
    except wrapper as django_error:
        return django_error


@contextmanager
def database_down(cause: BaseException | None = None):
    """Every new cursor fails as psycopg fails on a refused connection."""
    cause = cause or psycopg.OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 '
        "failed: Connection refused"
    )

    def refuse() -> None:
        raise wrapped(cause)

    original = connection.ensure_connection
    connection.ensure_connection = refuse
    try:
        yield
    finally:
        connection.ensure_connection = original


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (wrapped(psycopg.OperationalError("Connection refused")), True),
        (wrapped(pg_errors.AdminShutdown("terminating connection")), True),
        (wrapped(pg_errors.CannotConnectNow("the database is starting up")), True),
        (wrapped(pg_errors.ConnectionFailure("connection failure")), True),
        (wrapped(psycopg.InterfaceError("connection closed"), InterfaceError), True),
        # A lock timeout, a cancelled query or a serialization failure is a
        # conflict the code must handle: masking it as "unavailable" would hide
        # a bug.
        (wrapped(pg_errors.LockNotAvailable("lock timeout")), False),
        (wrapped(pg_errors.QueryCanceled("statement timeout")), False),
        (wrapped(pg_errors.SerializationFailure("could not serialize")), False),
        (wrapped(pg_errors.UniqueViolation("duplicate"), IntegrityError), False),
        (wrapped(sqlite3.OperationalError("database is locked")), False),
        (OperationalError("no cause"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_connection_failures_count_as_the_database_being_down(error, expected):
    assert is_connection_failure(error) is expected


def test_the_api_answers_json_503_with_retry_after(client):
    with database_down():
        response = client.post(
            "/api/surveys/1/responses/",
            b"{}",
            content_type="application/json",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == "application/json"
    # The JSON API sits outside the language prefixes: it speaks the default
    # language, like its other messages.
    with translation.override("zh-hans"):
        detail = translation.gettext(ENGLISH_DETAIL)
    assert detail != ENGLISH_DETAIL
    assert response.json() == {
        "detail": detail,
        "retry_after": RETRY_AFTER_SECONDS,
    }


@pytest.mark.parametrize("path", ["/en/", "/en/complaints/new/", "/en/results/"])
def test_public_pages_answer_a_503_page_in_both_languages(client, home_page, path):
    with database_down():
        response = client.get(path)
    assert response.status_code == 503, path
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in html
    assert ENGLISH_DETAIL in html
    assert 'lang="zh-hans"' in html  # the same message in the other language


def test_a_signed_in_session_failing_in_a_middleware_is_a_503_too(client):
    # The session and second-factor lookups run in middleware, before any view.
    client.cookies["sessionid"] = "a-session-key-that-must-be-looked-up"
    client.raise_request_exception = False
    with database_down():
        response = client.get("/en/admin/", HTTP_ACCEPT_LANGUAGE="en")
        admin = client.get("/admin/pages/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert admin.status_code == 503
    assert admin["Retry-After"] == str(RETRY_AFTER_SECONDS)


def test_other_database_errors_stay_500(client, home_page):
    client.raise_request_exception = False
    with database_down(pg_errors.LockNotAvailable("canceling statement: lock timeout")):
        response = client.get("/en/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_the_site_answers_again_once_the_database_is_back(client, home_page):
    with database_down():
        assert client.get("/en/").status_code == 503
    assert client.get("/en/").status_code == 200
