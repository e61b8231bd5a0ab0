"""Keyboard use of dialogs and the search box: Tab stays inside an open dialog, closing it gives
the focus back to the ⋯ button that opened it, and "/" jumps to the search box."""

from playwright.sync_api import expect

MODAL = "#dialog-slot dialog:modal"


def open_suspend(page, live_server, subject):
    page.goto(f"{live_server.url}/console/users/{subject.pk}")
    page.get_by_label("User actions").click()
    page.locator("details.menu").get_by_role("link", name="Suspend", exact=True).click()
    dialog = page.locator(MODAL)
    expect(dialog).to_be_visible()
    return dialog


def focus_is_in(page, selector):
    return page.evaluate(f"!!document.activeElement.closest({selector!r})")


def test_tab_and_shift_tab_never_leave_the_suspend_dialog(signed_in_page, live_server, subject):
    page = signed_in_page
    open_suspend(page, live_server, subject)
    for _ in range(6):
        page.keyboard.press("Tab")
        assert focus_is_in(page, "dialog"), page.evaluate("document.activeElement.outerHTML")
    for _ in range(6):
        page.keyboard.press("Shift+Tab")
        assert focus_is_in(page, "dialog")


def test_escape_gives_the_focus_back_to_the_menu_button(signed_in_page, live_server, subject):
    page = signed_in_page
    open_suspend(page, live_server, subject)
    page.keyboard.press("Escape")
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.get_by_label("User actions")).to_be_focused()


def test_cancel_gives_the_focus_back_to_the_menu_button(signed_in_page, live_server, subject):
    page = signed_in_page
    dialog = open_suspend(page, live_server, subject)
    dialog.get_by_role("link", name="Cancel").click()
    expect(page.locator("dialog")).to_have_count(0)
    expect(page.get_by_label("User actions")).to_be_focused()


def test_slash_focuses_the_search_box_but_not_while_typing(signed_in_page):
    page = signed_in_page
    search = page.get_by_label("Search users")
    page.locator("h1").click()  # away from the search box, which has autofocus
    expect(search).not_to_be_focused()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the "/" was not typed into it

    page.get_by_label("Rows").focus()
    page.keyboard.press("Tab")  # into the table: a link, not a field
    page.keyboard.press("/")
    expect(search).to_be_focused()
    search.fill("a/b")
    expect(search).to_have_value("a/b")


def test_slash_does_nothing_while_a_dialog_is_open(signed_in_page, live_server, subject):
    page = signed_in_page
    open_suspend(page, live_server, subject)
    page.goto(f"{live_server.url}/console/users")
    page.get_by_role("link", name="Add user").click()
    dialog = page.locator(MODAL)
    expect(dialog).to_be_visible()
    dialog.get_by_role("heading").click()
    page.keyboard.press("/")
    assert focus_is_in(page, "dialog") or page.evaluate("document.activeElement === document.body")
    expect(page.get_by_label("Search users")).not_to_be_focused()


def test_on_a_phone_a_dialog_fits_the_screen(signed_in_page, live_server, subject):
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 600})
    page.goto(f"{live_server.url}/console/users/{subject.pk}")
    page.get_by_label("User actions").click()
    page.locator("details.menu").get_by_role("link", name="Reset password", exact=True).click()
    dialog = page.locator(MODAL)
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["y"] >= 0 and box["y"] + box["height"] <= 600
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
