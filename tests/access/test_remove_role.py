from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import RoleFactory, UserRoleFactory
from users.models import UserRole

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def editor(subject):
    role = RoleFactory(name="Editor")
    UserRoleFactory(user=subject, role=role)
    return role


def url(user, role):
    return f"/console/users/{user.id}/roles/{role.id}/remove"


def test_it_asks_for_confirmation_in_a_dialog(admin_client, subject, editor):
    body = admin_client.get(url(subject, editor), headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="confirm-dialog"')
    assert "Remove the role “Editor” from this user?" in body
    assert UserRole.objects.filter(user=subject).exists()


def test_the_confirmation_is_a_page_without_htmx(admin_client, subject, editor):
    body = admin_client.get(url(subject, editor)).content.decode()
    assert "<html" in body and " open>" in body and "Remove role" in body


def test_it_removes_the_role_and_audits_it(admin_client, admin_user, subject, editor):
    other = RoleFactory(name="Billing")
    UserRoleFactory(user=subject, role=other)
    response = admin_client.post(url(subject, editor), headers=DIALOG)
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    assert list(UserRole.objects.filter(user=subject).values_list("role", flat=True)) == [other.pk]
    log = Log.objects.get(key="Console.User.Roles.Remove")
    assert log.user == subject and log.actor == admin_user
    assert log.payload == {"removed": {"id": editor.pk, "name": "Editor"}}


def test_without_javascript_it_redirects_to_the_tab(admin_client, subject, editor):
    response = admin_client.post(url(subject, editor))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/users/{subject.id}/roles"


def test_a_role_the_user_does_not_have_is_404(admin_client, subject):
    role = RoleFactory()
    assert admin_client.post(url(subject, role)).status_code == HTTPStatus.NOT_FOUND
    response = admin_client.post(f"/console/users/{subject.id}/roles/nosuchrole/remove")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_removing_twice_is_harmless(admin_client, subject, editor):
    admin_client.post(url(subject, editor))
    assert admin_client.post(url(subject, editor)).status_code == HTTPStatus.NOT_FOUND
    assert Log.objects.filter(key="Console.User.Roles.Remove").count() == 1


def test_a_viewer_gets_403_and_nothing_changes(viewer_client, subject, editor):
    assert viewer_client.get(url(subject, editor)).status_code == HTTPStatus.FORBIDDEN
    assert viewer_client.post(url(subject, editor)).status_code == HTTPStatus.FORBIDDEN
    assert UserRole.objects.filter(user=subject, role=editor).exists()


def test_non_staff_users_are_refused(client, end_user, subject, editor):
    client.force_login(end_user)
    assert client.post(url(subject, editor)).status_code == HTTPStatus.FORBIDDEN
    assert UserRole.objects.filter(user=subject, role=editor).exists()


def test_it_rejects_put(admin_client, subject, editor):
    assert admin_client.put(url(subject, editor)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
