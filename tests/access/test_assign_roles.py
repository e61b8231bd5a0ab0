import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from audit.models import Log
from tests.access.factories import MachineRoleFactory, RoleFactory, UserRoleFactory
from tests.factories import SuperuserFactory, UserFactory
from users.models import UserRole

pytestmark = pytest.mark.django_db

DIALOG = {"HX-Request": "true", "HX-Target": "dialog-slot"}
CHOICES = {"HX-Request": "true", "HX-Target": "role-choices"}


def url(user):
    return f"/console/users/{user.id}/roles/assign"


def roles_of(user):
    return set(UserRole.objects.filter(user=user).values_list("role__name", flat=True))


def test_the_dialog_offers_only_user_roles_the_user_lacks(admin_client, subject):
    UserRoleFactory(user=subject, role=RoleFactory(name="Already"))
    RoleFactory(name="Editor")
    MachineRoleFactory(name="Robot")
    body = admin_client.get(url(subject), headers=DIALOG).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="assign-roles"')
    assert "<html" not in body
    assert "Editor" in body
    assert "Already" not in body and "Robot" not in body


def test_it_is_a_page_without_htmx(admin_client, subject):
    RoleFactory(name="Editor")
    body = admin_client.get(url(subject)).content.decode()
    assert "<html" in body and 'id="assign-roles"' in body and " open>" in body


def test_searching_narrows_the_choices_and_keeps_the_ticked_ones(admin_client, subject):
    editor = RoleFactory(name="Editor")
    RoleFactory(name="Billing")
    RoleFactory(name="Support")
    response = admin_client.get(
        url(subject), {"search": "bill", "roles": [editor.id]}, headers=CHOICES
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<fieldset id="role-choices"')
    assert "Billing" in body and "Support" not in body
    assert f'value="{editor.id}" id="assign-{editor.id}" checked' in body


def test_it_assigns_the_ticked_roles_and_reloads_the_tab(admin_client, admin_user, subject):
    editor, billing = RoleFactory(name="Editor"), RoleFactory(name="Billing")
    response = admin_client.post(url(subject), {"roles": [editor.id, billing.id]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Refresh"] == "true"
    assert roles_of(subject) == {"Editor", "Billing"}
    log = Log.objects.get(key="Console.User.Roles.Assign")
    assert log.user == subject and log.actor == admin_user
    assert {r["name"] for r in log.payload["added"]} == {"Editor", "Billing"}
    assert log.payload["roleCount"] == {"old": 0, "new": 2}
    page = admin_client.get(f"/console/users/{subject.id}/roles").content.decode()
    assert "Assigned 2 roles." in page


def test_without_javascript_it_redirects_to_the_tab(admin_client, subject):
    editor = RoleFactory(name="Editor")
    response = admin_client.post(url(subject), {"roles": [editor.id]})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/users/{subject.id}/roles"


def test_assigning_a_role_twice_keeps_one_row_and_one_audit_entry(admin_client, subject):
    editor = RoleFactory(name="Editor")
    for _ in range(2):
        admin_client.post(url(subject), {"roles": [editor.id, editor.id]}, headers=DIALOG)
    assert UserRole.objects.filter(user=subject, role=editor).count() == 1
    assert Log.objects.filter(key="Console.User.Roles.Assign").count() == 1


def test_a_machine_to_machine_role_is_refused_and_nothing_changes(admin_client, subject):
    editor, robot = RoleFactory(name="Editor"), MachineRoleFactory(name="Robot")
    response = admin_client.post(url(subject), {"roles": [editor.id, robot.id]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert "machine-to-machine role: only user roles can be given to users" in body
    assert body.lstrip().startswith('<dialog class="modal" id="assign-roles"')
    assert roles_of(subject) == set()
    assert not Log.objects.filter(key="Console.User.Roles.Assign").exists()


@pytest.mark.parametrize("role_id", ["nosuchrole0000000000x", "a\x00b", "x" * 300, "../etc"])
def test_unknown_role_ids_are_refused_and_nothing_changes(admin_client, subject, role_id):
    editor = RoleFactory(name="Editor")
    response = admin_client.post(url(subject), {"roles": [editor.id, role_id]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Select a valid choice" in response.content.decode()
    assert roles_of(subject) == set()


def test_choosing_nothing_is_an_error(admin_client, subject):
    response = admin_client.post(url(subject), {}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose at least one role." in response.content.decode()


def test_nonsense_search_parameters_get_400(admin_client, subject):
    response = admin_client.get(url(subject), {"search": "x" * 300}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_unknown_users_are_404(admin_client):
    response = admin_client.post("/console/users/nosuchuser00/roles/assign", {"roles": []})
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_viewer_gets_403_and_nothing_changes(viewer_client, subject):
    editor = RoleFactory(name="Editor")
    assert viewer_client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN
    response = viewer_client.post(url(subject), {"roles": [editor.id]})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert roles_of(subject) == set()


def test_non_staff_users_are_refused(client, end_user, subject):
    editor = RoleFactory(name="Editor")
    client.force_login(end_user)
    assert client.post(url(subject), {"roles": [editor.id]}).status_code == HTTPStatus.FORBIDDEN
    assert roles_of(subject) == set()


def test_only_a_superuser_may_change_a_staff_accounts_roles(client, subject):
    from django.contrib.auth.models import Permission

    admin = UserFactory(is_staff=True)
    admin.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    staff = UserFactory(is_staff=True)
    editor = RoleFactory(name="Editor")
    client.force_login(admin)
    response = client.post(url(staff), {"roles": [editor.id]}, headers=DIALOG)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only a superuser" in response.content.decode()
    assert roles_of(staff) == set()
    assert client.post(url(subject), {"roles": [editor.id]}, headers=DIALOG).status_code == 200


def test_it_rejects_put(admin_client, subject):
    assert admin_client.put(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_assignments_of_one_role_leave_one_row_and_no_5xx():
    admin, subject, editor = SuperuserFactory(), UserFactory(), RoleFactory(name="Editor")
    signed_in = Client()
    signed_in.force_login(admin)
    cookies = signed_in.cookies
    statuses, errors = [], []
    barrier = threading.Barrier(20)

    def assign():
        client = Client()
        client.cookies = cookies
        try:
            barrier.wait()
            response = client.post(url(subject), {"roles": [editor.id]}, headers=DIALOG)
            statuses.append(response.status_code)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert statuses == [HTTPStatus.OK] * 20
    assert UserRole.objects.filter(user=subject, role=editor).count() == 1
    assert Log.objects.filter(key="Console.User.Roles.Assign").count() == 1


def test_absurd_numbers_of_ids_are_refused(admin_client, subject):
    ids = [f"role{n:017d}" for n in range(501)]
    response = admin_client.post(url(subject), {"roles": ids}, headers=DIALOG)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose at most 500 at once." in response.content.decode()
