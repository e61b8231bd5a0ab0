"""PATCH /api/users/:id, custom data and profile merges, GET custom-data."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.factories import SuperuserFactory, UserFactory


@pytest.fixture
def user(db):
    return UserFactory(
        username="ann_lee",
        primary_email="ann@example.com",
        custom_data={"plan": "free", "seats": 1},
        profile={"givenName": "Ann", "address": {"country": "UK", "region": "Kent"}},
    )


def test_patch_changes_the_fields_given_and_answers_the_user(api, user, m2m_app):
    response = api.patch(
        f"/api/users/{user.pk}", {"name": "Ann B", "primaryEmail": "b@example.com"}
    )
    assert response.status_code == HTTPStatus.OK
    data = response.json()
    assert (data["name"], data["primaryEmail"], data["username"]) == (
        "Ann B",
        "b@example.com",
        "ann_lee",
    )
    user.refresh_from_db()
    assert user.name == "Ann B"
    keys = set(Log.objects.filter(user=user).values_list("key", flat=True))
    assert keys == {"ManagementApi.User.Identifiers.Update", "ManagementApi.User.Profile.Update"}
    assert set(Log.objects.filter(user=user).values_list("application_id", flat=True)) == {
        m2m_app.pk
    }


def test_patch_replaces_custom_data_and_profile_whole(api, user):
    response = api.patch(
        f"/api/users/{user.pk}", {"customData": {"new": True}, "profile": {"nickname": "A"}}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["customData"] == {"new": True}
    assert response.json()["profile"] == {"nickname": "A"}


def test_an_empty_string_clears_an_identifier(api, user):
    response = api.patch(f"/api/users/{user.pk}", {"username": ""})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["username"] is None
    user.refresh_from_db()
    assert user.username is None


def test_an_empty_patch_is_422_entity_invalid_input(api, user):
    response = api.patch(f"/api/users/{user.pk}", {})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "entity.invalid_input"


def test_a_taken_identifier_is_422_and_nothing_changes(api, user):
    UserFactory(username="taken")
    response = api.patch(f"/api/users/{user.pk}", {"username": "taken", "name": "Changed"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.username_already_in_use"
    user.refresh_from_db()
    assert (user.username, user.name) == ("ann_lee", user.name)
    assert user.name != "Changed"
    assert not Log.objects.filter(user=user).exists()


def test_an_unknown_user_is_404(api, db):
    response = api.patch("/api/users/nosuchuser12", {"name": "x"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_found"


def test_a_console_admin_account_cannot_be_changed_through_the_api(api, db):
    admin = SuperuserFactory()
    for response in (
        api.patch(f"/api/users/{admin.pk}", {"name": "x"}),
        api.patch(f"/api/users/{admin.pk}/password", {"password": "Tall-lighthouse-42!"}),
        api.patch(f"/api/users/{admin.pk}/is-suspended", {"isSuspended": True}),
        api.delete(f"/api/users/{admin.pk}"),
    ):
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json()["code"] == "user.forbidden"
    admin.refresh_from_db()
    assert not admin.is_suspended


def test_get_custom_data(api, user):
    response = api.get(f"/api/users/{user.pk}/custom-data")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"plan": "free", "seats": 1}


def test_custom_data_patch_is_a_shallow_merge(api, user):
    response = api.patch(
        f"/api/users/{user.pk}/custom-data", {"customData": {"seats": 5, "extra": {"a": 1}}}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"plan": "free", "seats": 5, "extra": {"a": 1}}
    user.refresh_from_db()
    assert user.custom_data == {"plan": "free", "seats": 5, "extra": {"a": 1}}


def test_custom_data_patch_needs_custom_data(api, user):
    response = api.patch(f"/api/users/{user.pk}/custom-data", {"seats": 5})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"] == "guard.invalid_input"


def test_custom_data_over_the_size_limit_is_400_and_changes_nothing(api, user):
    response = api.patch(f"/api/users/{user.pk}/custom-data", {"customData": {"x": "a" * 40_000}})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    user.refresh_from_db()
    assert "x" not in user.custom_data


def test_profile_patch_merges_and_replaces_the_address_whole(api, user):
    response = api.patch(
        f"/api/users/{user.pk}/profile",
        {"profile": {"familyName": "Lee", "address": {"locality": "Dover"}}},
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "givenName": "Ann",
        "familyName": "Lee",
        "address": {"locality": "Dover"},
    }


def test_profile_patch_refuses_unknown_claims(api, user):
    response = api.patch(f"/api/users/{user.pk}/profile", {"profile": {"favouriteColour": "red"}})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "favouriteColour" in response.json()["details"]
