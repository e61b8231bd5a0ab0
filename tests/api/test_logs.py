"""GET /api/logs, /api/logs/:id and /api/users/:id/logs."""

from http import HTTPStatus

import pytest

from tests.audit.factories import LogFactory
from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


def test_logs_of_a_user_in_logtos_shape(api, user):
    LogFactory(user=user, user_ref=user.pk, key="Interaction.SignIn.Submit")
    LogFactory(key="Interaction.SignIn.Submit")
    response = api.get("/api/logs", {"userId": user.pk})
    assert response.status_code == HTTPStatus.OK
    [log] = response.json()
    assert log["key"] == "Interaction.SignIn.Submit"
    assert log["payload"]["userId"] == user.pk
    assert isinstance(log["createdAt"], int)
    assert response["Total-Number"] == "1"


def test_admin_acts_are_listed_on_request(api, user):
    api.patch(f"/api/users/{user.pk}", {"name": "Changed"})
    assert api.get("/api/logs", {"userId": user.pk}).json() == []
    logs = api.get("/api/logs", {"userId": user.pk, "includeAdminActions": "true"}).json()
    assert [log["key"] for log in logs] == ["ManagementApi.User.Profile.Update"]


def test_user_logs_route(api, user):
    LogFactory(user=user, user_ref=user.pk, key="Interaction.SignIn.Submit")
    response = api.get(f"/api/users/{user.pk}/logs")
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()) == 1
    assert api.get("/api/users/nosuchuser12/logs").status_code == HTTPStatus.NOT_FOUND


def test_one_log_and_an_unknown_one(api, user):
    log = LogFactory(user=user, user_ref=user.pk, key="Interaction.SignIn.Submit")
    assert api.get(f"/api/logs/{log.pk}").json()["id"] == log.pk
    response = api.get("/api/logs/nosuchlog")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_exists_with_id"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start_time": "yesterday"}, "guard.invalid_input"),
        ({"start_time": "2000", "end_time": "1000"}, "log.invalid_time_window"),
        ({"page_size": "1000"}, "guard.invalid_pagination"),
        ({"page": "-1"}, "guard.invalid_pagination"),
    ],
)
def test_bad_log_queries_are_400(api, db, params, code):
    response = api.get("/api/logs", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == code
