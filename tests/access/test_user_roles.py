from http import HTTPStatus

import pytest

from tests.access.factories import RoleFactory, UserRoleFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"
FRAGMENT = {"HX-Request": "true", "HX-Target": "user-roles"}


def url(user):
    return f"/console/users/{user.id}/roles"


def test_it_lists_the_users_roles_with_description_and_type(admin_client, subject):
    UserRoleFactory(user=subject, role=RoleFactory(name="Editor", description="Edits articles"))
    RoleFactory(name="Not theirs")
    response = admin_client.get(url(subject))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<html" in body and 'id="user-roles"' in body
    assert "Editor" in body and "Edits articles" in body and ">User<" in body
    assert "Not theirs" not in body
    assert "1 role" in body
    assert response["Vary"].startswith("HX-Request")


def test_htmx_gets_only_the_table(admin_client, subject):
    UserRoleFactory(user=subject, role=RoleFactory(name="Editor"))
    body = admin_client.get(url(subject), {"search": "edit"}, headers=FRAGMENT).content.decode()
    assert body.lstrip().startswith('<section id="user-roles"')
    assert "<html" not in body
    assert "<mark>Edit</mark>or" in body


def test_search_matches_name_description_and_id_and_every_word(admin_client, subject):
    editor = RoleFactory(name="Editor", description="Writes articles")
    UserRoleFactory(user=subject, role=editor)
    UserRoleFactory(user=subject, role=RoleFactory(name="Billing", description="Pays invoices"))
    for search, found in [
        ("editor", "Editor"),
        ("invoices", "Billing"),
        (editor.id, "Editor"),
        ("writes articles", "Editor"),
    ]:
        body = admin_client.get(url(subject), {"search": search}, headers=FRAGMENT).content.decode()
        assert found in body and "1 role " in body, search
    body = admin_client.get(url(subject), {"search": "editor invoices"}, headers=FRAGMENT)
    assert "No roles match" in body.content.decode()


def test_it_paginates_and_keeps_the_search_in_links(admin_client, subject):
    for n in range(25):
        UserRoleFactory(user=subject, role=RoleFactory(name=f"Team {n:02}"))
    body = admin_client.get(url(subject), {"search": "team", "page_size": 20}).content.decode()
    assert "Team 00" in body and "Team 19" in body and "Team 20" not in body
    assert "?search=team&amp;page_size=20&amp;page=2" in body
    page2 = admin_client.get(url(subject), {"search": "team", "page": 2}).content.decode()
    assert "Team 20" in page2 and "Team 24" in page2 and "Team 19" not in page2


def test_a_page_past_the_end_shows_the_last_page(admin_client, subject):
    UserRoleFactory(user=subject, role=RoleFactory(name="Only"))
    body = admin_client.get(url(subject), {"page": 99}).content.decode()
    assert "Only" in body


@pytest.mark.parametrize(
    "params", [{"page_size": "1000"}, {"page": "0"}, {"page": "x"}, {"search": "a\x00b"}]
)
def test_nonsense_parameters_get_400(admin_client, subject, params):
    response = admin_client.get(url(subject), params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="error"' in response.content.decode()


def test_names_are_escaped(admin_client, subject):
    UserRoleFactory(user=subject, role=RoleFactory(name=XSS, description=XSS))
    for headers in ({}, FRAGMENT):
        body = admin_client.get(url(subject), headers=headers).content.decode()
        assert XSS not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_an_admin_sees_assign_and_remove(admin_client, subject):
    role = RoleFactory(name="Editor")
    UserRoleFactory(user=subject, role=role)
    body = admin_client.get(url(subject)).content.decode()
    assert f'href="/console/users/{subject.id}/roles/assign"' in body
    assert f'href="/console/users/{subject.id}/roles/{role.id}/remove"' in body
    assert f'href="/console/users/{subject.id}/roles/permissions"' in body


def test_a_viewer_reads_but_sees_no_change_buttons(viewer_client, subject):
    UserRoleFactory(user=subject, role=RoleFactory(name="Editor"))
    response = viewer_client.get(url(subject))
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "Editor" in body
    assert "Assign roles" not in body and "/remove" not in body


def test_unknown_users_are_404(admin_client):
    assert admin_client.get("/console/users/nosuchuser00/roles").status_code == HTTPStatus.NOT_FOUND


def test_non_staff_users_are_refused(client, end_user, subject):
    client.force_login(end_user)
    assert client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_are_sent_to_sign_in(client, subject):
    assert client.get(url(subject)).status_code == HTTPStatus.FOUND


def test_staff_without_view_permission_are_refused(client, subject):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN


def test_it_rejects_post(admin_client, subject):
    assert admin_client.post(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
