import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NEW_EMAIL, NEW_NAME, add_user, open_add_user
from users.models import User


@pytest.fixture
def page(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def test_adding_a_user_without_identifiers_shows_an_error_and_creates_nothing(signed_in_page):
    page = signed_in_page
    users_before = User.objects.count()
    dialog = open_add_user(page)

    dialog.get_by_label("Name", exact=True).fill("Nobody In Particular")
    dialog.get_by_role("button", name="Add user").click()

    expect(dialog.get_by_role("alert")).to_have_text(
        "Enter at least one of email, phone or username."
    )
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Nobody In Particular")
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    assert User.objects.count() == users_before


def test_the_new_user_is_shown_with_a_generated_password_stored_only_as_a_hash(signed_in_page):
    dialog = add_user(signed_in_page)

    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    expect(dialog.locator("#cred-email")).to_have_text(NEW_EMAIL)
    password = dialog.locator("#cred-password").inner_text()
    assert len(password) >= 16
    user = User.objects.get(primary_email=NEW_EMAIL)
    assert user.name == NEW_NAME
    assert user.password.startswith("argon2$argon2id$")
    assert password not in user.password
    assert user.check_password(password)


def test_copy_all_puts_the_email_and_password_on_the_clipboard(signed_in_page):
    page = signed_in_page
    dialog = add_user(page)
    password = dialog.locator("#cred-password").inner_text()

    copy_all = dialog.locator("button[data-copy-target='#cred-all']")  # its name will change
    expect(copy_all).to_have_text("Copy all")
    copy_all.click()

    expect(copy_all).to_have_text("Copied")
    copied = clipboard(page)
    assert f"Email: {NEW_EMAIL}" in copied
    assert f"Password: {password}" in copied


def test_copy_beside_the_password_copies_exactly_the_password(signed_in_page):
    page = signed_in_page
    dialog = add_user(page)
    password = dialog.locator("#cred-password").inner_text()

    copy = dialog.locator("#cred-password + button.copy")
    copy.click()

    expect(copy).to_have_text("Copied")
    assert clipboard(page) == password


def test_done_removes_the_dialog_and_the_table_shows_the_new_user(signed_in_page, live_server):
    page = signed_in_page
    dialog = add_user(page)
    password = dialog.locator("#cred-password").inner_text()

    dialog.get_by_role("link", name="Done").click()

    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator("#user-table .name", has_text=NEW_NAME)).to_be_visible()
    expect(page.locator("#user-total")).to_contain_text("2 users")
    assert password not in page.content()
    assert page.url == f"{live_server.url}/console/users"
    assert page.evaluate("window.__marker") == "no page load"


def test_escape_also_removes_the_password_dialog_and_refreshes_the_table(signed_in_page):
    page = signed_in_page
    add_user(page)

    page.keyboard.press("Escape")

    expect(page.locator("dialog")).to_have_count(0)
    expect(page.locator("#user-table .name", has_text=NEW_NAME)).to_be_visible()


def test_cancel_closes_the_add_user_dialog_and_creates_nobody(signed_in_page):
    page = signed_in_page
    users_before = User.objects.count()
    dialog = open_add_user(page)
    dialog.get_by_label("Email", exact=True).fill(NEW_EMAIL)

    dialog.get_by_role("link", name="Cancel").click()

    expect(page.locator("dialog")).to_have_count(0)
    assert User.objects.count() == users_before
    # The dialog can be opened again, empty.
    dialog = open_add_user(page)
    expect(dialog.get_by_label("Email", exact=True)).to_have_value("")
