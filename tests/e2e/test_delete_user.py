"""Delete a user from the ⋯ menu of their page: the identifier must be typed to confirm."""

from playwright.sync_api import expect

from users.models import Identity, User

# Every dialog goes into #dialog-slot; matching `:modal` waits until console.js has called
# showModal(). (Right after an htmx swap the new dialog is briefly shown open but not modal:
# htmx copies the old dialog's attributes, `open` among them, onto it until the swap settles.)
MODAL = "#dialog-slot dialog#action-dialog:modal"


def open_user_page(page, live_server, user):
    page.goto(f"{live_server.url}/console/users/{user.pk}")
    expect(page.get_by_role("heading", level=1)).to_have_text(user.name)


def open_delete_dialog(page):
    page.get_by_label("User actions").click()
    page.locator("details.menu").get_by_role("link", name="Delete", exact=True).click()
    dialog = page.locator(MODAL)
    expect(dialog.get_by_role("heading", name="Delete user")).to_be_visible()
    return dialog


def test_a_wrong_identifier_is_refused_and_the_right_one_deletes_the_user(
    signed_in_page, live_server, subject, console_errors
):
    page = signed_in_page
    user_id = subject.pk
    assert Identity.objects.filter(user_id=user_id).exists()
    open_user_page(page, live_server, subject)
    dialog = open_delete_dialog(page)
    confirmation = dialog.get_by_label("Type ann_lee to confirm")
    expect(confirmation).to_be_visible()

    confirmation.fill("ann_le")
    dialog.get_by_role("button", name="Delete user").click()

    expect(dialog.locator(".field.has-error .error")).to_have_text(
        "Type ann_lee exactly to confirm."
    )
    assert User.objects.filter(pk=user_id).exists()
    assert page.url == f"{live_server.url}/console/users/{user_id}"

    dialog.get_by_label("Type ann_lee to confirm").fill("ann_lee")
    dialog.get_by_role("button", name="Delete user").click()

    page.wait_for_url(f"{live_server.url}/console/users")
    expect(page.locator("ul.messages")).to_have_text("User ann@example.com deleted.")
    expect(page.locator("#user-table")).not_to_contain_text("Ann Lee")
    assert not User.objects.filter(pk=user_id).exists()
    assert not Identity.objects.filter(user_id=user_id).exists()  # and what was theirs
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_cancel_closes_the_delete_dialog_and_keeps_the_user(signed_in_page, live_server, subject):
    page = signed_in_page
    open_user_page(page, live_server, subject)
    dialog = open_delete_dialog(page)
    dialog.get_by_label("Type ann_lee to confirm").fill("ann_lee")

    dialog.get_by_role("link", name="Cancel").click()

    expect(page.locator("dialog")).to_have_count(0)
    assert User.objects.filter(pk=subject.pk).exists()
    assert page.url == f"{live_server.url}/console/users/{subject.pk}"
