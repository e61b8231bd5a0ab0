"""The user table's filter bar in a browser: apply a facet, see it as a chip, remove it, sort by a
header; the URL follows every step and the back button returns to the previous view."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory


@pytest.fixture
def people(transactional_db):
    return {
        "ann": UserFactory(name="Ann Suspended", is_suspended=True),
        "bob": UserFactory(name="Bob Active"),
    }


def test_apply_a_facet_remove_its_chip_and_go_back(signed_in_page, people):
    page = signed_in_page
    page.reload()
    table = page.locator("#user-table")
    expect(table).to_contain_text("Bob Active")
    page.get_by_text("Filters and sort").click()
    page.get_by_label("Status").select_option("suspended")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=suspended"))
    expect(table).to_contain_text("Ann Suspended")
    expect(table).not_to_contain_text("Bob Active")
    expect(page.locator(".chips")).to_contain_text("Status: suspended")
    assert "role=" not in page.url  # empty facets are not sent

    # Typing a search keeps the facet: the search form carries it.
    page.locator("#search").fill("ann")
    expect(page).to_have_url(re.compile(r"search=ann.*status=suspended"))
    expect(table).to_contain_text("Suspended")
    page.locator("#search").fill("")
    expect(page).to_have_url(re.compile(r"search=&"))

    page.get_by_label("Remove filter Status").click()
    expect(page).not_to_have_url(re.compile(r"status="))
    expect(table).to_contain_text("Bob Active")
    expect(page.get_by_label("Status")).to_have_value("")

    page.go_back()
    expect(page).to_have_url(re.compile(r"status=suspended"))
    expect(page.locator(".chips")).to_contain_text("Status: suspended")
    expect(table).not_to_contain_text("Bob Active")


def test_a_header_sorts_and_says_so(signed_in_page, people):
    page = signed_in_page
    page.reload()
    page.locator("#user-table thead").get_by_role("link", name="User").click()
    expect(page).to_have_url(re.compile(r"sort=name"))
    # The column of names (the row-selection column comes first for those who may act).
    header = page.locator("#user-table thead th").filter(
        has=page.get_by_role("link", name="User", exact=True)
    )
    expect(header).to_have_attribute("aria-sort", "ascending")
    names = page.locator("#user-table tbody .name")
    expect(names).to_have_text(["Ada Admin", "Ann Suspended", "Bob Active"])
    page.locator("#user-table thead").get_by_role("link", name="User").click()
    expect(page).to_have_url(re.compile(r"sort=-name"))
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(names).to_have_text(["Bob Active", "Ann Suspended", "Ada Admin"])
    expect(page.get_by_label("Sort")).to_have_value("-name")


@pytest.fixture
def no_js_page(new_context, live_server, admin):
    from tests.e2e.conftest import ACTION_TIMEOUT_MS, sign_in

    context = new_context(java_script_enabled=False)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    sign_in(page, live_server, admin)
    page.wait_for_url(f"{live_server.url}/console/users")
    return page


def test_without_javascript_filters_apply_and_the_search_keeps_them(no_js_page, people):
    page = no_js_page
    page.get_by_text("Filters and sort").click()
    page.get_by_label("Status").select_option("suspended")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"status=suspended"))
    expect(page.locator("#user-table")).not_to_contain_text("Bob Active")
    page.locator("#search").fill("ann")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"search=ann&page_size=20&status=suspended"))
    expect(page.locator("#user-table")).to_contain_text("Suspended")


def test_next_and_previous_pages_by_cursor_and_the_back_button(signed_in_page, transactional_db):
    UserFactory.create_batch(45, is_suspended=True)
    page = signed_in_page
    page.goto(page.url.split("?")[0] + "?status=suspended&sort=name")
    table = page.locator("#user-table")
    expect(table.locator(".pagination")).to_contain_text("1–20")
    first_rows = table.locator("tbody tr").all_inner_texts()
    table.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"status=suspended&sort=name&after="))
    expect(table.locator(".pagination")).to_contain_text("21–40")
    second_rows = table.locator("tbody tr").all_inner_texts()
    assert second_rows != first_rows
    table.get_by_role("link", name="Next").click()
    expect(table.locator(".pagination")).to_contain_text("41–45")
    page.go_back()
    expect(table.locator(".pagination")).to_contain_text("21–40")
    assert table.locator("tbody tr").all_inner_texts() == second_rows
    table.get_by_role("link", name="Previous").click()
    expect(table.locator(".pagination")).to_contain_text("1–20")
    assert "after=" not in page.url and "before=" not in page.url
    assert table.locator("tbody tr").all_inner_texts() == first_rows
