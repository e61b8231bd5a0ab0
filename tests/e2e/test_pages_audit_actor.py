"""The console-wide audit log says who did it and filters by actor and user, with the filters in
the URL, so the filtered view is a link to share; on a phone the table scrolls in its own box."""

import re

from playwright.sync_api import expect

from tests.audit.factories import LogFactory
from tests.factories import SuperuserFactory, UserFactory

MOBILE = {"width": 390, "height": 844}


def seed(admin):
    ann = UserFactory(username="ann", primary_email="ann@example.com")
    grace = SuperuserFactory(username="grace", name="Grace Admin")
    LogFactory(user=ann, key="Console.User.Suspend", actor=grace, actor_label="Grace Admin")
    LogFactory(user=ann, key="Console.User.Delete", actor=admin, actor_label="Ada Admin")
    return ann, grace


def test_filtering_by_actor_shows_their_acts_and_puts_the_filter_in_the_url(
    signed_in_page, live_server, admin
):
    ann, grace = seed(admin)
    page = signed_in_page
    page.goto(f"{live_server.url}/console/audit-logs")
    table = page.locator("#log-table tbody")
    expect(table.locator("td[data-label='Actor']", has_text="Grace Admin")).to_have_count(1)

    page.get_by_label("Actor").fill("grace")
    page.get_by_label("Actor").press("Enter")

    expect(page).to_have_url(re.compile(r"/console/audit-logs\?(.*&)?actor=grace(&|$)"))
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("Suspend user")
    # The link reproduces the view.
    page.goto(page.url)
    expect(table.locator("tr")).to_have_count(1)
    expect(page.get_by_label("Actor")).to_have_value("grace")


def test_filtering_by_user_and_reading_it_on_a_phone(signed_in_page, live_server, admin):
    ann, grace = seed(admin)
    page = signed_in_page
    page.set_viewport_size(MOBILE)
    page.goto(f"{live_server.url}/console/audit-logs?user=ann@example.com")
    expect(page.locator("#log-table tbody tr")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= MOBILE["width"]
    # The wide table scrolls inside its own box, which stays within the screen.
    box = page.locator("#log-table table").evaluate(
        "t => [t.getBoundingClientRect().right, t.scrollWidth > t.clientWidth, getComputedStyle(t).overflowX]"
    )
    assert box[0] <= MOBILE["width"] and box[2] == "auto"
