"""POST /oidc/token, client credentials: what @logto/api sends, and what RFC 6749 says to refuse."""

import base64
from http import HTTPStatus
from urllib.parse import quote

import pytest
from oauth2_provider.models import AccessToken

from signin.tokens import checksum
from tests.signin.conftest import bearer, make_m2m_app

pytestmark = pytest.mark.django_db
URL = "/oidc/token"
INDICATOR = "https://default.logto.app/api"


def form(app, **overrides):
    """The body @logto/api posts (no Authorization header)."""
    data = {
        "grant_type": "client_credentials",
        "client_id": app.client_id,
        "client_secret": app.new_client_secret,
        "resource": INDICATOR,
        "scope": "all",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def basic(client_id, secret):
    raw = f"{quote(client_id, safe='')}:{quote(secret, safe='')}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def post(client, data, headers=None):
    return client.post(URL, data, headers=headers or {})


def assert_error(response, status, error):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == error


def test_credentials_in_the_form_body_get_a_bearer_token(client, m2m_app):
    response = post(client, form(m2m_app))
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600 and isinstance(body["expires_in"], int)
    assert body["scope"] == "all"
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_http_basic_credentials_get_a_bearer_token(client, m2m_app):
    data = form(m2m_app, client_id=None, client_secret=None)
    response = post(client, data, basic(m2m_app.client_id, m2m_app.new_client_secret))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["scope"] == "all"


def test_the_token_opens_the_management_api(client, m2m_app, settings):
    settings.ROOT_URLCONF = "tests.signin.urls"
    token = post(client, form(m2m_app)).json()["access_token"]
    response = client.get("/test-api/whoami", headers=bearer(token))
    assert response.status_code == HTTPStatus.OK


def test_the_token_is_stored_only_as_its_sha256(client, m2m_app):
    token = post(client, form(m2m_app)).json()["access_token"]
    row = AccessToken.objects.get(application=m2m_app)
    assert row.token == "" and row.token_checksum == checksum(token)
    assert row.resource == [INDICATOR] and row.scope == "all" and row.user is None
    assert len(token) >= 43


def test_the_secret_is_stored_hashed(m2m_app):
    m2m_app.refresh_from_db()
    assert m2m_app.client_secret != m2m_app.new_client_secret
    assert m2m_app.client_secret.startswith("argon2")


def test_a_wrong_secret_is_401_invalid_client(client, m2m_app):
    response = post(client, form(m2m_app, client_secret="wrong"))
    assert_error(response, 401, "invalid_client")
    assert not AccessToken.objects.exists()


def test_a_wrong_basic_secret_is_401_invalid_client(client, m2m_app):
    data = form(m2m_app, client_id=None, client_secret=None)
    assert_error(post(client, data, basic(m2m_app.client_id, "wrong")), 401, "invalid_client")


@pytest.mark.parametrize("client_id", ["unknown", "", "a\x00b", "x" * 3000])
def test_an_unknown_client_is_401_invalid_client(client, m2m_app, client_id):
    assert_error(post(client, form(m2m_app, client_id=client_id)), 401, "invalid_client")


def test_a_nul_byte_in_basic_credentials_is_401_invalid_client(client, m2m_app):
    data = form(m2m_app, client_id=None, client_secret=None)
    assert_error(post(client, data, basic("a\x00b", "x\x00y")), 401, "invalid_client")


def test_a_missing_secret_is_401_invalid_client(client, m2m_app):
    assert_error(post(client, form(m2m_app, client_secret=None)), 401, "invalid_client")


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "implicit", "nonsense"])
def test_another_grant_is_refused(client, m2m_app, grant_type):
    response = post(client, form(m2m_app, grant_type=grant_type))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] in {"unsupported_grant_type", "invalid_request"}
    assert not AccessToken.objects.exists()


def test_an_unknown_grant_type_is_unsupported_grant_type(client, m2m_app):
    assert_error(post(client, form(m2m_app, grant_type="nonsense")), 400, "unsupported_grant_type")


def test_a_missing_grant_type_is_unsupported_grant_type(client, m2m_app):
    assert_error(post(client, form(m2m_app, grant_type=None)), 400, "unsupported_grant_type")


@pytest.mark.parametrize(
    "resource", ["https://other.example/api", "https://default.logto.app/api/", "not a uri", ""]
)
def test_another_resource_is_400_invalid_target(client, m2m_app, resource):
    assert_error(post(client, form(m2m_app, resource=resource)), 400, "invalid_target")
    assert not AccessToken.objects.exists()


def test_a_missing_resource_is_400_invalid_target(client, m2m_app):
    assert_error(post(client, form(m2m_app, resource=None)), 400, "invalid_target")


