from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import MembershipFactory, OrganizationRoleFactory, ScopeFactory
from users.models import Membership, OrganizationRole

pytestmark = pytest.mark.django_db

LIST = "/console/organization-roles"
NEW = "/console/organization-roles/new"
DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
FRAGMENT = {"HX-Request": "true", "HX-Target": "organization-role-table"}


def test_the_list_shows_the_roles(admin_client):
    OrganizationRoleFactory(name="Admin", scopes=[ScopeFactory()])
    OrganizationRoleFactory(name="Member")
    body = admin_client.get(LIST).content.decode()
    assert "Admin" in body and "Member" in body and "Edit Admin" in body
    fragment = admin_client.get(LIST, {"search": "adm"}, headers=FRAGMENT).content.decode()
    assert fragment.lstrip().startswith('<section id="organization-role-table"')
    assert "Member" not in fragment


def test_it_creates_one_with_permissions(admin_client):
    scope = ScopeFactory(name="read:orders")
    response = admin_client.post(NEW, {"name": "Admin", "scopes": [scope.id]}, headers=DIALOG)
    assert response["HX-Refresh"] == "true"
    role = OrganizationRole.objects.get()
    assert list(role.scopes.all()) == [scope]
    assert Log.objects.filter(key="Console.OrganizationRole.Create").exists()


def test_a_duplicate_name_is_refused(admin_client):
    OrganizationRoleFactory(name="Admin")
    response = admin_client.post(NEW, {"name": "admin"}, headers=DIALOG)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "An organization role with this name already exists." in response.content.decode()
    assert OrganizationRole.objects.count() == 1


def test_it_edits_one(admin_client):
    role = OrganizationRoleFactory(name="Admin")
    url = f"/console/organization-roles/{role.id}/edit"
    admin_client.post(url, {"name": "Owner", "description": ""}, headers=DIALOG)
    role.refresh_from_db()
    assert role.name == "Owner"
    assert Log.objects.get(key="Console.OrganizationRole.Update").payload["changes"]["name"] == {
        "old": "Admin",
        "new": "Owner",
    }


def test_deleting_one_takes_it_from_members_who_stay_members(admin_client):
    role = OrganizationRoleFactory(name="Admin")
    membership = MembershipFactory(roles=[role])
    url = f"/console/organization-roles/{role.id}/delete"
    body = admin_client.get(url, headers=DIALOG).content.decode()
    assert "It is taken from 1 member who hold it (cascade); their memberships stay." in body
    admin_client.post(url, headers=DIALOG)
    assert not OrganizationRole.objects.exists()
    assert Membership.objects.get() == membership and membership.roles.count() == 0
    assert Log.objects.get(key="Console.OrganizationRole.Delete").payload["removedFromMembers"] == 1


def test_a_viewer_gets_403_on_changes(viewer_client):
    role = OrganizationRoleFactory(name="Admin")
    assert viewer_client.get(LIST).status_code == HTTPStatus.OK
    assert "Edit Admin" not in viewer_client.get(LIST).content.decode()
    for url in (
        NEW,
        f"/console/organization-roles/{role.id}/edit",
        f"/console/organization-roles/{role.id}/delete",
    ):
        assert viewer_client.post(url, {"name": "X"}).status_code == HTTPStatus.FORBIDDEN
    assert OrganizationRole.objects.get().name == "Admin"


def test_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(LIST).status_code == HTTPStatus.FORBIDDEN
