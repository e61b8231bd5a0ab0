from http import HTTPStatus

import pytest

from tests.access.factories import (
    ApiResourceFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)

pytestmark = pytest.mark.django_db


def url(user):
    return f"/console/users/{user.id}/roles/permissions"


def test_it_lists_every_permission_and_the_roles_it_comes_through(admin_client, subject):
    orders = ApiResourceFactory(name="Orders API", indicator="https://orders.example.com")
    read = ScopeFactory(resource=orders, name="read:orders", description="See orders")
    write = ScopeFactory(resource=orders, name="write:orders")
    hidden = ScopeFactory(resource=orders, name="delete:orders")
    UserRoleFactory(user=subject, role=RoleFactory(name="Clerk", scopes=[read]))
    UserRoleFactory(user=subject, role=RoleFactory(name="Manager", scopes=[read, write]))
    RoleFactory(name="Admin", scopes=[hidden])  # not the user's

    response = admin_client.get(url(subject))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Orders API" in body and "https://orders.example.com" in body
    assert "read:orders" in body and "See orders" in body and "write:orders" in body
    assert "delete:orders" not in body
    assert "2 permissions" in body
    read_row = body[body.index("read:orders") : body.index("write:orders")]
    assert "Clerk" in read_row and "Manager" in read_row


def test_a_user_without_roles_has_no_permissions(admin_client, subject):
    assert "grant no permissions" in admin_client.get(url(subject)).content.decode()


def test_a_viewer_may_look(viewer_client, subject):
    assert viewer_client.get(url(subject)).status_code == HTTPStatus.OK


def test_non_staff_users_are_refused(client, end_user, subject):
    client.force_login(end_user)
    assert client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN


def test_unknown_users_are_404(admin_client):
    response = admin_client.get("/console/users/nosuchuser00/roles/permissions")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_it_rejects_post(admin_client, subject):
    assert admin_client.post(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
