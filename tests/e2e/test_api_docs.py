"""/api/docs: Swagger UI renders the API from our own static files, within its page's CSP."""

from playwright.sync_api import expect


def test_the_api_docs_page_renders_every_group_without_csp_errors(
    page, console_errors, live_server, transactional_db
):
    page.goto(f"{live_server.url}/api/docs")
    # The whole OpenAPI document is fetched and rendered: allow a busy machine its time.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Gatehouse Management API", timeout=30_000
    )
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    expect(page.get_by_text("/api/users/{user_id}/password/verify").first).to_be_attached()
    assert [t for t in console_errors if "Content Security Policy" in t] == []
