"""Suspend a user from the ⋯ menu of their page, then reactivate them."""

from playwright.sync_api import expect

# Every dialog goes into #dialog-slot; matching `:modal` waits until console.js has called
# showModal(). (Right after an htmx swap the new dialog is briefly shown open but not modal:
# htmx copies the old dialog's attributes, `open` among them, onto it until the swap settles.)
MODAL = "#dialog-slot dialog#action-dialog:modal"


def open_user_page(page, live_server, user):
    page.goto(f"{live_server.url}/console/users/{user.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(user.name)


def open_user_action(page, name):
    """Open the ⋯ menu, pick `name`: its confirmation opens as a modal dialog, no page load."""
    page.get_by_label("User actions").click()
    page.locator("details.menu").get_by_role("link", name=name, exact=True).click()
    dialog = page.locator(MODAL)
    expect(dialog).to_be_visible()
    return dialog


def confirm_and_wait_for_reload(page, dialog, button, message):
    """Confirm: the server answers HX-Refresh, the page reloads and shows `message`."""
    page.evaluate("window.__marker = 'no page load'")
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(page.locator("ul.messages")).to_have_text(message)
    assert page.evaluate("window.__marker") is None  # a fresh page, not a swap
    expect(page.locator("dialog")).to_have_count(0)


def suspended_tag(page):
    return page.locator(".user-head .tag", has_text="Suspended")


def test_suspending_then_reactivating_a_user_shows_and_removes_the_suspended_tag(
    signed_in_page, live_server, subject, console_errors
):
    page = signed_in_page
    open_user_page(page, live_server, subject)
    expect(suspended_tag(page)).to_have_count(0)

    dialog = open_user_action(page, "Suspend")
    expect(dialog.get_by_role("heading", name="Suspend user")).to_be_visible()
    confirm_and_wait_for_reload(page, dialog, "Suspend", "User suspended.")

    expect(suspended_tag(page)).to_be_visible()
    subject.refresh_from_db()
    assert subject.is_suspended is True

    page.get_by_label("User actions").click()
    menu = page.locator("details.menu")
    expect(menu.get_by_role("link", name="Suspend", exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name="Reactivate", exact=True)).to_be_visible()
    page.get_by_label("User actions").click()  # close it again; open_user_action reopens it

    dialog = open_user_action(page, "Reactivate")
    expect(dialog.get_by_role("heading", name="Reactivate user")).to_be_visible()
    confirm_and_wait_for_reload(page, dialog, "Reactivate", "User reactivated.")

    expect(suspended_tag(page)).to_have_count(0)
    subject.refresh_from_db()
    assert subject.is_suspended is False
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_cancel_closes_the_suspend_dialog_and_leaves_the_user_active(
    signed_in_page, live_server, subject
):
    page = signed_in_page
    open_user_page(page, live_server, subject)
    dialog = open_user_action(page, "Suspend")

    dialog.get_by_role("link", name="Cancel").click()

    expect(page.locator("dialog")).to_have_count(0)
    expect(suspended_tag(page)).to_have_count(0)
    subject.refresh_from_db()
    assert subject.is_suspended is False
