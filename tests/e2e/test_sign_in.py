from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


def test_an_admin_signs_in_and_lands_on_the_user_table(page, live_server, admin):
    sign_in(page, live_server, admin)

    page.wait_for_url(f"{live_server.url}/console/users")
    expect(page.get_by_role("heading", name="User management")).to_be_visible()
    expect(page.locator("#user-table table.users")).to_be_visible()
    expect(page.locator(".signed-in")).to_contain_text(admin.display_identifier)


def test_a_wrong_password_shows_an_error_and_stays_on_sign_in(page, live_server, admin):
    sign_in(page, live_server, admin, password="not-the-password")

    expect(page.get_by_role("alert")).to_have_text(
        "Enter a correct username or email and password."
    )
    assert page.url == f"{live_server.url}/console/sign-in"
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_an_anonymous_visit_to_the_user_table_is_sent_to_sign_in(
    page, live_server, transactional_db
):
    page.goto(f"{live_server.url}/console/users")

    assert page.url == f"{live_server.url}/console/sign-in?next=/console/users"
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text("User management")).to_have_count(0)


def test_signing_in_after_being_sent_away_returns_to_the_page_asked_for(page, live_server, admin):
    page.goto(f"{live_server.url}/console/users?search=ada")
    page.get_by_label("Username or email").fill(admin.username)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{live_server.url}/console/users?search=ada")
    expect(page.locator("#user-table mark").first).to_have_text("Ada")
