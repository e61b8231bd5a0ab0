"""An admin adds a viewer on the Members page, copies the one-time password, and the viewer
signs in with it in another browser and finds nothing to change."""

import pytest
from playwright.sync_api import expect

from users import staff
from users.models import User

VIEWER_USERNAME = "vera_viewer"


@pytest.fixture
def page(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def test_an_admin_adds_a_viewer_who_signs_in_and_sees_no_write_controls(
    signed_in_page, live_server, browser, console_errors
):
    page = signed_in_page
    page.get_by_role("link", name="Members").click()
    page.wait_for_url(f"{live_server.url}/console/members")

    page.get_by_role("link", name="Add member").click()
    dialog = page.locator("#dialog-slot dialog")
    expect(dialog.get_by_role("heading", name="Add member")).to_be_visible()
    dialog.get_by_label("Username", exact=True).fill(VIEWER_USERNAME)
    dialog.get_by_label("Name", exact=True).fill("Vera Viewer")
    dialog.get_by_label("Viewer: read-only").check()
    dialog.get_by_role("button", name="Add member").click()

    expect(dialog.get_by_role("heading", name="Member added")).to_be_visible()
    copy = dialog.locator("#cred-password + button.copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    password = page.evaluate("navigator.clipboard.readText()")
    assert User.objects.get(username=VIEWER_USERNAME).check_password(password)

    dialog.get_by_role("link", name="Done").click()
    expect(page.locator("dialog")).to_have_count(0)
    row = page.locator("#member-table tr", has_text="Vera Viewer")
    expect(row.locator("td.role")).to_have_text("Viewer")
    assert password not in page.content()

    # The viewer, in a browser of their own.
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        viewer_page = context.new_page()
        viewer_page.goto(f"{live_server.url}/console/sign-in")
        viewer_page.get_by_label("Username or email").fill(VIEWER_USERNAME)
        viewer_page.get_by_label("Password").fill(password)
        viewer_page.get_by_role("button", name="Sign in").click()
        viewer_page.wait_for_url(f"{live_server.url}/console/users")

        expect(viewer_page.get_by_role("link", name="Members")).to_have_count(0)
        expect(viewer_page.get_by_role("link", name="Add user")).to_have_count(0)
        viewer_page.locator("#user-table a.user-cell").first.click()
        expect(
            viewer_page.get_by_role("heading", name="Authentication", exact=True)
        ).to_be_visible()
        expect(viewer_page.locator("form[method=post]:not([action$='sign-out'])")).to_have_count(0)
        expect(viewer_page.locator("[hx-post]")).to_have_count(0)
        expect(viewer_page.get_by_role("button", name="Save profile")).to_have_count(0)
        expect(viewer_page.locator("summary[aria-label='User actions']")).to_have_count(0)
        viewer_page.goto(f"{live_server.url}/console/roles")
        expect(viewer_page.get_by_role("link", name="Create role")).to_have_count(0)
        response = viewer_page.goto(f"{live_server.url}/console/members")
        assert response.status == 403
    finally:
        context.close()

    member = User.objects.get(username=VIEWER_USERNAME)
    assert staff.role_of(member) == staff.VIEWER
    assert console_errors == []
