"""Password set / verify / has-password / expiration, suspension and deletion."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.factories import UserFactory
from users.models import User

STRONG = "Quiet-harbour-77?"


@pytest.fixture
def user(db):
    return UserFactory(username="pat_user", password="Old-password-99!")


def test_set_password_hashes_it_and_answers_the_user(api, user):
    response = api.patch(f"/api/users/{user.pk}/password", {"password": STRONG})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["hasPassword"] is True
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert Log.objects.filter(user=user, key="ManagementApi.User.Password.Update").count() == 1


def test_set_password_applies_the_password_policy(api, user):
    response = api.patch(f"/api/users/{user.pk}/password", {"password": "password"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "password.rejected"
    user.refresh_from_db()
    assert user.check_password("Old-password-99!")


def test_an_empty_password_is_400(api, user):
    response = api.patch(f"/api/users/{user.pk}/password", {"password": ""})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_verify_password_answers_204_when_it_matches(api, user):
    response = api.post(f"/api/users/{user.pk}/password/verify", {"password": "Old-password-99!"})
    assert response.status_code == HTTPStatus.NO_CONTENT


def test_verify_password_answers_422_when_it_does_not(api, user):
    response = api.post(f"/api/users/{user.pk}/password/verify", {"password": "wrong"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "session.invalid_credentials"


def test_verify_password_of_a_user_without_one_is_422(api, db):
    user = UserFactory()
    response = api.post(f"/api/users/{user.pk}/password/verify", {"password": "anything"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_verify_password_of_an_unknown_user_is_404(api, db):
    response = api.post("/api/users/nosuchuser12/password/verify", {"password": "x"})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_has_password(api, user):
    assert api.get(f"/api/users/{user.pk}/has-password").json() == {"hasPassword": True}
    other = UserFactory()
    assert api.get(f"/api/users/{other.pk}/has-password").json() == {"hasPassword": False}


def test_password_expiration_flags_the_user(api, user):
    response = api.patch(f"/api/users/{user.pk}/password/expiration", {"isExpired": True})
    assert response.status_code == HTTPStatus.OK
    user.refresh_from_db()
    assert user.is_password_expired


def test_password_expiration_needs_a_boolean(api, user):
    response = api.patch(f"/api/users/{user.pk}/password/expiration", {"isExpired": "yes"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_suspend_and_reactivate(api, user):
    response = api.patch(f"/api/users/{user.pk}/is-suspended", {"isSuspended": True})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["isSuspended"] is True
    user.refresh_from_db()
    assert user.is_suspended
    response = api.patch(f"/api/users/{user.pk}/is-suspended", {"isSuspended": False})
    assert response.json()["isSuspended"] is False
    keys = list(Log.objects.filter(user=user).values_list("key", flat=True))
    assert sorted(keys) == ["ManagementApi.User.Reactivate", "ManagementApi.User.Suspend"]


def test_suspension_needs_a_strict_boolean(api, user):
    response = api.patch(f"/api/users/{user.pk}/is-suspended", {"isSuspended": 1})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert not user.is_suspended


def test_delete_removes_the_user_then_it_is_404(api, user):
    response = api.delete(f"/api/users/{user.pk}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not User.objects.filter(pk=user.pk).exists()
    assert Log.objects.get(key="ManagementApi.User.Delete").user_ref == user.pk
    for response in (api.get(f"/api/users/{user.pk}"), api.delete(f"/api/users/{user.pk}")):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["code"] == "entity.not_found"
