"""Lock down and session revocation in the console end a live end-user session in another
browser: the user signs in at /sign-in in their own context, the admin acts in theirs."""

import pytest
from playwright.sync_api import expect

from tests.e2e.test_suspend_and_reactivate import MODAL, open_user_action, open_user_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def end_user_page(browser, live_server, subject):
    """The subject signed in at /sign-in, in a browser context of their own. Tests ask for it
    before the admin's page: the live server's first answer can take longer than the console
    pages' 10 s action timeout on a loaded machine, and this context keeps Playwright's 30 s."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in")
    page.locator("input[name=identifier]").fill("ann_lee")
    page.locator("input[name=password]").fill("users-own-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in")
    yield page
    context.close()


def expect_signed_out(page, live_server):
    page.goto(f"{live_server.url}/sign-in/done")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")


def test_lock_down_ends_a_live_session_in_another_browser(
    end_user_page, signed_in_page, live_server, subject, console_errors
):
    page = signed_in_page
    page.goto(f"{live_server.url}/console/users/{subject.pk}/sessions")
    rows = page.locator("#user-sessions tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Sign-in session")
    expect(rows.first).to_contain_text("127.0.0.1")

    open_user_page(page, live_server, subject)
    dialog = open_user_action(page, "Lock down")
    expect(dialog.get_by_role("heading", name="Lock down user")).to_be_visible()
    dialog.get_by_role("button", name="Lock down", exact=True).click()
    # No reason: refused in place, the dialog stays open with the error.
    expect(page.locator(MODAL).locator(".error")).to_be_visible()
    page.locator(MODAL).get_by_label("Reason (kept in the audit log)").fill("Phished")
    page.locator(MODAL).get_by_role("button", name="Lock down", exact=True).click()
    expect(page.locator("ul.messages")).to_have_text("User locked down.")
    expect(page.locator(".user-head .tag", has_text="Suspended")).to_be_visible()

    expect_signed_out(end_user_page, live_server)
    page.goto(f"{live_server.url}/console/users/{subject.pk}/sessions")
    expect(page.locator("#user-sessions")).to_contain_text("not signed in anywhere")
    # The one error logged is the refused blank reason (400); no CSP violation, no 5xx.
    assert [e for e in console_errors if "status of 400" not in e] == []


def test_revoking_the_session_in_the_tab_signs_the_other_browser_out(
    end_user_page, signed_in_page, live_server, subject, console_errors
):
    page = signed_in_page
    page.goto(f"{live_server.url}/console/users/{subject.pk}/sessions")
    page.locator("#user-sessions").get_by_role("link", name="Revoke").click()
    dialog = page.locator(MODAL)
    expect(dialog.get_by_role("heading", name="Revoke session")).to_be_visible()
    dialog.get_by_role("button", name="Revoke", exact=True).click()
    expect(page.locator("ul.messages")).to_have_text("Session revoked.")
    expect(page.locator("#user-sessions")).to_contain_text("not signed in anywhere")

    expect_signed_out(end_user_page, live_server)
    assert console_errors == []
