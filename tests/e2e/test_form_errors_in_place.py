"""A refused form answers 4xx and htmx swaps its body into the dialog: the error shows in place,
the dialog stays open, the page stays. Also under DEBUG, where django-htmx's debug script used to
replace the whole page with the 4xx body."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_add_user
from tests.factories import UserFactory
from users.models import User


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def _submit_taken_email(page):
    UserFactory(primary_email="taken@example.com")
    dialog = open_add_user(page)
    dialog.get_by_label("Email", exact=True).fill("taken@example.com")
    dialog.get_by_label("Name", exact=True).fill("Second Taken")
    with page.expect_response("**/console/users/new") as answer:
        dialog.get_by_role("button", name="Add user").click()
    assert answer.value.status == 409
    return dialog


def test_a_duplicate_email_in_add_user_shows_the_error_inside_the_dialog(
    debug, signed_in_page, console_errors
):
    page = signed_in_page
    dialog = _submit_taken_email(page)

    expect(dialog.get_by_text("This email is already in use.")).to_be_visible()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Second Taken")
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    expect(page.get_by_role("heading", name="User management")).to_be_visible()
    assert page.evaluate("window.__marker") == "no page load"
    assert User.objects.filter(primary_email="taken@example.com").count() == 1
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_invalid_input_shows_the_error_inside_the_dialog_and_then_it_can_succeed(
    debug, signed_in_page
):
    page = signed_in_page
    dialog = open_add_user(page)
    dialog.get_by_label("Email", exact=True).fill("not-an-email")
    with page.expect_response("**/console/users/new") as answer:
        dialog.get_by_role("button", name="Add user").click()
    assert answer.value.status == 400
    expect(dialog.get_by_text("Enter a valid email address.")).to_be_visible()
    assert page.evaluate("window.__marker") == "no page load"

    dialog.get_by_label("Email", exact=True).fill("fixed@example.com")
    dialog.get_by_role("button", name="Add user").click()
    expect(dialog.get_by_role("heading", name="User added")).to_be_visible()


def test_a_server_error_is_not_swapped_into_the_dialog(signed_in_page, monkeypatch):
    page = signed_in_page
    dialog = open_add_user(page)

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("users.services.create_user", broken)
    dialog.get_by_label("Email", exact=True).fill("someone@example.com")
    with page.expect_response("**/console/users/new") as answer:
        dialog.get_by_role("button", name="Add user").click()
    assert answer.value.status == 500
    expect(dialog.get_by_role("heading", name="Add user")).to_be_visible()
    expect(page.get_by_text("Something went wrong")).to_have_count(0)