def test_two_resources_are_400_invalid_target(client, m2m_app):
    data = form(m2m_app)
    data["resource"] = [INDICATOR, "https://other.example/api"]
    assert_error(post(client, data), 400, "invalid_target")


def test_the_resource_follows_the_setting(client, settings):
    settings.MANAGEMENT_API_INDICATOR = "https://gatehouse.example/api"
    app = make_m2m_app()  # the role is made for the configured indicator
    assert_error(post(client, form(app)), 400, "invalid_target")
    data = form(app, resource="https://gatehouse.example/api")
    assert post(client, data).status_code == HTTPStatus.OK


def test_a_missing_scope_gets_every_scope_the_app_holds(client, m2m_app):
    response = post(client, form(m2m_app, scope=None))
    assert response.status_code == HTTPStatus.OK
    assert response.json()["scope"] == "all"


@pytest.mark.parametrize("scope", ["read", "all read", "openid"])
def test_a_scope_the_app_does_not_hold_is_400_invalid_scope(client, m2m_app, scope):
    assert_error(post(client, form(m2m_app, scope=scope)), 400, "invalid_scope")


def test_an_app_without_the_role_is_400_invalid_scope(client):
    app = make_m2m_app(granted=False)
    assert_error(post(client, form(app)), 400, "invalid_scope")
    assert_error(post(client, form(app, scope=None)), 400, "invalid_scope")


def test_a_sign_in_application_cannot_use_client_credentials(client):
    from audit.recorder import Origin
    from users.access.applications import create_application

    app = create_application(
        origin=Origin.system(),
        name="Web",
        type="Traditional",
        redirect_uris="https://app.example/callback",
    )
    assert_error(post(client, form(app)), 400, "unauthorized_client")


def test_expires_in_follows_the_lifetime_setting(client, m2m_app, settings):
    settings.MANAGEMENT_API_TOKEN_SECONDS = 120
    body = post(client, form(m2m_app)).json()
    assert body["expires_in"] == 120
    row = AccessToken.objects.get(application=m2m_app)
    assert 115 < (row.expires - row.created).total_seconds() <= 121


def test_get_is_405_with_a_json_body(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert response["Allow"] == "POST"
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", ["/oidc/token/", "/oidc/token//", "/oidc/Token"])
def test_other_spellings_of_the_path_are_404_not_a_redirect(client, m2m_app, path):
    response = client.post(path, form(m2m_app))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_no_csrf_token_is_needed(m2m_app):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, form(m2m_app)).status_code == HTTPStatus.OK


def test_a_signed_in_console_session_changes_nothing(admin_client, m2m_app):
    response = post(admin_client, form(m2m_app, client_secret="wrong"))
    assert_error(response, 401, "invalid_client")


def test_a_json_body_is_400_not_500(client, m2m_app):
    response = client.post(URL, form(m2m_app), content_type="application/json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "error" in response.json()


def test_each_request_gets_a_new_token(client, m2m_app):
    first = post(client, form(m2m_app)).json()["access_token"]
    second = post(client, form(m2m_app)).json()["access_token"]
    assert first != second
    assert AccessToken.objects.filter(application=m2m_app).count() == 2


def test_the_old_secret_stops_working_after_a_rotation(client, m2m_app):
    from audit.recorder import Origin
    from users.access.applications import rotate_application_secret

    old = m2m_app.new_client_secret
    new = rotate_application_secret(m2m_app, origin=Origin.system())
    assert_error(post(client, form(m2m_app, client_secret=old)), 401, "invalid_client")
    assert post(client, form(m2m_app, client_secret=new)).status_code == HTTPStatus.OK


def test_a_rotation_between_checking_the_secret_and_saving_the_token_wins(
    client, m2m_app, monkeypatch
):
    from audit.recorder import Origin
    from signin.validators import GatehouseValidator
    from users.access.applications import rotate_application_secret

    check = GatehouseValidator.authenticate_client

    def check_then_rotate(self, request, *args, **kwargs):
        ok = check(self, request, *args, **kwargs)
        rotate_application_secret(m2m_app, origin=Origin.system())
        return ok

    monkeypatch.setattr(GatehouseValidator, "authenticate_client", check_then_rotate)
    assert_error(post(client, form(m2m_app)), 401, "invalid_client")
    assert not AccessToken.objects.exists()


def test_a_token_from_the_endpoint_opens_the_real_management_api(client, m2m_app):
    token = post(client, form(m2m_app)).json()["access_token"]
    assert client.get("/api/users", headers=bearer(token)).status_code == HTTPStatus.OK
    response = client.get("/api/users")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "auth.authorization_header_missing"
