"""Only a lost or refused connection is a 503 "database unavailable"; other database errors are
bugs (500), and input must have been refused before it reached the database."""

from http import HTTPStatus

import pytest
from django.db import utils
from django.test import Client

pytestmark = pytest.mark.django_db


def _failing_with(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error("boom")

    monkeypatch.setattr("users.search.search_users", broken)
    return broken


@pytest.mark.parametrize("error", [utils.OperationalError, utils.InterfaceError])
def test_a_connection_error_is_a_503(admin_user, monkeypatch, error):
    _failing_with(monkeypatch, error)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/console/users")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize(
    "error", [utils.DataError, utils.IntegrityError, utils.ProgrammingError, utils.DatabaseError]
)
def test_a_data_integrity_or_programming_error_is_a_500_not_an_outage(
    admin_user, monkeypatch, error
):
    _failing_with(monkeypatch, error)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/console/users")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    body = response.content.decode()
    assert "database is unavailable" not in body and "boom" not in body
    assert "Retry-After" not in response
