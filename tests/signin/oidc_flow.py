"""Helpers and fixtures (oidc_app, oidc_user, oidc_tokens; a plugin of tests/conftest.py) for
the OpenID provider's protocol tests: an application, PKCE, the code flow."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from audit.recorder import Origin
from tests.factories import UserFactory
from users.access.applications import create_application
from users.models import Application

REDIRECT_URI = "https://rp.example.com/callback"
PASSWORD = "end-user-password-7"


def make_app(
    name="Shop",
    *,
    type=Application.Type.TRADITIONAL,
    redirect_uris=REDIRECT_URI,
    third_party=False,
):
    """A registered application; its one-time secret (confidential types) on `new_client_secret`."""
    app = create_application(
        origin=Origin.system("test"), name=name, type=type, redirect_uris=redirect_uris
    )
    if third_party:
        app.is_third_party = True
        app.save(update_fields=["is_third_party"])
    return app


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_query(app, challenge=None, **extra):
    params = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email phone offline_access",
        "state": "st-123",
        "nonce": "n-456",
    }
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def authorize_url(app, challenge=None, **extra):
    return "/oidc/auth?" + urlencode(authorize_query(app, challenge, **extra), doseq=True)


def sign_in(client, identifier, password=PASSWORD, next_url=""):
    return client.post(
        "/sign-in", {"identifier": identifier, "password": password, "next": next_url}
    )


def query_of(location):
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def get_code(client, app, user, verifier_challenge=None, **extra):
    """Run the browser half: /oidc/auth → /sign-in → /oidc/auth → redirect with ?code=.

    Returns (code, verifier)."""
    verifier, challenge = verifier_challenge or pkce_pair()
    url = authorize_url(app, challenge, **extra)
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith("/sign-in"):
        response = sign_in(client, user.username, next_url=url)
        assert response.status_code == 302, response.content
        response = client.get(response["Location"])
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith(REDIRECT_URI), location
    return query_of(location)["code"], verifier


def redeem(client, app, code, verifier, *, redirect_uri=REDIRECT_URI, secret=None):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": app.client_id,
    }
    if verifier is not None:
        data["code_verifier"] = verifier
    if app.client_type == Application.CLIENT_CONFIDENTIAL:
        data["client_secret"] = secret if secret is not None else app.new_client_secret
    return client.post("/oidc/token", data)


def refresh(client, app, refresh_token):
    data = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": app.client_id,
    }
    if app.client_type == Application.CLIENT_CONFIDENTIAL:
        data["client_secret"] = app.new_client_secret
    return client.post("/oidc/token", data)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def oidc_app(db):
    """A first-party confidential (traditional web) application."""
    return make_app()


@pytest.fixture
def oidc_user(db):
    return UserFactory(
        username="robin",
        primary_email="robin@example.com",
        primary_phone="442079460958",
        name="Robin Hood",
        password=PASSWORD,
        profile={"givenName": "Robin", "familyName": "Hood", "locale": "en-GB"},
    )


@pytest.fixture
def oidc_tokens(client, oidc_app, oidc_user):
    """The user's tokens from the code flow (access, refresh, id token)."""
    code, verifier = get_code(client, oidc_app, oidc_user)
    response = redeem(client, oidc_app, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()
