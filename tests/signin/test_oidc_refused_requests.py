"""What the provider refuses: PKCE missing or wrong, code reuse, redirect-URI mismatch, open redirects."""

from http import HTTPStatus

import pytest

from tests.signin.oidc_flow import (
    PASSWORD,
    REDIRECT_URI,
    authorize_url,
    get_code,
    pkce_pair,
    query_of,
    redeem,
    sign_in,
)


@pytest.fixture
def signed_in(client, oidc_user):
    assert sign_in(client, oidc_user.username, PASSWORD).status_code == HTTPStatus.FOUND
    return client


def test_an_authorize_request_without_pkce_is_refused(signed_in, oidc_app):
    response = signed_in.get(authorize_url(oidc_app, challenge=None))
    assert response.status_code == HTTPStatus.FOUND
    params = query_of(response["Location"])
    assert params["error"] == "invalid_request"
    assert "code" not in params


def test_plain_pkce_is_refused(signed_in, oidc_app):
    response = signed_in.get(
        authorize_url(
            oidc_app, challenge=None, code_challenge="x" * 43, code_challenge_method="plain"
        )
    )
    assert "code=" not in response.get("Location", "")
    assert "error=" in response["Location"]


def test_a_public_client_needs_pkce_too(signed_in, db):
    from tests.signin.oidc_flow import make_app
    from users.models import Application

    spa = make_app("Spa", type=Application.Type.SPA)
    response = signed_in.get(authorize_url(spa, challenge=None))
    assert query_of(response["Location"])["error"] == "invalid_request"


def test_a_wrong_code_verifier_gets_no_token(client, oidc_app, oidc_user):
    code, _ = get_code(client, oidc_app, oidc_user)
    response = redeem(client, oidc_app, code, pkce_pair()[0])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "invalid_grant"


def test_a_missing_code_verifier_gets_no_token(client, oidc_app, oidc_user):
    code, _ = get_code(client, oidc_app, oidc_user)
    response = redeem(client, oidc_app, code, None)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "access_token" not in response.json()


def test_a_code_works_once(client, oidc_app, oidc_user):
    code, verifier = get_code(client, oidc_app, oidc_user)
    assert redeem(client, oidc_app, code, verifier).status_code == HTTPStatus.OK
    again = redeem(client, oidc_app, code, verifier)
    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert again.json()["error"] == "invalid_grant"


def test_a_code_redeemed_with_another_redirect_uri_is_refused(client, oidc_app, oidc_user):
    code, verifier = get_code(client, oidc_app, oidc_user)
    response = redeem(client, oidc_app, code, verifier, redirect_uri=REDIRECT_URI + "/other")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "access_token" not in response.json()


def test_a_code_of_another_client_is_refused(client, oidc_app, oidc_user):
    from tests.signin.oidc_flow import make_app

    other = make_app("Other")
    code, verifier = get_code(client, oidc_app, oidc_user)
    response = redeem(client, other, code, verifier)
    assert response.status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example.net/callback",
        "https://rp.example.com/callback/../../evil",
        "https://rp.example.com/callbackx",
        "https://rp.example.com.evil.example.net/callback",
        "https://rp.example.com/callback?next=https://evil.example.net",
        "http://rp.example.com/callback",
        "//evil.example.net/callback",
        "javascript:alert(1)",
    ],
)
def test_an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(
    signed_in, oidc_app, redirect_uri
):
    _, challenge = pkce_pair()
    response = signed_in.get(authorize_url(oidc_app, challenge, redirect_uri=redirect_uri))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Location" not in response
    assert b"This sign-in link does not work" in response.content


def test_an_unregistered_redirect_uri_is_refused_before_sign_in_too(client, oidc_app):
    _, challenge = pkce_pair()
    response = client.get(
        authorize_url(oidc_app, challenge, redirect_uri="https://evil.example.net/cb")
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Location" not in response


def test_an_unknown_client_gets_an_error_page(client, db):
    response = client.get(
        "/oidc/auth?client_id=nope&response_type=code&redirect_uri=https://evil.example.net/cb"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Location" not in response


def test_prompt_none_without_a_session_goes_back_with_login_required(client, oidc_app):
    _, challenge = pkce_pair()
    response = client.get(authorize_url(oidc_app, challenge, prompt="none"))
    assert response.status_code == HTTPStatus.FOUND
    assert query_of(response["Location"])["error"] == "login_required"
    assert response["Location"].startswith(REDIRECT_URI)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.net/",
        "//evil.example.net/",
        "/\\evil.example.net",
        "/console/users",
        "/oidc/authx?client_id=a",
        "http://testserver/oidc/auth?client_id=a",
    ],
)
def test_sign_in_never_continues_to_a_foreign_or_other_page(client, oidc_user, next_url):
    response = sign_in(client, oidc_user.username, PASSWORD, next_url)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/sign-in/done"
