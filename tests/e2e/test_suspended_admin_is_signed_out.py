"""An admin suspended while their console is open is signed out, and reactivating them does not
bring the old session back: they sign in again."""

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_suspend_and_reactivate import (
    confirm_and_wait_for_reload,
    open_user_action,
    open_user_page,
)
from tests.factories import SuperuserFactory


def test_a_suspended_admins_open_console_is_signed_out_for_good(
    signed_in_page, live_server, browser
):
    sam = SuperuserFactory(name="Sam Second", username="sam_second")
    other = browser.new_context()
    try:
        sams_page = other.new_page()
        sign_in(sams_page, live_server, sam)
        sams_page.wait_for_url(f"{live_server.url}/console/users")

        page = signed_in_page
        open_user_page(page, live_server, sam)
        confirm_and_wait_for_reload(
            page, open_user_action(page, "Suspend"), "Suspend", "User suspended."
        )
        confirm_and_wait_for_reload(
            page, open_user_action(page, "Reactivate"), "Reactivate", "User reactivated."
        )

        # Sam searches on the page still open: htmx sends the whole window to sign in.
        sams_page.get_by_role("searchbox").fill("anyone")
        sams_page.wait_for_url(f"{live_server.url}/console/sign-in**")
        sams_page.goto(f"{live_server.url}/console/users")
        expect(sams_page.get_by_role("button", name="Sign in")).to_be_visible()
    finally:
        other.close()
