from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

SMITHS = ["Alice Smith", "Bruno Smith", "Chloe Smith", "Dmitri Smith"]
OTHERS = [
    "Aaron Baker", "Beatrice Cole", "Cedric Dunn", "Delia Evans", "Emil Frost", "Fiona Grant",
    "Gavin Hale", "Helena Irwin", "Ivan Jones", "Julia Keane", "Kofi Lane", "Lena Moss",
    "Marco Nash", "Nadia Olsen", "Oscar Price", "Petra Quinn", "Quentin Reyes", "Rosa Stone",
    "Samir Todd", "Tessa Underwood", "Umar Vance", "Vera White", "Wanda Young", "Xavier Zane",
    "Yusuf Abbott", "Zora Bishop",
]  # fmt: skip
TOTAL_USERS = len(SMITHS) + len(OTHERS) + 1  # and the admin


@pytest.fixture
def directory(transactional_db):
    for name in [*SMITHS, *OTHERS]:
        UserFactory(name=name)


@pytest.fixture
def table_page(directory, signed_in_page):
    """The user table, with a marker a full page load would wipe out."""
    page = signed_in_page
    expect(page.locator("#user-total")).to_contain_text(f"{TOTAL_USERS} users")
    page.evaluate("window.__marker = 'still the same page'")
    documents = []
    page.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)
    page.documents = documents
    return page


def rows(page):
    return page.locator("#user-table tbody tr")


def assert_no_full_page_load(page):
    assert page.evaluate("window.__marker") == "still the same page"
    assert page.documents == []


def test_typing_narrows_the_table_to_matches_without_a_page_load(table_page, live_server):
    page = table_page
    expect(rows(page)).to_have_count(20)

    page.locator("#search").press_sequentially("smith", delay=40)

    expect(page.locator("#user-total")).to_contain_text("4 users")
    expect(rows(page)).to_have_count(len(SMITHS))
    expect(page.locator("#user-table .name")).to_have_text(
        SMITHS[::-1]  # newest first
    )
    assert_no_full_page_load(page)


def test_the_search_goes_into_the_url_and_the_link_can_be_shared(table_page, live_server):
    page = table_page
    page.locator("#search").press_sequentially("smith", delay=40)

    expect(rows(page)).to_have_count(len(SMITHS))
    query = parse_qs(urlsplit(page.url).query)
    assert query["search"] == ["smith"]
    assert_no_full_page_load(page)

    shared = page.context.new_page()
    shared.goto(page.url)
    expect(shared.locator("#search")).to_have_value("smith")
    expect(shared.locator("#user-table .name")).to_have_text(SMITHS[::-1])


def test_the_matched_text_is_highlighted(table_page):
    page = table_page
    page.locator("#search").press_sequentially("smi", delay=40)

    marks = page.locator("#user-table tbody mark")
    expect(marks).to_have_count(len(SMITHS))
    expect(marks).to_have_text(["Smi"] * len(SMITHS))
    # Only the matched part is marked: the rest of the name is outside the <mark>.
    expect(page.locator("#user-table .name").first).to_have_text("Dmitri Smith")
    assert page.locator("#user-table .name mark").first.inner_html() == "Smi"


def test_the_back_button_restores_the_previous_table(table_page, live_server):
    page = table_page
    before_url = page.url
    page.locator("#search").press_sequentially("smith", delay=40)
    expect(rows(page)).to_have_count(len(SMITHS))
    assert "search=smith" in page.url

    page.go_back()

    expect(page).to_have_url(before_url)
    expect(rows(page)).to_have_count(20)
    expect(page.locator("#user-total")).to_contain_text(f"{TOTAL_USERS} users")
    expect(page.locator("#user-table mark")).to_have_count(0)
    expect(page.locator("#search")).to_have_value("")
    assert_no_full_page_load(page)


def test_a_search_that_matches_nothing_says_so(table_page):
    page = table_page
    page.locator("#search").press_sequentially("zzyzx", delay=40)

    expect(page.locator("#user-table")).to_contain_text("No users match “zzyzx”.")
    expect(rows(page)).to_have_count(1)
    expect(page.locator("#user-total")).to_contain_text("0 users")
    assert_no_full_page_load(page)
