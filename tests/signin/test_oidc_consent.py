"""Consent: third-party applications ask at /consent; first-party applications never do."""

from http import HTTPStatus

import pytest

from tests.signin.oidc_flow import (
    PASSWORD,
    REDIRECT_URI,
    authorize_query,
    authorize_url,
    make_app,
    pkce_pair,
    query_of,
    sign_in,
)


@pytest.fixture
def third_party(db):
    return make_app("Partner", third_party=True)


@pytest.fixture
def signed_in(client, oidc_user):
    sign_in(client, oidc_user.username, PASSWORD)
    return client


def test_a_first_party_app_gets_its_code_without_consent(signed_in, oidc_app):
    response = signed_in.get(authorize_url(oidc_app, pkce_pair()[1]))
    assert response["Location"].startswith(REDIRECT_URI + "?code=")


def test_a_third_party_app_is_sent_to_the_consent_page(signed_in, third_party):
    response = signed_in.get(authorize_url(third_party, pkce_pair()[1]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/consent?")
    page = signed_in.get(response["Location"])
    assert page.status_code == HTTPStatus.OK
    assert b"Partner wants to access your account" in page.content
    assert b"Your email address" in page.content
    assert "form-action 'self' https://rp.example.com" in page["Content-Security-Policy"]


def _consent_form(third_party, challenge, allow):
    data = {
        **authorize_query(third_party, challenge),
        "code_challenge_method": "S256",
    }
    if allow:
        data["allow"] = "Authorize"
    return data


def test_allowing_gives_the_code(signed_in, third_party):
    _, challenge = pkce_pair()
    response = signed_in.post("/consent", _consent_form(third_party, challenge, allow=True))
    assert response.status_code == HTTPStatus.FOUND
    assert "code" in query_of(response["Location"])
    assert response["Location"].startswith(REDIRECT_URI)


def test_denying_goes_back_with_access_denied(signed_in, third_party):
    _, challenge = pkce_pair()
    response = signed_in.post("/consent", _consent_form(third_party, challenge, allow=False))
    params = query_of(response["Location"])
    assert params["error"] == "access_denied" and "code" not in params


def test_a_tampered_consent_form_never_redirects_to_an_unregistered_uri(signed_in, third_party):
    _, challenge = pkce_pair()
    data = _consent_form(third_party, challenge, allow=True)
    data["redirect_uri"] = "https://evil.example.net/cb"
    response = signed_in.post("/consent", data)
    assert "evil.example.net" not in response.get("Location", "")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_prompt_none_for_a_third_party_app_is_consent_required(signed_in, third_party):
    response = signed_in.get(authorize_url(third_party, pkce_pair()[1], prompt="none"))
    assert query_of(response["Location"])["error"] == "consent_required"


def test_the_consent_page_needs_a_signed_in_user(client, third_party):
    response = client.get("/consent?" + authorize_url(third_party, pkce_pair()[1]).split("?")[1])
    assert response["Location"].startswith("/sign-in?")
