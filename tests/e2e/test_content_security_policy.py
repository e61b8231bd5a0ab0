"""The strict CSP (no inline script or style, nonce'd scripts) holds for everything the UI does."""

from playwright.sync_api import expect

from tests.e2e.conftest import add_user


def csp_errors(console_errors):
    return [text for text in console_errors if "Content Security Policy" in text]


def test_signing_in_searching_and_adding_a_user_break_no_csp_rule(
    signed_in_page, console_errors, live_server
):
    page = signed_in_page
    response = page.request.get(f"{live_server.url}/console/users")
    assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert page.evaluate("typeof window.htmx") == "object"  # the nonce'd scripts did run

    page.locator("#search").press_sequentially("ada", delay=30)
    expect(page.locator("#user-table mark")).to_have_count(2)
    dialog = add_user(page, email="csp@example.com", name="Cee Espy")
    dialog.get_by_role("link", name="Done").click()
    expect(page.locator("dialog")).to_have_count(0)

    assert csp_errors(console_errors) == []


def test_an_inline_script_would_be_reported(signed_in_page, console_errors):
    """The check above can fail: a violation does reach the console."""
    page = signed_in_page
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.__inline = true";
                document.body.append(script);
            }"""
        )

    assert page.evaluate("window.__inline") is None
    assert csp_errors(console_errors)


def test_a_refused_dialog_form_swapped_in_breaks_no_csp_rule(
    signed_in_page, console_errors, live_server
):
    """A 400 answer replaces the open dialog's form: htmx must not copy style attributes across."""
    page = signed_in_page
    page.goto(f"{live_server.url}/console/roles")
    page.get_by_role("link", name="Create role").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_role("button", name="Create role").click()
    expect(dialog.get_by_text("This field is required.")).to_be_visible()
    # The browser itself styles fields inline at times (autofill previews do; CSSOM is allowed):
    # htmx's settling would copy that style attribute onto the new field, which the CSP refuses.
    page.evaluate(
        "document.querySelectorAll('dialog[open] [id]').forEach(e => e.style.setProperty('outline', '0'))"
    )
    dialog.get_by_role("button", name="Create role").click()  # a second refusal, same dialog
    expect(dialog.get_by_text("This field is required.")).to_be_visible()

    assert csp_errors(console_errors) == []
