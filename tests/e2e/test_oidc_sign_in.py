"""End-user sign-in in a real browser: the demo client (a relying party using Authlib) → Gatehouse's
/sign-in → /consent (a third-party app) → the client shows the verified ID token's claims; then the
console shows the latest sign-in, the application and the log."""

import threading

import pytest
from playwright.sync_api import expect

from audit.recorder import Origin
from signin.demo_client import serve
from tests.e2e.conftest import sign_in
from tests.factories import UserFactory
from users.access.applications import create_application, set_application_sign_in_options
from users.models import Application

END_USER_PASSWORD = "end-user-browser-pass-9"


@pytest.fixture
def demo(live_server, transactional_db):
    """The demo client on a free port, registered as a third-party native app."""
    server = serve(issuer=f"{live_server.url}/oidc", client_id="pending", port=0)
    port = server.server_address[1]
    origin = Origin.system("test")
    app = create_application(
        origin=origin,
        name="Partner Demo",
        type=Application.Type.NATIVE,
        redirect_uris=f"http://127.0.0.1:{port}/callback",
    )
    set_application_sign_in_options(app, origin=origin, is_third_party=True)
    server.demo_client.client_id = app.client_id
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app
    server.shutdown()
    server.server_close()


@pytest.fixture
def end_user(transactional_db):
    return UserFactory(
        username="wren",
        primary_email="wren@example.com",
        name="Jenny Wren",
        password=END_USER_PASSWORD,
    )


def _sign_in_at_gatehouse(page, identifier, password):
    page.get_by_label("Username, email or phone").fill(identifier)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_the_whole_flow_then_the_console_shows_it(browser, demo, end_user, live_server, admin):
    base, app = demo
    page = browser.new_context().new_page()
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/login")  # the demo client's "Sign in with Gatehouse" link
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("to continue to Partner Demo")).to_be_visible()

    _sign_in_at_gatehouse(page, "wren", "wrong-password")
    expect(page.get_by_role("alert")).to_have_text("The identifier or password is incorrect.")
    _sign_in_at_gatehouse(page, "nobody", "wrong-password")
    expect(page.get_by_role("alert")).to_have_text("The identifier or password is incorrect.")

    _sign_in_at_gatehouse(page, "wren@example.com", END_USER_PASSWORD)
    expect(
        page.get_by_role("heading", name="Partner Demo wants to access your account")
    ).to_be_visible()
    page.get_by_role("button", name="Allow").click()

    expect(page.locator("#signed-in")).to_contain_text(end_user.pk)
    expect(page.locator("#claims")).to_contain_text("wren@example.com")
    expect(page.locator("#userinfo")).to_contain_text("Jenny Wren")
    # No CSP violation on the way (form-action included); the refused sign-ins were 400s.
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors

    console = browser.new_context().new_page()
    sign_in(console, live_server, admin)
    console.goto(f"{live_server.url}/console/users/{end_user.pk}")
    main = console.locator("main")
    expect(main).to_contain_text("from Partner Demo")
    expect(main).not_to_contain_text("latest sign-in never")
    console.goto(f"{live_server.url}/console/users/{end_user.pk}/logs")
    expect(console.locator("table").get_by_text("Submit sign-in interaction").first).to_be_visible()


def test_the_sign_in_page_works_without_javascript(browser, demo, end_user):
    base, _ = demo
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{base}/login")
    _sign_in_at_gatehouse(page, "wren", END_USER_PASSWORD)
    page.get_by_role("button", name="Allow").click()
    expect(page.locator("#claims")).to_contain_text("wren@example.com")


def test_the_sign_in_page_has_a_dark_mode(browser, demo):
    base, _ = demo
    page = browser.new_context(color_scheme="dark").new_page()
    page.goto(f"{base}/login")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 22, 26)"
