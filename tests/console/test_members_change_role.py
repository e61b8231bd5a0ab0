"""Change role: admin, editor or viewer; audited old -> new; never your own."""

import re
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission

from audit.models import Log
from tests.factories import EditorFactory, SuperuserFactory, UserFactory, ViewerFactory
from users import staff

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def url(member):
    return f"/console/members/{member.pk}/role"


def test_the_dialog_has_the_current_role_chosen(admin_client):
    editor = EditorFactory()
    body = admin_client.get(url(editor), headers=HTMX).content.decode()
    assert body.lstrip().startswith("<dialog")
    radios = re.findall(r'<input type="radio" name="role"[^>]*>', body)
    assert len(radios) == 3
    checked = [r for r in radios if " checked" in r]
    assert len(checked) == 1 and 'value="editor"' in checked[0]
    assert f'hx-post="/console/members/{editor.pk}/role"' in body


def test_the_dialog_is_a_page_without_javascript(admin_client):
    body = admin_client.get(url(ViewerFactory())).content.decode()
    assert "<html" in body and " open>" in body


def test_it_makes_a_viewer_an_editor_and_audits_old_and_new(admin_client, admin_user):
    viewer = ViewerFactory()
    response = admin_client.post(url(viewer), {"role": "editor"}, headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Refresh"] == "true"
    viewer.refresh_from_db()
    assert staff.role_of(viewer) == staff.EDITOR
    assert list(viewer.groups.values_list("name", flat=True)) == ["Editor"]
    log = Log.objects.get(key="Console.Staff.Role.Update")
    assert log.user == viewer and log.actor == admin_user
    assert log.payload == {"role": {"old": "viewer", "new": "editor"}}


def test_without_htmx_it_redirects_to_the_members(admin_client):
    response = admin_client.post(url(ViewerFactory()), {"role": "editor"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/console/members"


def test_making_an_admin_sets_superuser_and_drops_the_groups(admin_client):
    editor = EditorFactory()
    admin_client.post(url(editor), {"role": "admin"})
    editor.refresh_from_db()
    assert editor.is_superuser and editor.is_staff
    assert not editor.groups.exists()


def test_another_admin_can_be_made_a_viewer(admin_client):
    other = SuperuserFactory()
    admin_client.post(url(other), {"role": "viewer"})
    other.refresh_from_db()
    assert not other.is_superuser and other.is_staff
    assert staff.role_of(other) == staff.VIEWER
    assert not other.has_perm("users.change_user")


def test_a_role_replaces_permissions_given_one_by_one(admin_client):
    custom = UserFactory(is_staff=True)
    custom.user_permissions.add(Permission.objects.get(codename="delete_user"))
    admin_client.post(url(custom), {"role": "viewer"})
    custom.refresh_from_db()
    assert not custom.user_permissions.exists()
    assert not custom.has_perm("users.delete_user")
    assert Log.objects.get(key="Console.Staff.Role.Update").payload["role"]["old"] is None


def test_the_same_role_again_changes_nothing_and_writes_no_log(admin_client):
    viewer = ViewerFactory()
    response = admin_client.post(url(viewer), {"role": "viewer"})
    assert response.status_code == HTTPStatus.FOUND
    assert not Log.objects.filter(key="Console.Staff.Role.Update").exists()


def test_your_own_role_is_refused_with_403_and_the_dialog(admin_client, admin_user):
    SuperuserFactory()  # not the last admin: the refusal is about yourself
    response = admin_client.post(url(admin_user), {"role": "viewer"}, headers=HTMX)
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.content.decode()
    assert body.lstrip().startswith("<dialog") and "You cannot change your own role." in body
    admin_user.refresh_from_db()
    assert admin_user.is_superuser


def test_an_unknown_role_is_a_400(admin_client):
    viewer = ViewerFactory()
    response = admin_client.post(url(viewer), {"role": "root"}, headers=HTMX)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Select a valid choice" in response.content.decode()
    viewer.refresh_from_db()
    assert staff.role_of(viewer) == staff.VIEWER


def test_a_user_who_is_not_a_member_is_a_404(admin_client):
    outsider = UserFactory()
    assert admin_client.get(url(outsider)).status_code == HTTPStatus.NOT_FOUND
    assert admin_client.post(url(outsider), {"role": "admin"}).status_code == HTTPStatus.NOT_FOUND
    outsider.refresh_from_db()
    assert not outsider.is_staff


@pytest.mark.parametrize("user_id", ["%00nul", "x" * 200])
def test_an_id_that_cannot_exist_is_a_404(admin_client, user_id):
    assert admin_client.get(f"/console/members/{user_id}/role").status_code == HTTPStatus.NOT_FOUND
    assert admin_client.post(f"/console/members/{user_id}/remove").status_code == 404
