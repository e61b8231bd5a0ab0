"""MFA end to end: a program enrols an authenticator app for a user through the Management API
(a real token from /oidc/token), then the user signs in in a real browser with the password and
the code their authenticator (pyotp) shows; a wrong code first is refused in place."""

import time

import pyotp
import pytest
import requests
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.test_pages_accessibility import violations
from tests.factories import UserFactory
from tests.signin.conftest import make_m2m_app

END_USER_PASSWORD = "end-user-browser-pass-9"


@pytest.fixture
def end_user(transactional_db):
    return UserFactory(
        username="wren",
        primary_email="wren@example.com",
        name="Jenny Wren",
        password=END_USER_PASSWORD,
    )


def api_token(live_server) -> str:
    app = make_m2m_app()
    response = requests.post(
        f"{live_server.url}/oidc/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app.client_id,
            "client_secret": app.new_client_secret,
            "resource": settings.MANAGEMENT_API_INDICATOR,
            "scope": "all",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def wrong_code(secret: str) -> str:
    right = {pyotp.TOTP(secret).at(time.time() + d) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222") if c not in right)


def test_enrol_through_the_api_then_sign_in_with_the_code(
    page, console_errors, live_server, end_user
):
    token = api_token(live_server)
    enrolled = requests.post(
        f"{live_server.url}/api/users/{end_user.pk}/mfa-verifications",
        json={"type": "Totp"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert enrolled.status_code == 200, enrolled.text
    secret = enrolled.json()["secret"]
    assert enrolled.json()["secretQrCode"].startswith("data:image/png;base64,")

    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Username, email or phone").fill("wren")
    page.get_by_label("Password").fill(END_USER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Verify it's you")).to_be_visible()
    assert page.url == f"{live_server.url}/sign-in/mfa"
    # Not signed in yet: the landing page says so.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/sign-in/done")
    expect(other.get_by_role("heading", name="You are not signed in")).to_be_visible()
    other.close()

    code_field = page.get_by_label("Code from your authenticator app, or a backup code")
    code_field.fill(wrong_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_have_text("The code is incorrect or was already used.")
    assert violations(page) == []  # axe: the step and its error are accessible

    page.get_by_label("Code from your authenticator app, or a backup code").fill(
        pyotp.TOTP(secret).now()
    )
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="You are signed in")).to_be_visible()
    expect(page.get_by_text("wren")).to_be_visible()
    # The refused code was a 400 (the browser logs it); nothing else went wrong (no CSP error).
    assert all("400" in e for e in console_errors), console_errors
