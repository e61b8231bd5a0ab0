"""Personal access token → access token (token exchange, as Logto): only while the PAT is
unexpired and its user active."""

from datetime import timedelta
from http import HTTPStatus

from django.utils import timezone

from audit.models import Log
from audit.recorder import Origin
from tests.signin.oidc_flow import bearer, make_app
from users import services
from users.models import Application, PersonalAccessToken, User

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
PAT_TYPE = "urn:logto:token-type:personal_access_token"


def _pat(user):
    return services.create_personal_access_token(
        user, origin=Origin.system("test"), name="cli"
    ).value


def _exchange(client, app, subject_token, **extra):
    data = {
        "grant_type": GRANT,
        "subject_token": subject_token,
        "subject_token_type": PAT_TYPE,
        "client_id": app.client_id,
        "client_secret": app.new_client_secret,
        "scope": "openid profile",
        **extra,
    }
    return client.post("/oidc/token", data)


def test_a_pat_is_exchanged_for_an_access_token(client, oidc_app, oidc_user):
    response = _exchange(client, oidc_app, _pat(oidc_user))
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert "refresh_token" not in body
    me = client.get("/oidc/me", headers=bearer(body["access_token"]))
    assert me.json()["sub"] == oidc_user.pk
    row = Log.objects.get(key="ExchangeTokenBy.TokenExchange")
    assert row.result == Log.Result.SUCCESS and row.user_id == oidc_user.pk


def test_an_expired_pat_is_refused(client, oidc_app, oidc_user):
    value = _pat(oidc_user)
    PersonalAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _exchange(client, oidc_app, value)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "invalid_grant"


def test_a_suspended_users_pat_is_refused(client, oidc_app, oidc_user):
    value = _pat(oidc_user)
    User.objects.filter(pk=oidc_user.pk).update(is_suspended=True)
    assert _exchange(client, oidc_app, value).status_code == HTTPStatus.BAD_REQUEST


def test_an_exchanged_token_dies_with_its_users_suspension(client, oidc_app, oidc_user):
    token = _exchange(client, oidc_app, _pat(oidc_user)).json()["access_token"]
    User.objects.filter(pk=oidc_user.pk).update(is_suspended=True)
    assert client.get("/oidc/me", headers=bearer(token)).status_code == 401


def test_an_altered_pat_is_refused(client, oidc_app, oidc_user):
    value = _pat(oidc_user)
    altered = value[:-1] + ("a" if value[-1] != "a" else "b")
    assert _exchange(client, oidc_app, altered).status_code == HTTPStatus.BAD_REQUEST


def test_a_wrong_subject_token_type_is_refused(client, oidc_app, oidc_user):
    response = _exchange(client, oidc_app, _pat(oidc_user), subject_token_type="urn:x")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "invalid_request"


def test_a_wrong_client_secret_is_refused(client, oidc_app, oidc_user):
    response = _exchange(client, oidc_app, _pat(oidc_user), client_secret="nope")
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_a_machine_to_machine_app_may_not_exchange(client, oidc_user):
    m2m = make_app("Robot", type=Application.Type.MACHINE_TO_MACHINE, redirect_uris="")
    response = _exchange(client, m2m, _pat(oidc_user))
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED)
    assert "access_token" not in response.json()
