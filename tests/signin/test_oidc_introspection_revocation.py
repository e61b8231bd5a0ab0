"""Introspection (RFC 7662) for confidential clients; revocation (RFC 7009)."""

from http import HTTPStatus

from tests.signin.oidc_flow import bearer, make_app, refresh
from users.models import Application, User


def _introspect(client, app, token, secret=None):
    return client.post(
        "/oidc/token/introspection",
        {
            "token": token,
            "client_id": app.client_id,
            "client_secret": secret if secret is not None else app.new_client_secret,
        },
    )


def test_an_active_access_token_is_described(client, oidc_app, oidc_user, oidc_tokens):
    response = _introspect(client, oidc_app, oidc_tokens["access_token"])
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["active"] is True
    assert body["sub"] == oidc_user.pk
    assert body["client_id"] == oidc_app.client_id
    assert "openid" in body["scope"].split()


def test_a_refresh_token_is_described_too(client, oidc_app, oidc_tokens):
    assert _introspect(client, oidc_app, oidc_tokens["refresh_token"]).json()["active"] is True


def test_an_unknown_token_is_inactive(client, oidc_app, oidc_tokens):
    assert _introspect(client, oidc_app, "no-such-token").json() == {"active": False}


def test_a_suspended_users_token_is_inactive(client, oidc_app, oidc_user, oidc_tokens):
    User.objects.filter(pk=oidc_user.pk).update(is_suspended=True)
    assert _introspect(client, oidc_app, oidc_tokens["access_token"]).json() == {"active": False}


def test_another_clients_token_is_inactive(client, oidc_app, oidc_tokens):
    other = make_app("Other")
    assert _introspect(client, other, oidc_tokens["access_token"]).json() == {"active": False}


def test_a_wrong_secret_is_refused(client, oidc_app, oidc_tokens):
    response = _introspect(client, oidc_app, oidc_tokens["access_token"], secret="wrong")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "active" not in response.json()


def test_a_public_client_may_not_introspect(client, oidc_tokens):
    spa = make_app("Spa", type=Application.Type.SPA)
    response = client.post(
        "/oidc/token/introspection",
        {"token": oidc_tokens["access_token"], "client_id": spa.client_id},
    )
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_a_revoked_access_token_stops_working(client, oidc_app, oidc_tokens):
    response = client.post(
        "/oidc/token/revocation",
        {
            "token": oidc_tokens["access_token"],
            "client_id": oidc_app.client_id,
            "client_secret": oidc_app.new_client_secret,
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert client.get("/oidc/me", headers=bearer(oidc_tokens["access_token"])).status_code == 401


def test_a_revoked_refresh_token_stops_working(client, oidc_app, oidc_tokens):
    client.post(
        "/oidc/token/revocation",
        {
            "token": oidc_tokens["refresh_token"],
            "token_type_hint": "refresh_token",
            "client_id": oidc_app.client_id,
            "client_secret": oidc_app.new_client_secret,
        },
    )
    assert refresh(client, oidc_app, oidc_tokens["refresh_token"]).status_code == 400
