from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import RoleFactory, ScopeFactory
from users.models import Role

pytestmark = pytest.mark.django_db

URL = "/console/roles/new"
DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def test_the_dialog_offers_every_permission_grouped_by_api(admin_client):
    scope = ScopeFactory(name="read:orders", resource__name="Orders API")
    body = admin_client.get(URL, headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="form-dialog"')
    assert "Orders API" in body and f'value="{scope.id}"' in body
    assert "Machine-to-machine" in body


def test_it_is_a_page_without_htmx(admin_client):
    body = admin_client.get(URL).content.decode()
    assert "<html" in body and " open>" in body


def test_it_creates_the_role_with_permissions_and_opens_it(admin_client, admin_user):
    read, write = ScopeFactory(name="read:orders"), ScopeFactory(name="write:orders")
    response = admin_client.post(
        URL,
        {"name": " Editor ", "description": "Edits", "type": "User", "scopes": [read.id, write.id]},
        headers=DIALOG,
    )
    role = Role.objects.get(name="Editor")
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == f"/console/roles/{role.id}"
    assert role.type == "User" and set(role.scopes.all()) == {read, write}
    assert len(role.id) == 21 and role.id.isalnum() and role.id.lower() == role.id
    log = Log.objects.get(key="Console.Role.Create")
    assert log.actor == admin_user
    assert log.payload["role"]["name"] == "Editor"
    assert {s["name"] for s in log.payload["scopes"]} == {"read:orders", "write:orders"}


def test_without_javascript_it_redirects_to_the_role(admin_client):
    response = admin_client.post(URL, {"name": "Robot", "type": "MachineToMachine"})
    role = Role.objects.get(name="Robot")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/roles/{role.id}"
    assert role.type == "MachineToMachine"


def test_a_duplicate_name_in_any_case_is_refused(admin_client):
    RoleFactory(name="Editor")
    response = admin_client.post(URL, {"name": "EDITOR", "type": "User"}, headers=DIALOG)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "A role with this name already exists." in response.content.decode()
    assert Role.objects.count() == 1
    assert not Log.objects.exclude(key="Console.Refused").exists()  # the refusal itself is audited


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "type": "User"},
        {"name": "   ", "type": "User"},
        {"name": "x" * 129, "type": "User"},
        {"name": "Ok", "type": "Admin"},
        {"name": "Ok", "type": "User", "scopes": ["nosuchscope"]},
        {"name": "a\x00b", "type": "User"},
    ],
)
def test_invalid_input_is_refused_and_creates_nothing(admin_client, data):
    response = admin_client.post(URL, data, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error"' in response.content.decode()
    assert not Role.objects.exists()


def test_a_viewer_gets_403(viewer_client):
    assert viewer_client.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert viewer_client.post(URL, {"name": "X", "type": "User"}).status_code == 403
    assert not Role.objects.exists()


def test_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.post(URL, {"name": "X", "type": "User"}).status_code == HTTPStatus.FORBIDDEN
    assert not Role.objects.exists()


def test_it_rejects_put(admin_client):
    assert admin_client.put(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
