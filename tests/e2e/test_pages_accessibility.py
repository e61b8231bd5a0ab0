"""axe-core finds no violation on the main console pages and their dialogs, in the light and the
dark theme and at 390 px wide (axe-playwright-python bundles axe.min.js: no network needed)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.access.factories import (
    ApiResourceFactory,
    MembershipFactory,
    OrganizationFactory,
    RoleFactory,
    UserRoleFactory,
)
from tests.audit.factories import LogFactory
from tests.factories import ApplicationFactory

AXE = Axe()
MOBILE = {"width": 390, "height": 844}


@pytest.fixture
def world(subject, admin):
    """One of everything the main pages list, so none of them is an empty table."""
    role = RoleFactory(name="Support", description="")
    UserRoleFactory(user=subject, role=role)
    organization = OrganizationFactory(name="Acme")
    MembershipFactory(user=subject, organization=organization)
    ApiResourceFactory(name="Orders API")
    ApplicationFactory(name="Acme Web")
    log = LogFactory(user=subject)
    LogFactory(user=subject, key="Console.User.Suspend", actor=admin, actor_label="Ada Admin")
    return {"subject": subject, "role": role, "organization": organization, "log": log}


def main_pages(world):
    subject = world["subject"]
    users = f"/console/users/{subject.pk}"
    return [
        "/console/users",
        users,
        f"{users}/roles",
        f"{users}/organizations",
        f"{users}/logs",
        f"{users}/logs/{world['log'].pk}",
        "/console/audit-logs",
        "/console/roles",
        f"/console/roles/{world['role'].pk}",
        "/console/api-resources",
        "/console/organizations",
        "/console/applications",
        "/console/members",
    ]


def violations(page, rules=None):
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = AXE.run(page, options=options)
    return [
        f"{v['id']}: {[node['target'] for node in v['nodes']]}"
        for v in results.response["violations"]
    ]


def open_menu_dialog(page, live_server, subject, name):
    page.goto(f"{live_server.url}/console/users/{subject.pk}")
    page.get_by_label("User actions").click()
    page.locator("details.menu").get_by_role("link", name=name, exact=True).click()
    dialog = page.locator("#dialog-slot dialog:modal")
    expect(dialog).to_be_visible()
    return dialog


def check_every_page_and_dialog(page, live_server, world, rules=None):
    found = {}
    for path in main_pages(world):
        response = page.goto(live_server.url + path)
        assert response.ok, path
        if problems := violations(page, rules):
            found[path] = problems
    for name in ("Reset password", "Suspend", "Delete"):
        open_menu_dialog(page, live_server, world["subject"], name)
        if problems := violations(page, rules):
            found[name] = problems
    page.goto(f"{live_server.url}/console/users")
    page.get_by_role("link", name="Add user").click()
    expect(page.locator("#dialog-slot dialog:modal")).to_be_visible()
    if problems := violations(page, rules):
        found["Add user"] = problems
    page.get_by_label("Email", exact=True).fill("grace@example.com")
    page.locator("dialog").get_by_role("button", name="Add user").click()
    expect(page.get_by_role("heading", name="User added")).to_be_visible()
    if problems := violations(page, rules):
        found["User added"] = problems
    assert found == {}


def test_no_page_or_dialog_has_an_axe_violation(signed_in_page, live_server, world):
    check_every_page_and_dialog(signed_in_page, live_server, world)


def test_no_page_or_dialog_has_an_axe_violation_in_the_dark_theme(
    signed_in_page, live_server, world
):
    # What the theme changes is colour: the contrast rules are the ones that can differ.
    signed_in_page.emulate_media(color_scheme="dark")
    check_every_page_and_dialog(
        signed_in_page, live_server, world, rules=["color-contrast", "link-in-text-block"]
    )


def test_no_page_or_dialog_has_an_axe_violation_on_a_phone(signed_in_page, live_server, world):
    # What the width changes is layout: sizes of tap targets, scrolling boxes, reflowed text.
    signed_in_page.set_viewport_size(MOBILE)
    check_every_page_and_dialog(
        signed_in_page,
        live_server,
        world,
        rules=["target-size", "scrollable-region-focusable", "color-contrast", "meta-viewport"],
    )


def test_the_check_can_fail(signed_in_page, live_server):
    """A page with an unlabelled field is caught: the check above is not vacuous."""
    page = signed_in_page
    page.evaluate("document.querySelector('label[for=search]').remove()")
    assert any(problem.startswith("label") for problem in violations(page))
