"""What every /api route shares: bearer tokens only, JSON errors with Logto's codes, no
redirects, no sessions or CSRF, bounded and well-formed bodies."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.models import Log
from tests.factories import UserFactory
from users.models import User


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_request_without_authorization_is_refused_with_logtos_code(anonymous_api, db):
    response = anonymous_api.get("/api/users")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "auth.authorization_header_missing"


def test_a_basic_authorization_header_is_refused_as_the_wrong_type(client, db):
    response = client.get("/api/users", headers={"Authorization": "Basic YTpi"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "auth.authorization_token_type_not_supported"


def test_an_unknown_token_is_unauthorized(client, db):
    response = client.get("/api/users", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "auth.unauthorized"


def test_a_signed_in_console_admin_without_a_token_is_refused(admin_client):
    response = admin_client.get("/api/users")
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_writes_need_no_csrf_token_and_set_no_cookie(csrf_client, api_token):
    response = csrf_client.post(
        "/api/users",
        '{"username": "no_cookie"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert response.status_code == HTTPStatus.OK
    assert not response.cookies


@pytest.mark.parametrize(
    "path", ["/api/users/", "/api", "/api/", "/api/nothing-here", "/api/users/abc/unknown"]
)
def test_unknown_paths_are_404_json_never_a_redirect(api, path):
    for method in ("get", "post", "delete"):
        response = getattr(api.client, method)(
            path, headers={"Authorization": f"Bearer {api.token}"}
        )
        assert response.status_code == HTTPStatus.NOT_FOUND, (method, path)
        assert response.json()["code"] == "entity.not_found"


def test_unknown_paths_are_404_json_without_a_token_too(anonymous_api, db):
    response = anonymous_api.get("/api/users/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response["Content-Type"].startswith("application/json")


def test_a_wrong_method_is_405_json(api):
    response = api.put("/api/users", {})
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response.json()["code"] == "request.method_not_allowed"


def test_204_has_an_empty_body(api):
    user = UserFactory()
    response = api.delete(f"/api/users/{user.pk}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        '{"username": "a"',
        "[1, 2",
        '"just a string"',
        '{"customData": {"x": NaN}}',
        '{"customData": {"x": Infinity}}',
        '{"customData": {"x": -Infinity}}',
        '{"username": "nul\\u0000byte"}',
        '{"name": "lone \\ud800 surrogate"}',
        '{"customData": {"k\\u0000": 1}}',
    ],
)
def test_malformed_bodies_are_400_with_a_code_and_change_nothing(api, raw):
    before = User.objects.count(), Log.objects.count()
    response = api.post("/api/users", raw=raw)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["code"] == "guard.invalid_input"
    assert (User.objects.count(), Log.objects.count()) == before


def test_a_one_megabyte_body_is_413(api):
    raw = '{"customData": {"x": "' + "a" * 1024 * 1024 + '"}}'
    response = api.post("/api/users", raw=raw)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["code"] == "request.too_large"
    assert not User.objects.filter(custom_data__has_key="x").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"username": 12},
        {"username": ["a"]},
        {"customData": "not an object"},
        {"customData": [1, 2]},
        {"profile": {"givenName": 5}},
        {"name": True},
        {"unknownField": 1, "username": "ok_name"},
    ],
)
def test_wrong_types_and_unknown_fields_are_400_naming_them(api, body):
    response = api.post("/api/users", body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    data = response.json()
    assert data["code"] == "guard.invalid_input"
    assert next(iter(body)) in data["details"]
    assert not User.objects.exists()


def test_an_unknown_user_id_is_404_entity_not_found(api):
    for user_id in ("nosuchuser12", "x" * 300, "bad%00id"):
        response = api.get(f"/api/users/{user_id}")
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["code"] == "entity.not_found"
