"""Personal access tokens: the value once at creation, never in lists; Logto's codes."""

import time
from http import HTTPStatus

import pytest

from audit.models import Log
from tests.audit_guard import register_secret
from tests.factories import UserFactory
from users.models import PersonalAccessToken
from users.tokens import digest, user_for_personal_access_token


@pytest.fixture
def user(db):
    return UserFactory()


def test_create_returns_the_value_once_and_stores_only_its_hash(api, user):
    response = api.post(f"/api/users/{user.pk}/personal-access-tokens", {"name": "ci"})
    assert response.status_code == HTTPStatus.CREATED
    value = response.json()["value"]
    register_secret(value)
    assert value.startswith("pat_") and len(value) == 36
    token = PersonalAccessToken.objects.get(user=user)
    assert token.token_hash == digest(value)
    assert user_for_personal_access_token(value) == user
    listed = api.get(f"/api/users/{user.pk}/personal-access-tokens").json()
    assert [t["name"] for t in listed] == ["ci"]
    assert "value" not in listed[0]
    assert value not in str(list(Log.objects.values_list("payload", flat=True)))


def test_create_with_an_expiry(api, user):
    expires = int(time.time() * 1000) + 3_600_000
    response = api.post(
        f"/api/users/{user.pk}/personal-access-tokens", {"name": "ci", "expiresAt": expires}
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["expiresAt"] == expires


def test_an_expiry_in_the_past_is_400(api, user):
    response = api.post(
        f"/api/users/{user.pk}/personal-access-tokens", {"name": "ci", "expiresAt": 1000}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "request.invalid_input"


def test_a_duplicate_name_is_422(api, user):
    api.post(f"/api/users/{user.pk}/personal-access-tokens", {"name": "ci"})
    response = api.post(f"/api/users/{user.pk}/personal-access-tokens", {"name": "ci"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.personal_access_token_name_exists"


def test_a_token_for_an_unknown_user_is_404(api, db):
    response = api.post("/api/users/nosuchuser12/personal-access-tokens", {"name": "ci"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.relation_foreign_key_not_found"


def test_rename_and_delete(api, user):
    api.post(f"/api/users/{user.pk}/personal-access-tokens", {"name": "old"})
    response = api.patch(
        f"/api/users/{user.pk}/personal-access-tokens", {"name": "new", "currentName": "old"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["name"] == "new" and "value" not in response.json()
    response = api.patch(
        f"/api/users/{user.pk}/personal-access-tokens", {"name": "x", "currentName": "old"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_exists"
    response = api.post(f"/api/users/{user.pk}/personal-access-tokens/delete", {"name": "new"})
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not PersonalAccessToken.objects.exists()
    response = api.post(f"/api/users/{user.pk}/personal-access-tokens/delete", {"name": "new"})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_legacy_rename_and_delete_by_name_in_the_path(api, user):
    api.post(f"/api/users/{user.pk}/personal-access-tokens", {"name": "my token"})
    response = api.patch(
        f"/api/users/{user.pk}/personal-access-tokens/my%20token", {"name": "renamed"}
    )
    assert response.status_code == HTTPStatus.OK
    response = api.delete(f"/api/users/{user.pk}/personal-access-tokens/renamed")
    assert response.status_code == HTTPStatus.NO_CONTENT
