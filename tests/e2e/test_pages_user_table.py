"""The user table as people see it: every identifier of a row together, the avatar or its
initials (never a broken image), the one placeholder, relative times with the exact one."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

MOBILE = {"width": 390, "height": 844}
BROKEN_AVATAR = "http://127.0.0.1:9/no-such-avatar.png"  # nothing listens on port 9


@pytest.fixture
def people(transactional_db):
    return {
        "full": UserFactory(
            name="Ann Lee",
            username="ann_lee",
            primary_email="ann@example.com",
            primary_phone="442079460958",
        ),
        "broken": UserFactory(name="<script", username="bob", avatar=BROKEN_AVATAR),
    }


def row(page, user):
    return page.locator("#user-table tbody tr", has=page.locator(f"a[href$='/{user.pk}']"))


def test_a_row_shows_username_email_and_the_formatted_phone_together(signed_in_page, people):
    page = signed_in_page
    page.reload()
    identifiers = row(page, people["full"]).locator(".identifiers .identifier")
    expect(identifiers).to_have_text(["ann_lee", "ann@example.com", "+44 20 7946 0958"])


def test_a_broken_avatar_shows_the_initials_and_no_broken_image(signed_in_page, people):
    page = signed_in_page
    page.reload()
    avatar = row(page, people["broken"]).locator(".avatar")
    expect(avatar.locator("img")).to_have_count(0)
    expect(avatar.locator(".initials")).to_be_visible()
    # Letters only: "<script" gives "S", never "<S".
    expect(avatar.locator(".initials")).to_have_text("S")


def test_an_avatar_that_loads_is_shown_over_the_initials(signed_in_page, live_server, people):
    people["full"].avatar = f"{live_server.url}/static/avatar-test.svg"
    people["full"].save()
    page = signed_in_page
    page.route(
        "**/avatar-test.svg",
        lambda route: route.fulfill(
            content_type="image/svg+xml",
            body='<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>',
        ),
    )
    page.reload()
    image = row(page, people["full"]).locator(".avatar img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.naturalWidth") > 0


def test_empty_values_show_the_one_placeholder_and_times_have_the_exact_time(
    signed_in_page, people, admin
):
    page = signed_in_page
    page.reload()
    never_signed_in = row(page, people["full"]).locator("td[data-label='Latest sign-in']")
    expect(never_signed_in).to_have_text("—")
    expect(row(page, people["full"]).locator("td[data-label='From application']")).to_have_text("—")
    page.goto(page.url + f"/{people['full'].pk}")
    created = page.locator(".user-head time").first
    assert created.get_attribute("datetime").startswith(str(people["full"].created_at.year))
    assert created.get_attribute("title").endswith("UTC")
    expect(created).to_have_text(re.compile(r"ago|now"))  # relative: made moments ago


def test_on_a_phone_the_page_never_scrolls_sideways_and_rows_are_cards(signed_in_page, people):
    page = signed_in_page
    page.set_viewport_size(MOBILE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    # Nothing is cut off either: every row fits inside the screen.
    for box in page.locator("#user-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().right)"
    ):
        assert box <= MOBILE["width"]
    expect(page.locator("#user-table thead")).to_be_hidden()
    label = page.evaluate(
        "getComputedStyle(document.querySelector(\"td[data-label='Latest sign-in']\"), '::before').content"
    )
    assert "Latest sign-in" in label


def test_on_a_phone_every_tap_target_is_at_least_24_px(signed_in_page, people):
    page = signed_in_page
    page.set_viewport_size(MOBILE)
    page.reload()
    small = page.locator(
        "main a, main button, main select, main input, header a, header button"
    ).evaluate_all(
        """els => els.filter(e => e.getClientRects().length)
                    .map(e => [e.outerHTML.slice(0, 60), e.getBoundingClientRect()])
                    .filter(([, r]) => r.height < 24 || r.width < 24)
                    .map(([html]) => html)"""
    )
    assert small == []
