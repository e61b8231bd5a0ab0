from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import (
    ApiResourceFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
)
from users.models import ApiResource, Scope

pytestmark = pytest.mark.django_db

LIST = "/console/api-resources"
NEW = "/console/api-resources/new"
DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
FRAGMENT = {"HX-Request": "true", "HX-Target": "resource-table"}


def test_the_list_shows_resources_and_their_permission_counts(admin_client):
    orders = ApiResourceFactory(name="Orders API", indicator="https://orders.example.com")
    ScopeFactory.create_batch(2, resource=orders)
    ApiResourceFactory(name="Billing API")
    body = admin_client.get(LIST).content.decode()
    assert "Orders API" in body and "https://orders.example.com" in body and "Billing API" in body
    assert "<td>2</td>" in body
    fragment = admin_client.get(LIST, {"search": "orders"}, headers=FRAGMENT).content.decode()
    assert fragment.lstrip().startswith('<section id="resource-table"')
    assert "Billing" not in fragment


def test_a_viewer_sees_the_list_but_no_create(viewer_client):
    body = viewer_client.get(LIST).content.decode()
    assert "API resources" in body and "Create API resource" not in body


def test_it_creates_a_resource_and_opens_it(admin_client):
    response = admin_client.post(
        NEW, {"name": "Orders API", "indicator": "https://orders.example.com/"}, headers=DIALOG
    )
    resource = ApiResource.objects.get()
    assert response["HX-Redirect"] == f"/console/api-resources/{resource.id}"
    assert resource.indicator == "https://orders.example.com/"
    assert Log.objects.get(key="Console.ApiResource.Create").payload["resource"]["name"] == (
        "Orders API"
    )


@pytest.mark.parametrize(
    ("indicator", "message"),
    [
        ("https://orders.example.com", "already exists"),
        ("orders", "Enter an absolute http:// or https:// URL."),
        ("ftp://orders.example.com", "Enter an absolute http:// or https:// URL."),
        ("https://orders.example.com/#x", "cannot have a #fragment"),
    ],
)
def test_a_bad_or_duplicate_indicator_is_refused(admin_client, indicator, message):
    ApiResourceFactory(indicator="https://orders.example.com")
    response = admin_client.post(NEW, {"name": "Again", "indicator": indicator}, headers=DIALOG)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert message in response.content.decode()
    assert ApiResource.objects.count() == 1


def test_the_detail_page_lists_its_permissions(admin_client):
    scope = ScopeFactory(name="read:orders", description="See orders")
    url = f"/console/api-resources/{scope.resource_id}"
    body = admin_client.get(url).content.decode()
    assert "read:orders" in body and "See orders" in body and "Add permission" in body


def test_editing_renames_but_keeps_the_indicator(admin_client):
    resource = ApiResourceFactory(name="Orders", indicator="https://orders.example.com")
    url = f"/console/api-resources/{resource.id}/edit"
    assert 'name="indicator"' not in admin_client.get(url, headers=DIALOG).content.decode()
    response = admin_client.post(
        url, {"name": "Orders API", "indicator": "https://evil.example.com"}, headers=DIALOG
    )
    assert response["HX-Refresh"] == "true"
    resource.refresh_from_db()
    assert resource.name == "Orders API" and resource.indicator == "https://orders.example.com"
    changes = Log.objects.get(key="Console.ApiResource.Update").payload["changes"]
    assert changes == {"name": {"old": "Orders", "new": "Orders API"}}


def test_deleting_an_unused_resource_deletes_its_permissions(admin_client):
    scope = ScopeFactory()
    url = f"/console/api-resources/{scope.resource_id}/delete"
    assert "are deleted with it" in admin_client.get(url, headers=DIALOG).content.decode()
    response = admin_client.post(url, headers=DIALOG)
    assert response["HX-Redirect"] == LIST
    assert not ApiResource.objects.exists() and not Scope.objects.exists()
    assert Log.objects.filter(key="Console.ApiResource.Delete").exists()


@pytest.mark.parametrize("factory", [RoleFactory, OrganizationRoleFactory])
def test_deleting_a_resource_whose_permissions_a_role_grants_is_blocked(admin_client, factory):
    scope = ScopeFactory()
    factory(name="Clerk", scopes=[scope])
    url = f"/console/api-resources/{scope.resource_id}/delete"
    body = admin_client.get(url, headers=DIALOG).content.decode()
    assert "cannot be deleted while roles grant its permissions: “Clerk”" in body
    assert "Delete API resource</button>" not in body
    response = admin_client.post(url, headers=DIALOG)
    assert response.status_code == HTTPStatus.CONFLICT
    assert ApiResource.objects.exists() and Scope.objects.exists()
    assert not Log.objects.exclude(key="Console.Refused").exists()  # the refusal is audited


def test_a_viewer_gets_403_on_every_change(viewer_client):
    resource = ApiResourceFactory()
    for url in (
        NEW,
        f"/console/api-resources/{resource.id}/edit",
        f"/console/api-resources/{resource.id}/delete",
    ):
        assert viewer_client.get(url).status_code == HTTPStatus.FORBIDDEN
        assert viewer_client.post(url, {"name": "X"}).status_code == HTTPStatus.FORBIDDEN
    assert ApiResource.objects.get().name == resource.name


def test_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(LIST).status_code == HTTPStatus.FORBIDDEN
    assert client.post(NEW, {"name": "X", "indicator": "https://x.example"}).status_code == 403
    assert not ApiResource.objects.exists()


def test_unknown_resources_are_404(admin_client):
    for suffix in ("", "/edit", "/delete", "/permissions/new"):
        assert admin_client.get(f"/console/api-resources/nosuch{suffix}").status_code == 404
