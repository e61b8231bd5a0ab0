from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import RoleFactory, ScopeFactory

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def scopes():
    return ScopeFactory(name="read:orders"), ScopeFactory(name="write:orders")


@pytest.fixture
def role(scopes):
    return RoleFactory(name="Clerk", description="Front desk", scopes=[scopes[0]])


def url(role):
    return f"/console/roles/{role.id}/edit"


def test_the_dialog_is_filled_in(admin_client, role, scopes):
    body = admin_client.get(url(role), headers=DIALOG).content.decode()
    assert 'value="Clerk"' in body and 'value="Front desk"' in body
    assert f'value="{scopes[0].id}" id="scope-{scopes[0].id}" checked' in body
    assert f'value="{scopes[1].id}" id="scope-{scopes[1].id}">' in body
    assert 'name="type"' not in body  # fixed once created


def test_it_saves_and_audits_old_and_new(admin_client, role, scopes):
    response = admin_client.post(
        url(role),
        {"name": "Senior clerk", "description": "Front desk", "scopes": [scopes[1].id]},
        headers=DIALOG,
    )
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    role.refresh_from_db()
    assert role.name == "Senior clerk" and list(role.scopes.all()) == [scopes[1]]
    changes = Log.objects.get(key="Console.Role.Update").payload["changes"]
    assert changes["name"] == {"old": "Clerk", "new": "Senior clerk"}
    assert [s["name"] for s in changes["scopes"]["old"]] == ["read:orders"]
    assert [s["name"] for s in changes["scopes"]["new"]] == ["write:orders"]
    assert "description" not in changes


def test_saving_without_changes_writes_no_audit_row(admin_client, role, scopes):
    admin_client.post(
        url(role), {"name": "Clerk", "description": "Front desk", "scopes": [scopes[0].id]}
    )
    assert not Log.objects.exists()


def test_a_type_in_the_post_is_ignored(admin_client, role):
    admin_client.post(url(role), {"name": "Clerk", "type": "MachineToMachine"})
    role.refresh_from_db()
    assert role.type == "User"


def test_a_name_taken_by_another_role_is_refused(admin_client, role):
    RoleFactory(name="Manager")
    response = admin_client.post(url(role), {"name": "manager"}, headers=DIALOG)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "already exists" in response.content.decode()
    role.refresh_from_db()
    assert role.name == "Clerk"


def test_without_javascript_it_redirects_to_the_role(admin_client, role):
    response = admin_client.post(url(role), {"name": "Clerk 2"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/roles/{role.id}"


def test_a_viewer_gets_403(viewer_client, role):
    assert viewer_client.post(url(role), {"name": "Hacked"}).status_code == HTTPStatus.FORBIDDEN
    role.refresh_from_db()
    assert role.name == "Clerk"


def test_non_staff_users_are_refused(client, end_user, role):
    client.force_login(end_user)
    assert client.get(url(role)).status_code == HTTPStatus.FORBIDDEN


def test_unknown_roles_are_404(admin_client):
    assert admin_client.get("/console/roles/nosuchrole/edit").status_code == HTTPStatus.NOT_FOUND
