from http import HTTPStatus

import pytest

from tests.access.factories import MachineRoleFactory, RoleFactory, ScopeFactory, UserRoleFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/console/roles"
FRAGMENT = {"HX-Request": "true", "HX-Target": "role-table"}
XSS = "<img src=x onerror=alert(1)>"


def test_it_lists_roles_with_type_and_counts(admin_client):
    editor = RoleFactory(
        name="Editor", description="Edits", scopes=[ScopeFactory(), ScopeFactory()]
    )
    for user in UserFactory.create_batch(3):
        UserRoleFactory(user=user, role=editor)
    MachineRoleFactory(name="Robot")
    response = admin_client.get(URL)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" in body
    assert "Editor" in body and "Robot" in body and "Machine-to-machine" in body
    row = body[body.index("Editor") : body.index("</tr>", body.index("Editor"))]
    assert "<td>2</td>" in row and "<td>3</td>" in row
    assert f'href="/console/roles/{editor.id}"' in body
    assert 'aria-current="page">Roles' in body


def test_user_counts_stop_at_the_cap(admin_client, monkeypatch):
    monkeypatch.setattr("users.access.search.COUNT_CAP", 2)
    role = RoleFactory(name="Popular")
    for user in UserFactory.create_batch(5):
        UserRoleFactory(user=user, role=role)
    row = admin_client.get(URL).content.decode().split("Popular", 1)[1]
    assert "<td>2+</td>" in row.split("</tr>")[0]
    detail = admin_client.get(f"/console/roles/{role.id}").content.decode()
    assert "2+ users" in detail


def test_htmx_gets_the_table_and_search_highlights(admin_client):
    RoleFactory(name="Editor")
    RoleFactory(name="Billing")
    body = admin_client.get(URL, {"search": "edi"}, headers=FRAGMENT).content.decode()
    assert body.lstrip().startswith('<section id="role-table"')
    assert "<mark>Edi</mark>tor" in body and "Billing" not in body and "1 role " in body


def test_it_paginates(admin_client):
    RoleFactory.create_batch(21)
    body = admin_client.get(URL, {"page": 2}).content.decode()
    assert "21–21 of 21" in body


def test_names_are_escaped(admin_client):
    RoleFactory(name=XSS, description=XSS)
    for headers in ({}, FRAGMENT):
        assert XSS not in admin_client.get(URL, headers=headers).content.decode()


def test_a_viewer_sees_the_list_without_create(viewer_client):
    RoleFactory(name="Editor")
    body = viewer_client.get(URL).content.decode()
    assert "Editor" in body and "Create role" not in body


def test_an_admin_sees_create(admin_client):
    assert 'href="/console/roles/new"' in admin_client.get(URL).content.decode()


def test_nonsense_parameters_get_400(admin_client):
    assert admin_client.get(URL, {"page": "-1"}).status_code == HTTPStatus.BAD_REQUEST


def test_non_staff_users_are_refused(client, end_user):
    client.force_login(end_user)
    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_it_rejects_post(admin_client):
    assert admin_client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED
