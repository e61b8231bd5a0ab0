"""Refresh tokens rotate; a reused one revokes its whole grant (Keycloak CVE-2026-1035)."""

from http import HTTPStatus

from tests.signin.oidc_flow import bearer, refresh


def test_a_refresh_gives_new_tokens_and_a_new_refresh_token(client, oidc_app, oidc_tokens):
    response = refresh(client, oidc_app, oidc_tokens["refresh_token"])
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["refresh_token"] != oidc_tokens["refresh_token"]
    assert body["access_token"] != oidc_tokens["access_token"]
    assert client.get("/oidc/me", headers=bearer(body["access_token"])).status_code == 200


def test_a_used_refresh_token_is_refused(client, oidc_app, oidc_tokens):
    assert refresh(client, oidc_app, oidc_tokens["refresh_token"]).status_code == HTTPStatus.OK
    again = refresh(client, oidc_app, oidc_tokens["refresh_token"])
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["error"] == "invalid_grant"


def test_reusing_a_refresh_token_revokes_the_grant(client, oidc_app, oidc_tokens):
    newer = refresh(client, oidc_app, oidc_tokens["refresh_token"]).json()
    refresh(client, oidc_app, oidc_tokens["refresh_token"])  # the stolen copy comes back
    assert refresh(client, oidc_app, newer["refresh_token"]).status_code == HTTPStatus.BAD_REQUEST


def test_a_refresh_token_works_for_its_own_client_only(client, oidc_app, oidc_tokens):
    from tests.signin.oidc_flow import make_app

    other = make_app("Other")
    response = refresh(client, other, oidc_tokens["refresh_token"])
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_refreshes_are_audited_with_logtos_key(client, oidc_app, oidc_user, oidc_tokens):
    from audit.models import Log

    refresh(client, oidc_app, oidc_tokens["refresh_token"])
    refresh(client, oidc_app, oidc_tokens["refresh_token"])
    rows = Log.objects.filter(key="ExchangeTokenBy.RefreshToken").order_by("created_at", "id")
    assert [r.result for r in rows] == [Log.Result.SUCCESS, Log.Result.ERROR]
    assert all(r.user_id == oidc_user.pk and r.application_id == oidc_app.pk for r in rows)
    assert rows[1].payload["error"] == "invalid_grant"
