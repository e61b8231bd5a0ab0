"""/oidc/session/end: RP-initiated logout ends the browser's sign-in and the user's tokens;
the post-logout redirect must be one the application registered."""

from http import HTTPStatus

import pytest

from audit.recorder import Origin
from tests.signin.oidc_flow import authorize_url, bearer, pkce_pair
from users.access.applications import set_application_sign_in_options

AFTER = "https://rp.example.com/signed-out"


@pytest.fixture
def registered(oidc_app):
    set_application_sign_in_options(
        oidc_app, origin=Origin.system("test"), post_logout_redirect_uris=AFTER
    )
    return oidc_app


def test_sign_out_goes_to_the_registered_uri_and_ends_everything(client, registered, oidc_tokens):
    response = client.get(
        "/oidc/session/end",
        {
            "id_token_hint": oidc_tokens["id_token"],
            "client_id": registered.client_id,
            "post_logout_redirect_uri": AFTER,
            "state": "s1",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{AFTER}?state=s1"
    assert client.get("/oidc/me", headers=bearer(oidc_tokens["access_token"])).status_code == 401
    again = client.get(authorize_url(registered, pkce_pair()[1]))
    assert again["Location"].startswith("/sign-in?")


def test_an_unregistered_post_logout_uri_is_never_redirected_to(client, registered, oidc_tokens):
    response = client.get(
        "/oidc/session/end",
        {
            "id_token_hint": oidc_tokens["id_token"],
            "client_id": registered.client_id,
            "post_logout_redirect_uri": "https://evil.example.net/",
        },
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Location" not in response
    assert b"This sign-in link does not work" in response.content


def test_sign_out_without_a_redirect_lands_on_gatehouse(client, oidc_app, oidc_tokens):
    response = client.get("/oidc/session/end", {"id_token_hint": oidc_tokens["id_token"]})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/sign-in/done"
