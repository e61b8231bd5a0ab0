from http import HTTPStatus

import pytest

from tests.access.factories import RoleFactory, ScopeFactory, UserRoleFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_role_its_permissions_and_users(admin_client):
    scope = ScopeFactory(name="read:orders", resource__name="Orders API")
    role = RoleFactory(name="Clerk", description="Front desk", scopes=[scope])
    UserRoleFactory(role=role)
    response = admin_client.get(f"/console/roles/{role.id}")
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Clerk" in body and "Front desk" in body and "Orders API" in body
    assert "read:orders" in body and "1 user" in body
    assert f"/console/roles/{role.id}/edit" in body and f"/console/roles/{role.id}/delete" in body


def test_a_viewer_sees_no_change_buttons(viewer_client):
    role = RoleFactory()
    body = viewer_client.get(f"/console/roles/{role.id}").content.decode()
    assert "/edit" not in body and "/delete" not in body


def test_unknown_roles_are_404(admin_client):
    assert admin_client.get("/console/roles/nosuchrole").status_code == HTTPStatus.NOT_FOUND


def test_non_staff_users_are_refused(client, end_user):
    role = RoleFactory()
    client.force_login(end_user)
    assert client.get(f"/console/roles/{role.id}").status_code == HTTPStatus.FORBIDDEN
