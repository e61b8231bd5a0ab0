"""Suspended means out, on every path: sign-in, authorize, code, refresh, userinfo, introspection.

Each refusal is tested with the flag set straight in the database too (no service, no revocation):
every path re-reads the user."""

from http import HTTPStatus

import pytest

from audit.recorder import Origin
from tests.signin.oidc_flow import (
    PASSWORD,
    authorize_url,
    bearer,
    get_code,
    pkce_pair,
    redeem,
    refresh,
    sign_in,
)
from users import services
from users.models import User


def _suspend(user, how):
    if how == "service":
        services.suspend_user(user, origin=Origin.system("test"))
    else:
        User.objects.filter(pk=user.pk).update(is_suspended=True)


ways = pytest.mark.parametrize("how", ["service", "database"])


def test_a_suspended_user_is_refused_at_sign_in(client, oidc_user):
    User.objects.filter(pk=oidc_user.pk).update(is_suspended=True)
    response = sign_in(client, oidc_user.username, PASSWORD)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"suspended" in response.content
    assert "_auth_user_id" not in client.session


def test_a_suspended_user_with_a_wrong_password_sees_the_usual_message(client, oidc_user):
    User.objects.filter(pk=oidc_user.pk).update(is_suspended=True)
    response = sign_in(client, oidc_user.username, "wrong-password")
    assert b"suspended" not in response.content
    assert b"The identifier or password is incorrect." in response.content


@ways
def test_a_suspended_user_gets_no_code_from_a_live_session(client, oidc_app, oidc_user, how):
    assert sign_in(client, oidc_user.username, PASSWORD).status_code == HTTPStatus.FOUND
    _suspend(oidc_user, how)
    response = client.get(authorize_url(oidc_app, pkce_pair()[1]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/sign-in?")


@ways
def test_a_suspended_user_cannot_redeem_a_code(client, oidc_app, oidc_user, how):
    code, verifier = get_code(client, oidc_app, oidc_user)
    _suspend(oidc_user, how)
    response = redeem(client, oidc_app, code, verifier)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "access_token" not in response.json()


@ways
def test_a_suspended_user_cannot_refresh(client, oidc_app, oidc_user, oidc_tokens, how):
    _suspend(oidc_user, how)
    response = refresh(client, oidc_app, oidc_tokens["refresh_token"])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "invalid_grant"


@ways
def test_a_suspended_users_access_token_fails_at_userinfo(client, oidc_user, oidc_tokens, how):
    _suspend(oidc_user, how)
    response = client.get("/oidc/me", headers=bearer(oidc_tokens["access_token"]))
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_a_reactivated_user_signs_in_again_with_a_new_grant_only(
    client, oidc_app, oidc_user, oidc_tokens
):
    origin = Origin.system("test")
    services.suspend_user(oidc_user, origin=origin)
    services.reactivate_user(oidc_user, origin=origin)
    assert refresh(client, oidc_app, oidc_tokens["refresh_token"]).status_code == 400
    assert client.get("/oidc/me", headers=bearer(oidc_tokens["access_token"])).status_code == 401
    # The old browser session is over too: signing in again is what gives a new grant.
    response = client.get(authorize_url(oidc_app, pkce_pair()[1]))
    assert response["Location"].startswith("/sign-in?")
    code, verifier = get_code(client, oidc_app, oidc_user)
    fresh = redeem(client, oidc_app, code, verifier).json()
    assert client.get("/oidc/me", headers=bearer(fresh["access_token"])).status_code == 200
    assert refresh(client, oidc_app, oidc_tokens["refresh_token"]).status_code == 400


def test_a_deleted_users_tokens_fail(client, oidc_app, oidc_user, oidc_tokens):
    services.delete_user(oidc_user, origin=Origin.system("test"))
    assert client.get("/oidc/me", headers=bearer(oidc_tokens["access_token"])).status_code == 401
    assert refresh(client, oidc_app, oidc_tokens["refresh_token"]).status_code == 400


def test_a_code_of_a_deleted_user_is_refused(client, oidc_app, oidc_user):
    code, verifier = get_code(client, oidc_app, oidc_user)
    User.objects.filter(pk=oidc_user.pk).delete()
    assert redeem(client, oidc_app, code, verifier).status_code == HTTPStatus.BAD_REQUEST


def test_a_refused_refresh_of_a_suspended_user_is_on_their_log(
    client, oidc_app, oidc_user, oidc_tokens
):
    from audit.models import Log

    User.objects.filter(pk=oidc_user.pk).update(is_suspended=True)
    refresh(client, oidc_app, oidc_tokens["refresh_token"])
    row = Log.objects.get(key="ExchangeTokenBy.RefreshToken", result=Log.Result.ERROR)
    assert row.user_id == oidc_user.pk


def test_an_end_users_access_token_never_opens_the_management_api(client, oidc_tokens):
    response = client.get("/api/users", headers=bearer(oidc_tokens["access_token"]))
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_the_grant_shows_the_browsers_ip_and_user_agent(client, oidc_app, oidc_user):
    from signin.models import EndUserSession

    client.defaults["HTTP_USER_AGENT"] = "GrantBrowser/2.0"
    get_code(client, oidc_app, oidc_user)
    row = EndUserSession.objects.get(kind="grant", user=oidc_user)
    assert row.application_id == oidc_app.pk
    assert row.ip == "127.0.0.1" and row.user_agent == "GrantBrowser/2.0"
