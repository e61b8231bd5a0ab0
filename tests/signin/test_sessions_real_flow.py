"""Sessions and grants made by the real flow (/oidc/auth → /sign-in → /oidc/token): what the
console lists, and that revoking them refuses the tokens at the provider."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.recorder import Origin
from signin import sessions
from signin.models import EndUserSession
from tests.signin.oidc_flow import authorize_url, bearer, get_code, redeem, refresh
from users import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def flow(client, oidc_app, oidc_user):
    """The user signed in in `client` (a browser) and the application holding their tokens."""
    code, verifier = get_code(client, oidc_app, oidc_user)
    tokens = redeem(Client(), oidc_app, code, verifier).json()
    return tokens


def test_the_flow_leaves_one_sign_in_session_and_one_grant(flow, oidc_app, oidc_user):
    rows = sessions.list_sessions(oidc_user)
    assert sorted(r.kind for r in rows) == ["browser", "grant"]
    grant = next(r for r in rows if r.kind == EndUserSession.Kind.GRANT)
    assert grant.application == oidc_app and grant.ip == "127.0.0.1"


def test_the_tab_shows_them(admin_user, flow, oidc_user):
    admin = Client()  # `client` is the end user's browser
    admin.force_login(admin_user)
    body = admin.get(f"/console/users/{oidc_user.pk}/sessions").content.decode()
    assert "Sign-in session" in body and "Application grant" in body and "Shop" in body


def test_revoking_the_grant_refuses_its_refresh_token_and_access_token(flow, oidc_app, oidc_user):
    grant = EndUserSession.objects.get(kind="grant", user=oidc_user)
    sessions.revoke_session(oidc_user, grant.pk, origin=Origin("Console"))
    assert refresh(Client(), oidc_app, flow["refresh_token"]).status_code == 400
    response = Client().get("/oidc/me", headers=bearer(flow["access_token"]))
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_revoking_the_browser_session_makes_the_browser_sign_in_again(
    client, flow, oidc_app, oidc_user, django_capture_on_commit_callbacks
):
    row = EndUserSession.objects.get(kind="browser", user=oidc_user)
    with django_capture_on_commit_callbacks(execute=True):
        sessions.revoke_session(oidc_user, row.pk, origin=Origin("Console"))
    response = client.get(authorize_url(oidc_app, "x" * 43, code_challenge_method="S256"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/sign-in")


def test_after_lock_down_and_reactivation_the_old_tokens_stay_dead(flow, oidc_app, oidc_user):
    services.lock_down_user(oidc_user, origin=Origin("Console"), reason="Phished")
    services.reactivate_user(oidc_user, origin=Origin("Console"))
    assert refresh(Client(), oidc_app, flow["refresh_token"]).status_code == 400
    response = Client().get("/oidc/me", headers=bearer(flow["access_token"]))
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert sessions.list_sessions(oidc_user) == []
