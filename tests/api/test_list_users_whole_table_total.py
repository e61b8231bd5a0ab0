"""GET /api/users over a whole big table answers the planner's estimate, marked capped, as the
console does (docs/api.md) — never an exact count(*) of a million rows; a small table, a per-field
search or a facet keeps its own total."""

from http import HTTPStatus

import pytest
from django.db import connection

from tests.factories import UserFactory
from users import search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner estimate"),
]


@pytest.fixture
def big_table(monkeypatch):
    """Five users and statistics that know them; "big" starts at three here."""
    UserFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE users_user")
    monkeypatch.setattr(search, "EXACT_TOTAL_LIMIT", 3)


def test_the_whole_table_past_the_limit_is_the_estimate_marked_capped(api, big_table):
    for params in ({}, {"sort": "-lastSignInAt"}, {"sort": "name"}):
        response = api.get("/api/users", params)

        assert response.status_code == HTTPStatus.OK, params
        assert response["Total-Number-Is-Capped"] == "true", params
        assert int(response["Total-Number"]) >= 3


def test_the_console_table_shows_the_same_estimate_as_the_api(api, big_table):
    console = search.search_users("", page=1, page_size=20)
    response = api.get("/api/users")

    assert console.total_kind == search.Total.ESTIMATE
    assert int(response["Total-Number"]) == console.total


def test_a_per_field_search_keeps_an_exact_total(api, big_table):
    UserFactory(username="zed-exact")

    response = api.get("/api/users", {"search.username": "zed-exact"})

    assert response["Total-Number"] == "1"
    assert "Total-Number-Is-Capped" not in response


def test_a_small_table_is_counted_exactly(api, big_table, monkeypatch):
    monkeypatch.setattr(search, "EXACT_TOTAL_LIMIT", 1_000)

    response = api.get("/api/users")

    assert "Total-Number-Is-Capped" not in response
    assert response["Total-Number"] == str(len(response.json()))
