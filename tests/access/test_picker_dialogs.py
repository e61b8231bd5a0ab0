"""The three picker dialogs share one shell (access/_picker.html): each keeps its own search box,
intro, choices and buttons."""

import re

import pytest

from tests.access.factories import MachineRoleFactory, OrganizationFactory, RoleFactory
from tests.factories import ApplicationFactory
from users.models import Application

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def search_box(body):
    return re.search(
        r'<input id="(?P<id>[\w-]+)" type="search" name="search" value="(?P<value>[^"]*)"', body
    )


def test_the_roles_picker_searches_its_roles_and_keeps_what_was_typed(admin_client, subject):
    RoleFactory(name="Billing")
    body = admin_client.get(
        f"/console/users/{subject.id}/roles/assign", {"search": "bill"}, headers=DIALOG
    ).content.decode()
    box = search_box(body)
    assert box["id"] == "assign-search" and box["value"] == "bill"
    assert 'hx-target="#role-choices"' in body and "user roles they don" in body
    assert f'action="/console/users/{subject.id}/roles/assign"' in body
    assert ">Assign</button>" in body


def test_the_organization_picker_has_its_own_search_and_the_roles_to_hold(admin_client, subject):
    OrganizationFactory(name="Acme")
    body = admin_client.get(
        f"/console/users/{subject.id}/organizations/add", headers=DIALOG
    ).content.decode()
    box = search_box(body)
    assert box["id"] == "organization-search" and box["value"] == ""
    assert 'id="organization-choices"' in body and "Organization roles" in body
    assert "a member of an organization" in body and ">Add</button>" in body


def test_the_application_picker_has_no_search(admin_client):
    app = ApplicationFactory(
        type=Application.Type.MACHINE_TO_MACHINE,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        redirect_uris="",
    )
    MachineRoleFactory(name="Robot")
    body = admin_client.get(
        f"/console/applications/{app.id}/roles/assign", headers=DIALOG
    ).content.decode()
    assert search_box(body) is None and 'type="search"' not in body
    assert "Robot" in body and f"Give <strong>{app.name}</strong>" in body
    assert f'href="/console/applications/{app.id}" data-close-dialog>Cancel' in body
