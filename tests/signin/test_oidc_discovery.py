"""Discovery and JWKS: what a certified relying party reads first."""

from http import HTTPStatus

from jwcrypto import jwk


def test_discovery_names_the_issuer_and_logtos_endpoint_paths(client, db):
    response = client.get("/oidc/.well-known/openid-configuration")
    assert response.status_code == HTTPStatus.OK
    meta = response.json()
    base = "http://testserver/oidc"
    assert meta["issuer"] == base
    assert meta["authorization_endpoint"] == f"{base}/auth"
    assert meta["token_endpoint"] == f"{base}/token"
    assert meta["userinfo_endpoint"] == f"{base}/me"
    assert meta["jwks_uri"] == f"{base}/jwks"
    assert meta["end_session_endpoint"] == f"{base}/session/end"
    assert meta["introspection_endpoint"] == f"{base}/token/introspection"
    assert meta["revocation_endpoint"] == f"{base}/token/revocation"


def test_discovery_offers_the_code_flow_with_s256_only(client, db):
    meta = client.get("/oidc/.well-known/openid-configuration").json()
    assert meta["response_types_supported"] == ["code"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["scopes_supported"] == ["openid", "profile", "email", "phone", "offline_access"]
    assert {"email", "phone_number", "given_name", "picture"} <= set(meta["claims_supported"])


def test_jwks_publishes_the_public_rsa_key_only(client, db, settings):
    response = client.get("/oidc/jwks")
    assert response.status_code == HTTPStatus.OK
    keys = response.json()["keys"]
    assert [k["kty"] for k in keys] == ["RSA"]
    assert "d" not in keys[0] and "p" not in keys[0]
    expected = jwk.JWK.from_pem(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"].encode())
    assert keys[0]["n"] == expected.export_public(as_dict=True)["n"]


def test_discovery_and_jwks_need_no_sign_in_and_never_redirect(client, db):
    for path in ("/oidc/.well-known/openid-configuration", "/oidc/jwks"):
        assert client.get(path).status_code == HTTPStatus.OK
