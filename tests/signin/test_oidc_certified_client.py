"""Cross-check with a certified relying-party library: Authlib (with joserfc for the ID token)
against a live server, through the demo client (a public client) and as a confidential client."""

import re
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from audit.recorder import Origin
from signin.demo_client import serve
from tests.factories import UserFactory
from users.access.applications import create_application
from users.models import Application, User

PASSWORD = "live-end-user-password-1"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _plain_http(settings, live_server):
    """The live server speaks plain http: secure-only cookies would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def person(transactional_db):
    return UserFactory(username="marian", primary_email="marian@example.com", password=PASSWORD)


def _sign_in_through(browser, response, stop_at=None):
    """On Gatehouse's /sign-in page: post the form, follow the redirects back to the client
    (or, with `stop_at`, return the first redirect whose Location starts with it)."""
    assert "/sign-in" in response.url, response.url
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', response.text).group(1)
    base = response.url.split("/sign-in")[0]
    response = browser.post(
        f"{base}/sign-in",
        data={
            "csrfmiddlewaretoken": token,
            "identifier": "marian",
            "password": PASSWORD,
            "next": next_url.replace("&amp;", "&"),
        },
        headers={"Referer": response.url},
        allow_redirects=stop_at is None,
    )
    while stop_at is not None and response.is_redirect:
        location = response.headers["Location"]
        if location.startswith(stop_at):
            return location
        response = browser.get(
            requests.compat.urljoin(response.url, location), allow_redirects=False
        )
    return response


@pytest.fixture
def demo(live_server):
    server = serve(issuer=f"{live_server.url}/oidc", client_id="pending", port=0)
    port = server.server_address[1]
    app = create_application(
        origin=Origin.system("test"),
        name="Demo",
        type=Application.Type.NATIVE,
        redirect_uris=f"http://127.0.0.1:{port}/callback",
    )
    server.demo_client.client_id = app.client_id
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app
    server.shutdown()
    server.server_close()


def test_the_demo_client_signs_in_and_shows_verified_claims(demo, person):
    base, app = demo
    browser = requests.Session()
    response = browser.get(f"{base}/login")
    response = _sign_in_through(browser, response)
    assert response.status_code == 200, response.text
    assert 'id="signed-in"' in response.text
    assert person.pk in response.text
    assert "marian@example.com" in response.text
    user = User.objects.get(pk=person.pk)
    assert user.last_sign_in_at is not None and user.application_id == app.pk


def test_authlib_as_a_confidential_client_gets_tokens_and_refreshes(live_server, person):
    issuer = f"{live_server.url}/oidc"
    redirect_uri = "https://rp.example.com/cb"
    app = create_application(
        origin=Origin.system("test"),
        name="Confidential",
        type=Application.Type.TRADITIONAL,
        redirect_uris=redirect_uri,
    )
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(
        app.client_id,
        app.new_client_secret,
        scope="openid profile email offline_access",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    verifier = "v" * 64
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce="nonce-1"
    )
    browser = requests.Session()
    # The browser stops at the client's redirect URI (no such host): its Location is the answer.
    location = _sign_in_through(browser, browser.get(url), stop_at=redirect_uri)
    assert isinstance(location, str), location
    assert parse_qs(urlsplit(location).query)["state"] == [state]
    token = session.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": app.client_id},
        nonce={"essential": True, "value": "nonce-1"},
    ).validate(claims)
    assert claims["sub"] == person.pk
    assert session.get(meta["userinfo_endpoint"]).json()["email"] == "marian@example.com"

    old_refresh = token["refresh_token"]
    renewed = session.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    assert renewed["refresh_token"] != old_refresh
    with pytest.raises(Exception, match="invalid_grant"):
        session.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
