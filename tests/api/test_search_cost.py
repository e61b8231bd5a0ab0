"""posix / similar_to / like patterns run under a statement timeout on PostgreSQL, and a pattern
the database refuses is a 400, never a 500."""

from http import HTTPStatus

import pytest
from django.db import connection

from tests.factories import UserFactory
from users.models import User
from users.search import InvalidSearch, bounded

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"
)


@postgres_only
def test_a_query_past_the_statement_timeout_is_an_invalid_search(db):
    UserFactory()  # a row to join: over an empty table the planner may never call pg_sleep
    slow = User.objects.raw("SELECT id FROM users_user, pg_sleep(0.5) LIMIT 1")
    with pytest.raises(InvalidSearch, match="too long"):
        bounded(lambda: list(slow), timeout_ms=50)
    assert User.objects.count() >= 0  # the connection is still usable


@postgres_only
def test_a_regex_postgresql_refuses_is_400(api):
    UserFactory(username="ann_lee")
    # Python accepts named groups; PostgreSQL's regex engine does not.
    response = api.get("/api/users", {"search.username": "(?P<x>ann)", "mode.username": "posix"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "request.invalid_input"


def test_a_regex_neither_engine_accepts_is_400(api):
    response = api.get("/api/users", {"search.username": "a**", "mode.username": "posix"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "request.invalid_input"
