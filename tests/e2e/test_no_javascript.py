"""Without JavaScript the console still works: plain GET search, full-page Add user."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACTION_TIMEOUT_MS, sign_in
from tests.factories import UserFactory
from users.models import User


@pytest.fixture
def directory(transactional_db):
    for name in ["Alice Smith", "Bruno Smith", "Helena Irwin", "Marco Nash", "Rosa Stone"]:
        UserFactory(name=name)


@pytest.fixture
def page(new_context, live_server, admin):
    context = new_context(java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, live_server, admin)
    page.wait_for_url(f"{live_server.url}/console/users")
    return page


def test_the_search_button_submits_the_search_form(directory, page, live_server):
    expect(page.locator("#user-table tbody tr")).to_have_count(6)

    page.locator("#search").fill("smith")
    # The button is inside <noscript>: it only exists when scripting is off.
    page.get_by_role("button", name="Search").click()

    page.wait_for_url(f"{live_server.url}/console/users?search=smith&page_size=20")
    expect(page.locator("#user-table .name")).to_have_text(["Bruno Smith", "Alice Smith"])
    expect(page.locator("#user-table mark")).to_have_text(["Smith", "Smith"])


def test_pressing_enter_in_the_search_box_submits_it(directory, page, live_server):
    page.locator("#search").fill("rosa")
    page.locator("#search").press("Enter")

    page.wait_for_url(f"{live_server.url}/console/users?search=rosa&page_size=20")
    expect(page.locator("#user-table .name")).to_have_text(["Rosa Stone"])


def test_add_user_is_a_full_page_that_creates_the_user_and_shows_the_password(page, live_server):
    # Without htmx the link is a plain link to the full-page form.
    page.get_by_role("link", name="Add user").click()

    page.wait_for_url(f"{live_server.url}/console/users/new")
    dialog = page.locator("dialog#add-user")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Email", exact=True).fill("no.script@example.com")
    dialog.get_by_label("Name", exact=True).fill("Noah Script")
    dialog.get_by_role("button", name="Add user").click()

    expect(page.get_by_role("heading", name="User added")).to_be_visible()
    assert page.url == f"{live_server.url}/console/users/new"
    expect(page.locator("#cred-email")).to_have_text("no.script@example.com")
    password = page.locator("#cred-password").inner_text()
    assert len(password) >= 16
    assert User.objects.get(primary_email="no.script@example.com").check_password(password)

    page.get_by_role("link", name="Done").click()

    page.wait_for_url(f"{live_server.url}/console/users")
    expect(page.locator("#user-table .name", has_text="Noah Script")).to_be_visible()


def test_an_add_user_form_without_identifiers_comes_back_with_the_error(page, live_server):
    users_before = User.objects.count()
    page.goto(f"{live_server.url}/console/users/new")

    page.get_by_role("button", name="Add user").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Enter at least one of email, phone or username."
    )
    assert User.objects.count() == users_before
