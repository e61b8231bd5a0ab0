from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import RoleFactory, UserRoleFactory
from tests.factories import UserFactory
from users.models import Role, UserRole

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def role():
    role = RoleFactory(name="Clerk")
    for user in UserFactory.create_batch(3):
        UserRoleFactory(user=user, role=role)
    return role


def url(role):
    return f"/console/roles/{role.id}/delete"


def test_the_dialog_says_it_cascades_to_the_users(admin_client, role):
    body = admin_client.get(url(role), headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="confirm-dialog"')
    assert "removed from 3 users who have it (cascade)" in body
    assert "<html" in admin_client.get(url(role)).content.decode()


def test_deleting_a_role_removes_it_from_its_users_and_audits_it(admin_client, role):
    other = RoleFactory()
    UserRoleFactory(role=other)
    response = admin_client.post(url(role), headers=DIALOG)
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == "/console/roles"
    assert not Role.objects.filter(pk=role.pk).exists()
    assert list(UserRole.objects.values_list("role", flat=True)) == [other.pk]
    log = Log.objects.get(key="Console.Role.Delete")
    assert log.payload["role"]["name"] == "Clerk" and log.payload["removedFromUsers"] == 3


def test_without_javascript_it_redirects_to_the_list(admin_client, role):
    response = admin_client.post(url(role))
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/console/roles"


def test_a_viewer_gets_403(viewer_client, role):
    assert viewer_client.post(url(role)).status_code == HTTPStatus.FORBIDDEN
    assert Role.objects.filter(pk=role.pk).exists()


def test_non_staff_users_are_refused(client, end_user, role):
    client.force_login(end_user)
    assert client.post(url(role)).status_code == HTTPStatus.FORBIDDEN
    assert UserRole.objects.filter(role=role).count() == 3


def test_unknown_roles_are_404(admin_client):
    assert admin_client.post("/console/roles/nosuchrole/delete").status_code == 404
