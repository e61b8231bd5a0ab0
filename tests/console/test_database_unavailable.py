from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_is_a_503_page_without_a_traceback(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    with _outage():
        response = client.get("/console/users")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    body = response.content.decode()
    assert "database is unavailable" in body
    assert "Traceback" not in body
    assert response["Retry-After"] == "30"


@pytest.mark.django_db(transaction=True)
def test_the_console_recovers_when_the_database_returns(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    with _outage():
        assert client.get("/console/users").status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert client.get("/console/users").status_code == HTTPStatus.OK


@pytest.mark.django_db
def test_other_errors_are_a_plain_500_without_details(admin_user, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("users.search.search_users", broken)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.get("/console/users")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "secret detail" not in response.content.decode()


class _outage:
    def __enter__(self):
        self.saved = dict(connection.settings_dict)
        connection.close()
        if connection.vendor == "sqlite":
            connection.settings_dict["NAME"] = "/nonexistent/dir/gatehouse.sqlite3"
        else:
            connection.settings_dict.update(HOST="127.0.0.1", PORT="1")

    def __exit__(self, *exc):
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.saved)
