"""ManagementApiAuth: who may call the Management API, checked on every request."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from audit.recorder import Origin
from signin.management import issue_access_token, management_role
from signin.tokens import checksum
from tests.signin.conftest import bearer, make_m2m_app
from users.access.applications import (
    delete_application,
    remove_application_role,
    rotate_application_secret,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_api")]
URL = "/test-api/whoami"


def call(client, headers):
    return client.get(URL, headers=headers)


def assert_refused(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == code


def test_a_fresh_token_of_a_granted_app_gets_in(client, m2m_app):
    token, expires_in = issue_access_token(m2m_app)
    response = call(client, bearer(token))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"clientId": m2m_app.client_id}
    assert expires_in == 3600


def test_a_missing_header_is_401_authorization_header_missing(client):
    assert_refused(call(client, {}), 401, "auth.authorization_header_missing")


@pytest.mark.parametrize("header", ["Basic abc", "Token abc", "abc"])
def test_a_scheme_other_than_bearer_is_401_type_not_supported(client, header):
    assert_refused(
        call(client, {"Authorization": header}), 401, "auth.authorization_token_type_not_supported"
    )


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 5000, "pat_abc"])
def test_an_unknown_token_is_401_unauthorized(client, m2m_app, token):
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")


def test_a_truncated_or_altered_token_is_401(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    assert_refused(call(client, bearer(token[:-1])), 401, "auth.unauthorized")
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert_refused(call(client, bearer(altered)), 401, "auth.unauthorized")


def test_only_the_sha256_of_a_token_is_stored(m2m_app):
    token, _ = issue_access_token(m2m_app)
    row = AccessToken.objects.get(application=m2m_app)
    assert row.token == ""
    assert row.token_checksum == checksum(token)
    assert len(token) >= 43  # 256 random bits, URL-safe base64


def test_an_expired_token_is_401(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    AccessToken.objects.filter(application=m2m_app).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")


def test_token_lifetime_follows_the_setting(settings, m2m_app):
    settings.MANAGEMENT_API_TOKEN_SECONDS = 60
    _, expires_in = issue_access_token(m2m_app)
    row = AccessToken.objects.get(application=m2m_app)
    assert expires_in == 60
    assert timedelta(seconds=55) < row.expires - timezone.now() <= timedelta(seconds=60)


def test_a_token_without_scope_all_is_403_forbidden(client, m2m_app):
    token, _ = issue_access_token(m2m_app, scope="read")
    assert_refused(call(client, bearer(token)), 403, "auth.forbidden")


def test_an_app_without_the_role_is_403_forbidden(client):
    app = make_m2m_app(granted=False)
    token, _ = issue_access_token(app)
    assert_refused(call(client, bearer(token)), 403, "auth.forbidden")


def test_removing_the_role_stops_the_token_at_once(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    assert call(client, bearer(token)).status_code == HTTPStatus.OK
    role = management_role(origin=Origin.system())
    remove_application_role(m2m_app, role, origin=Origin.system())
    assert call(client, bearer(token)).status_code in (401, 403)


def test_the_role_check_happens_at_use_not_only_by_deleting_tokens(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    m2m_app.role_assignments.all().delete()  # bypassing the service: the tokens stay
    assert_refused(call(client, bearer(token)), 403, "auth.forbidden")


def test_rotating_the_secret_stops_the_token_at_once(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    rotate_application_secret(m2m_app, origin=Origin.system())
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")
    new_token, _ = issue_access_token(m2m_app)
    assert call(client, bearer(new_token)).status_code == HTTPStatus.OK


def test_a_token_issued_before_the_rotation_is_refused_even_if_its_row_survives(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    m2m_app.secret_rotated_at = timezone.now()
    m2m_app.save(update_fields=["secret_rotated_at"])
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")


def test_deleting_the_app_stops_the_token_at_once(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    delete_application(m2m_app, origin=Origin.system())
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")


def test_a_token_for_another_resource_is_401(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    AccessToken.objects.filter(application=m2m_app).update(resource=["https://other.example"])
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")


def test_an_end_users_token_does_not_open_the_management_api(client, m2m_app, end_user):
    token, _ = issue_access_token(m2m_app)
    AccessToken.objects.filter(application=m2m_app).update(user=end_user)
    assert_refused(call(client, bearer(token)), 401, "auth.unauthorized")


def test_the_api_sets_no_cookie_and_needs_no_csrf(client, m2m_app):
    token, _ = issue_access_token(m2m_app)
    response = call(client, bearer(token))
    assert response.status_code == HTTPStatus.OK
    assert not response.cookies
