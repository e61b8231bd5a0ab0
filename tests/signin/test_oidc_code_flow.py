"""The authorization code flow with PKCE, end to end through the Django test client."""

import json
from http import HTTPStatus

from jwcrypto import jwk, jwt

from tests.signin.oidc_flow import (
    REDIRECT_URI,
    authorize_url,
    bearer,
    get_code,
    pkce_pair,
    query_of,
    redeem,
)


def _id_token_claims(client, id_token):
    keys = jwk.JWKSet.from_json(client.get("/oidc/jwks").content)
    token = jwt.JWT(jwt=id_token, key=keys, algs=["RS256"])
    return json.loads(token.claims)


def test_a_signed_in_user_gets_a_code_then_tokens(client, oidc_app, oidc_user):
    code, verifier = get_code(client, oidc_app, oidc_user)
    response = redeem(client, oidc_app, code, verifier)
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert {"access_token", "refresh_token", "id_token", "expires_in"} <= body.keys()
    assert body["token_type"] == "Bearer"
    assert response["Cache-Control"] == "no-store"


def test_the_id_token_is_signed_rs256_for_the_user_and_the_client(
    client, oidc_app, oidc_user, oidc_tokens
):
    claims = _id_token_claims(client, oidc_tokens["id_token"])
    assert claims["sub"] == oidc_user.pk
    assert claims["aud"] == oidc_app.client_id
    assert claims["iss"] == "http://testserver/oidc"
    assert claims["nonce"] == "n-456"
    assert claims["email"] == "robin@example.com"
    assert claims["given_name"] == "Robin"
    oidc_user.refresh_from_db()
    assert claims["auth_time"] == int(oidc_user.last_sign_in_at.timestamp())


def test_the_redirect_carries_state_and_issuer(client, oidc_app, oidc_user):
    verifier, challenge = pkce_pair()
    client.post("/sign-in", {"identifier": oidc_user.username, "password": "end-user-password-7"})
    response = client.get(authorize_url(oidc_app, challenge))
    assert response.status_code == HTTPStatus.FOUND
    params = query_of(response["Location"])
    assert params["state"] == "st-123"
    assert params["iss"] == "http://testserver/oidc"
    assert response["Location"].startswith(REDIRECT_URI + "?")


def test_an_anonymous_visitor_is_sent_to_sign_in_with_the_request_kept(client, oidc_app):
    url = authorize_url(oidc_app, pkce_pair()[1])
    response = client.get(url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/sign-in?next=")


def test_userinfo_releases_the_claims_of_the_granted_scopes(
    client, oidc_app, oidc_user, oidc_tokens
):
    response = client.get("/oidc/me", headers=bearer(oidc_tokens["access_token"]))
    assert response.status_code == HTTPStatus.OK
    claims = response.json()
    assert claims["sub"] == oidc_user.pk
    assert claims["name"] == "Robin Hood"
    assert claims["phone_number"] == "442079460958"
    assert claims["family_name"] == "Hood"


def test_userinfo_without_the_profile_scope_holds_no_profile_claims(client, oidc_app, oidc_user):
    code, verifier = get_code(client, oidc_app, oidc_user, scope="openid email")
    body = redeem(client, oidc_app, code, verifier).json()
    claims = client.get("/oidc/me", headers=bearer(body["access_token"])).json()
    assert claims["email"] == "robin@example.com"
    assert "name" not in claims and "phone_number" not in claims
    assert "refresh_token" not in body  # no offline_access, no refresh token
