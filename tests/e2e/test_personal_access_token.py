"""Create a personal access token on the user's page: its value is shown once, with Copy."""

import pytest
from playwright.sync_api import expect

from users import tokens

# Every dialog goes into #dialog-slot; matching `:modal` waits until console.js has called
# showModal(). (Right after an htmx swap the new dialog is briefly shown open but not modal:
# htmx copies the old dialog's attributes, `open` among them, onto it until the swap settles.)
MODAL = "#dialog-slot dialog#action-dialog:modal"
TOKEN_NAME = "Deploy bot"


@pytest.fixture
def page(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


# App bug (templates/users/user_detail.html, the #user-settings div, lines 5-6): its
# hx-select="#user-settings" and hx-swap="outerHTML" are inherited by every htmx element inside it
# (card forms, "Create token", "Generate new password"...). Their responses hold no
# #user-settings, so htmx swaps in nothing and removes the target: the card, or #dialog-slot.
# Fix: hx-disinherit="*" on that div. Remove these marks then (strict: they fail once it works).


def clipboard(page):
    return page.evaluate("navigator.clipboard.readText()")


def token_rows(page):
    return page.locator("#authentication-card table tbody tr")


def create_token(page, live_server, user, name=TOKEN_NAME):
    """Open the user's page, "Create token", name it, submit; returns the result dialog."""
    page.goto(f"{live_server.url}/console/users/{user.pk}")
    page.evaluate("window.__marker = 'no page load'")
    expect(page.locator("#authentication-card")).to_contain_text("No personal access tokens.")
    page.locator("#authentication-card").get_by_role("link", name="Create token").click()
    dialog = page.locator(MODAL)
    expect(dialog.get_by_role("heading", name="Create personal access token")).to_be_visible()

    dialog.get_by_label("Name").fill(name)
    dialog.get_by_role("button", name="Create token").click()

    expect(dialog.get_by_role("heading", name=f"Token “{name}” created")).to_be_visible()
    return dialog


def test_the_token_value_is_shown_once_copied_and_kept_only_as_a_hash(
    signed_in_page, live_server, subject, console_errors
):
    page = signed_in_page
    dialog = create_token(page, live_server, subject)

    value = dialog.locator("#token-value").inner_text()
    assert value.startswith("pat_")
    assert len(value) > len("pat_") + 20
    token = subject.access_tokens.get()
    assert token.name == TOKEN_NAME
    assert token.token_hash == tokens.digest(value)
    assert value not in token.token_hash
    assert tokens.user_for_personal_access_token(value) == subject
    expect(dialog.locator("dl.credentials dd").last).to_have_text("never")

    copy = dialog.locator("#token-value + button.copy")  # not by name: it reads "Copied" next
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert clipboard(page) == value

    dialog.get_by_role("link", name="Done").click()

    expect(page.locator("dialog")).to_have_count(0)
    expect(token_rows(page)).to_have_count(1)
    expect(token_rows(page).first.locator("td").first).to_have_text(TOKEN_NAME)
    assert value not in page.content()
    assert page.evaluate("window.__marker") == "no page load"  # the settings area was swapped
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_a_token_without_a_name_is_refused_in_the_dialog(signed_in_page, live_server, subject):
    page = signed_in_page
    page.goto(f"{live_server.url}/console/users/{subject.pk}")
    page.locator("#authentication-card").get_by_role("link", name="Create token").click()
    dialog = page.locator(MODAL)

    dialog.get_by_role("button", name="Create token").click()

    expect(dialog.locator(".field.has-error .error")).to_have_text("This field is required.")
    assert not subject.access_tokens.exists()


def test_a_second_token_with_the_same_name_is_refused(signed_in_page, live_server, subject):
    page = signed_in_page
    create_token(page, live_server, subject).get_by_role("link", name="Done").click()
    expect(token_rows(page)).to_have_count(1)

    page.locator("#authentication-card").get_by_role("link", name="Create token").click()
    dialog = page.locator(MODAL)
    dialog.get_by_label("Name").fill(TOKEN_NAME)
    dialog.get_by_role("button", name="Create token").click()

    expect(dialog.locator(".error").first).to_be_visible()
    expect(dialog.locator("#token-value")).to_have_count(0)
    assert subject.access_tokens.count() == 1
