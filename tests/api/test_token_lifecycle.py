"""A token stops working at once when it expires, the app's secret is rotated, the app loses its
Management API role, or the app is deleted; a token without scope `all` is 403."""

from datetime import timedelta
from http import HTTPStatus

from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from audit.recorder import Origin
from signin.management import issue_access_token, management_role
from users.access.applications import (
    delete_application,
    remove_application_role,
    rotate_application_secret,
)

ORIGIN = Origin.system("tests")


def test_a_valid_token_works(api):
    assert api.get("/api/users").status_code == HTTPStatus.OK


def test_an_expired_token_is_401(api):
    get_access_token_model().objects.update(expires=timezone.now() - timedelta(seconds=1))
    response = api.get("/api/users")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "auth.unauthorized"


def test_rotating_the_secret_ends_the_token(api, m2m_app):
    rotate_application_secret(m2m_app, origin=ORIGIN)
    assert api.get("/api/users").status_code == HTTPStatus.UNAUTHORIZED


def test_removing_the_role_ends_the_token(api, m2m_app):
    remove_application_role(m2m_app, management_role(origin=ORIGIN), origin=ORIGIN)
    response = api.get("/api/users")
    # Removing the role also revokes the app's tokens (401); were one left, the role check is 403.
    assert response.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
    assert response.json()["code"] in ("auth.unauthorized", "auth.forbidden")


def test_deleting_the_app_ends_the_token(api, m2m_app):
    delete_application(m2m_app, origin=ORIGIN)
    assert api.get("/api/users").status_code == HTTPStatus.UNAUTHORIZED


def test_a_token_without_scope_all_is_403(client, m2m_app):
    token, _ = issue_access_token(m2m_app, scope="read")
    response = client.get("/api/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["code"] == "auth.forbidden"


def test_a_truncated_token_is_401(client, api_token):
    response = client.get("/api/users", headers={"Authorization": f"Bearer {api_token[:-1]}"})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
