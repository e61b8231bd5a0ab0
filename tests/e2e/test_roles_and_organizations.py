"""A user's Roles and Organizations tabs in a real browser: assign two roles through the dialog's
searchable multi-select and remove one; add the user to an organization with a role."""

import pytest
from playwright.sync_api import expect

from tests.access.factories import (
    MachineRoleFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
)
from users.models import Membership, UserRole


@pytest.fixture
def roles(transactional_db):
    RoleFactory(name="Editor", description="Writes articles")
    RoleFactory(name="Billing", description="Pays invoices")
    RoleFactory(name="Support", description="Answers tickets")
    MachineRoleFactory(name="Robot")


def modal(page, dialog_id):
    # `:modal` waits until console.js has called showModal() on the swapped-in dialog.
    dialog = page.locator(f"#dialog-slot dialog#{dialog_id}:modal")
    expect(dialog).to_be_visible()
    return dialog


def csp_errors(console_errors):
    return [text for text in console_errors if "Content Security Policy" in text]


def role_rows(page):
    return page.locator("#user-roles tbody tr")


def test_assign_two_roles_through_the_dialog_then_remove_one(
    signed_in_page, live_server, subject, roles, console_errors
):
    page = signed_in_page
    page.goto(f"{live_server.url}/console/users/{subject.pk}/roles")
    expect(page.locator("#user-roles")).to_contain_text("This user has no roles yet.")

    page.evaluate("window.__marker = 'no page load'")
    page.get_by_role("link", name="Assign roles").click()
    dialog = modal(page, "assign-roles")
    assert page.evaluate("window.__marker") == "no page load"
    choices = dialog.locator("#role-choices")
    expect(choices).to_contain_text("Editor")
    expect(choices).not_to_contain_text("Robot")  # machine-to-machine roles are not offered

    search = dialog.get_by_label("Search roles")
    search.press_sequentially("edit", delay=30)
    expect(choices.locator(".field")).to_have_count(1)
    dialog.get_by_label("Editor").check()

    search.fill("")
    search.press_sequentially("bill", delay=30)
    expect(choices).to_contain_text("Billing")
    expect(choices).not_to_contain_text("Support")
    expect(dialog.get_by_label("Editor")).to_be_checked()  # the search kept the first choice
    dialog.get_by_label("Billing").check()
    dialog.get_by_role("button", name="Assign").click()

    expect(page.locator("ul.messages")).to_have_text("Assigned 2 roles.")
    expect(page.locator("dialog")).to_have_count(0)
    expect(role_rows(page)).to_have_count(2)
    expect(page.locator("#user-roles")).to_contain_text("Editor")
    expect(page.locator("#user-roles")).to_contain_text("Pays invoices")
    assert set(UserRole.objects.filter(user=subject).values_list("role__name", flat=True)) == {
        "Editor",
        "Billing",
    }

    page.get_by_role("link", name="Remove Editor").click()
    dialog = modal(page, "confirm-dialog")
    expect(dialog).to_contain_text("Remove the role “Editor” from this user?")
    dialog.get_by_role("button", name="Remove", exact=True).click()

    expect(page.locator("ul.messages")).to_have_text("Role “Editor” removed.")
    expect(role_rows(page)).to_have_count(1)
    expect(role_rows(page)).to_contain_text("Billing")
    assert list(UserRole.objects.filter(user=subject).values_list("role__name", flat=True)) == [
        "Billing"
    ]
    assert csp_errors(console_errors) == []


def test_cancel_closes_the_assign_dialog_and_assigns_nothing(
    signed_in_page, live_server, subject, roles
):
    page = signed_in_page
    page.goto(f"{live_server.url}/console/users/{subject.pk}/roles")
    page.get_by_role("link", name="Assign roles").click()
    dialog = modal(page, "assign-roles")
    dialog.get_by_label("Editor").check()
    dialog.get_by_role("link", name="Cancel").click()
    expect(page.locator("dialog")).to_have_count(0)
    assert not UserRole.objects.filter(user=subject).exists()


def test_add_the_user_to_an_organization_with_a_role(
    signed_in_page, live_server, subject, console_errors
):
    OrganizationFactory(name="Acme", description="Rockets")
    OrganizationFactory(name="Globex")
    OrganizationRoleFactory(name="Admin")
    OrganizationRoleFactory(name="Member")
    page = signed_in_page
    page.goto(f"{live_server.url}/console/users/{subject.pk}/organizations")
    expect(page.locator("#user-organizations")).to_contain_text("in no organization yet")

    page.get_by_role("link", name="Add to organization").click()
    dialog = modal(page, "add-organization")
    dialog.get_by_label("Search organizations").press_sequentially("acm", delay=30)
    expect(dialog.locator("#organization-choices .field")).to_have_count(1)
    dialog.get_by_label("Acme").check()
    dialog.get_by_label("Admin").check()
    dialog.get_by_role("button", name="Add", exact=True).click()

    expect(page.locator("ul.messages")).to_have_text("Added to “Acme”.")
    row = page.locator("#user-organizations tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Acme")
    expect(row.locator(".tag")).to_have_text(["Admin"])
    membership = Membership.objects.get(user=subject)
    assert membership.organization.name == "Acme"
    assert list(membership.roles.values_list("name", flat=True)) == ["Admin"]
    assert csp_errors(console_errors) == []
