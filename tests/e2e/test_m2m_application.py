"""A machine-to-machine application made in the console: its secret is shown once, copied, and
works against the live server's /oidc/token (a real HTTP POST, as @logto/api sends it)."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from users.models import Application

MODAL = "#dialog-slot dialog:modal"
INDICATOR = "https://default.logto.app/api"


@pytest.fixture
def page(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def fetch_token(live_server, client_id, secret):
    """POST /oidc/token with the credentials in the form body; returns (status, JSON body)."""
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "resource": INDICATOR,
            "scope": "all",
        }
    ).encode()
    request = urllib.request.Request(f"{live_server.url}/oidc/token", data=body, method="POST")
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def copy_from(dialog, page, selector):
    button = dialog.locator(f"{selector} + button.copy")
    expect(button).to_have_text("Copy")
    button.click()
    expect(button).to_have_text("Copied")
    return clipboard(page)


def test_create_copy_the_secret_grant_access_and_get_a_token(
    signed_in_page, live_server, console_errors
):
    page = signed_in_page
    page.goto(f"{live_server.url}/console/applications")
    page.get_by_role("link", name="Create application").click()
    dialog = page.locator(MODAL)
    expect(dialog.get_by_role("heading", name="Create application")).to_be_visible()
    dialog.get_by_label("Name").fill("Nightly export")
    dialog.get_by_label("Machine-to-machine").check()
    dialog.get_by_role("button", name="Create application").click()

    expect(dialog.get_by_role("heading", name="Application created")).to_be_visible()
    expect(dialog).to_contain_text("will not be shown again")
    client_id = copy_from(dialog, page, "#cred-client-id")
    secret = copy_from(dialog, page, "#cred-client-secret")
    app = Application.objects.get()
    assert client_id == app.client_id
    assert len(secret) >= 32 and secret not in app.client_secret

    # Valid credentials, but no role yet: nothing to grant.
    status, body = fetch_token(live_server, client_id, secret)
    assert (status, body["error"]) == (400, "invalid_scope")

    dialog.get_by_role("link", name="Done").click()
    page.wait_for_url(f"{live_server.url}/console/applications/{app.id}")
    assert secret not in page.content()
    page.get_by_role("link", name="Assign roles").click()
    dialog = page.locator(MODAL)
    dialog.get_by_label("Management API access").check()
    dialog.get_by_role("button", name="Assign").click()
    expect(page.locator("#application-roles")).to_contain_text("Management API access")

    status, body = fetch_token(live_server, client_id, secret)
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "all"
    assert fetch_token(live_server, client_id, secret + "x")[0] == 401
    assert console_errors == []


def test_rotating_shows_a_new_secret_and_the_old_one_stops_working(
    signed_in_page, live_server, console_errors
):
    from tests.signin.conftest import make_m2m_app

    app = make_m2m_app()
    old = app.new_client_secret
    page = signed_in_page
    page.goto(f"{live_server.url}/console/applications/{app.id}")
    page.get_by_role("link", name="Rotate secret").click()
    dialog = page.locator(MODAL)
    expect(dialog.get_by_role("heading", name="Rotate client secret")).to_be_visible()
    dialog.get_by_role("button", name="Rotate secret").click()
    expect(dialog.get_by_role("heading", name="New client secret")).to_be_visible()
    new = copy_from(dialog, page, "#cred-client-secret")
    assert new != old

    assert fetch_token(live_server, app.client_id, old)[0] == 401
    assert fetch_token(live_server, app.client_id, new)[0] == 200
    dialog.get_by_role("link", name="Done").click()
    expect(page.locator("dialog")).to_have_count(0)
    assert new not in page.content()
    assert console_errors == []
