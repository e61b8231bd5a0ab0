"""The one-time reveal shows the phone as people write it and says out loud that it copied; the
console follows the system's dark or light theme."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_add_user


@pytest.fixture
def page(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def add_user_with_phone(page):
    dialog = open_add_user(page)
    dialog.get_by_label("Email", exact=True).fill("grace@example.com")
    dialog.get_by_label("Phone", exact=True).fill("+44 20 7946 0958")
    dialog.get_by_role("button", name="Add user").click()
    expect(dialog.get_by_role("heading", name="User added")).to_be_visible()
    return dialog


def test_the_reveal_shows_the_phone_formatted_and_copy_all_copies_every_identifier(
    signed_in_page,
):
    page = signed_in_page
    dialog = add_user_with_phone(page)
    expect(dialog.locator("#cred-phone")).to_have_text("+44 20 7946 0958")
    password = dialog.locator("#cred-password").inner_text()

    copy_all = dialog.get_by_role("button", name="Copy all")
    copy_all.click()

    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == (f"Email: grace@example.com\nPhone: +44 20 7946 0958\nPassword: {password}")


def test_copying_shows_a_copied_state_that_screen_readers_hear(signed_in_page):
    page = signed_in_page
    dialog = add_user_with_phone(page)
    status = dialog.get_by_role("status")
    expect(status).to_have_count(1)

    dialog.locator("#cred-password + button.copy").click()

    expect(dialog.locator("#cred-password + button.copy")).to_have_text("Copied")
    expect(dialog.locator("#cred-password + button.copy")).to_have_class("copy copied")
    # The live region sits inside the modal dialog: outside it, everything is inert and unread.
    expect(status).to_have_text("Copied")


def background(page):
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_console_follows_the_systems_dark_theme(signed_in_page):
    page = signed_in_page
    page.emulate_media(color_scheme="light")
    light = background(page)
    page.emulate_media(color_scheme="dark")
    dark = background(page)
    assert light == "rgb(246, 247, 249)"
    assert dark == "rgb(17, 19, 24)"
    # Form fields follow the theme too, not only the page.
    assert page.evaluate("getComputedStyle(document.querySelector('#search')).color") == (
        "rgb(230, 232, 236)"
    )
