"""The permissions (scopes) of an API resource: add, edit, delete."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import ApiResourceFactory, RoleFactory, ScopeFactory
from users.models import Scope

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def resource():
    return ApiResourceFactory(name="Orders API", indicator="https://orders.example.com")


def test_it_adds_a_permission(admin_client, resource):
    url = f"/console/api-resources/{resource.id}/permissions/new"
    assert "Add permission" in admin_client.get(url, headers=DIALOG).content.decode()
    response = admin_client.post(url, {"name": "read:orders", "description": "See"}, headers=DIALOG)
    assert response["HX-Refresh"] == "true"
    assert Scope.objects.get(resource=resource).name == "read:orders"
    assert Log.objects.get(key="Console.Scope.Create").payload["scope"]["name"] == "read:orders"


@pytest.mark.parametrize(
    ("name", "message", "status"),
    [
        ("read:orders", "already has a permission with this name", HTTPStatus.CONFLICT),
        ("read orders", "without spaces", HTTPStatus.BAD_REQUEST),
        ("", "This field is required.", HTTPStatus.BAD_REQUEST),
    ],
)
def test_a_duplicate_or_bad_name_is_refused(admin_client, resource, name, message, status):
    ScopeFactory(resource=resource, name="read:orders")
    url = f"/console/api-resources/{resource.id}/permissions/new"
    response = admin_client.post(url, {"name": name}, headers=DIALOG)
    assert response.status_code == status
    assert message in response.content.decode()
    assert Scope.objects.count() == 1


def test_the_same_name_in_another_api_is_fine(admin_client, resource):
    ScopeFactory(name="read:orders")
    url = f"/console/api-resources/{resource.id}/permissions/new"
    admin_client.post(url, {"name": "read:orders"})
    assert Scope.objects.filter(name="read:orders").count() == 2


def test_it_edits_a_permission(admin_client, resource):
    scope = ScopeFactory(resource=resource, name="read:orders", description="Old")
    url = f"/console/api-resources/{resource.id}/permissions/{scope.id}/edit"
    admin_client.post(url, {"name": "read:orders", "description": "New"}, headers=DIALOG)
    scope.refresh_from_db()
    assert scope.description == "New"
    changes = Log.objects.get(key="Console.Scope.Update").payload["changes"]
    assert changes == {"description": {"old": "Old", "new": "New"}}


def test_a_permission_of_another_api_is_404(admin_client, resource):
    scope = ScopeFactory()
    url = f"/console/api-resources/{resource.id}/permissions/{scope.id}/edit"
    assert admin_client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_deleting_a_permission_takes_it_from_the_roles_that_grant_it(admin_client, resource):
    scope = ScopeFactory(resource=resource, name="read:orders")
    role = RoleFactory(name="Clerk", scopes=[scope])
    url = f"/console/api-resources/{resource.id}/permissions/{scope.id}/delete"
    body = admin_client.get(url, headers=DIALOG).content.decode()
    assert "Roles that grant it no longer will (cascade): “Clerk”" in body
    admin_client.post(url, headers=DIALOG)
    assert not Scope.objects.exists() and role.scopes.count() == 0
    log = Log.objects.get(key="Console.Scope.Delete")
    assert log.payload["removedFromRoles"] == [{"id": role.id, "name": "Clerk"}]


def test_a_viewer_gets_403(viewer_client, resource):
    scope = ScopeFactory(resource=resource)
    base = f"/console/api-resources/{resource.id}/permissions"
    for url in (f"{base}/new", f"{base}/{scope.id}/edit", f"{base}/{scope.id}/delete"):
        assert viewer_client.post(url, {"name": "x:y"}).status_code == HTTPStatus.FORBIDDEN
    assert Scope.objects.get() == scope


def test_non_staff_users_are_refused(client, end_user, resource):
    client.force_login(end_user)
    url = f"/console/api-resources/{resource.id}/permissions/new"
    assert client.post(url, {"name": "x:y"}).status_code == HTTPStatus.FORBIDDEN
