"""The Members page: console staff with their role, last sign-in and when they were added."""

import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.factories import EditorFactory, SuperuserFactory, UserFactory, ViewerFactory

pytestmark = pytest.mark.django_db

URL = "/console/members"
HTMX = {"HX-Request": "true", "HX-Target": "member-table"}


def row(body: str, user) -> str:
    start = body.index(f'data-member="{user.pk}"')
    return body[start : body.index("</tr>", start)]


def test_it_lists_every_member_with_their_role(admin_client, admin_user):
    editor = EditorFactory(name="Eddie Editor")
    viewer = ViewerFactory(name="Vera Viewer")
    custom = UserFactory(name="Cora Custom", is_staff=True)
    outsider = UserFactory(name="Olly Outsider")

    body = admin_client.get(URL).content.decode()

    assert '<td class="role">Admin</td>' in row(body, admin_user)
    assert '<td class="role">Editor</td>' in row(body, editor)
    assert '<td class="role">Viewer</td>' in row(body, viewer)
    assert "Custom" in row(body, custom)
    assert "Olly Outsider" not in body and outsider.pk not in body
    assert "4 members" in body


def test_it_shows_last_sign_in_and_a_dash_for_a_member_who_never_signed_in(admin_client):
    signed_in = ViewerFactory(last_login=timezone.now() - datetime.timedelta(hours=3))
    never = ViewerFactory(last_login=None)

    body = admin_client.get(URL).content.decode()

    assert "3\xa0hours ago" in row(body, signed_in)
    cells = row(body, never).split("<td>")
    assert cells[2].startswith("—")  # last sign-in
    assert "<time" in cells[3]  # added


def test_added_is_when_they_became_a_member(admin_client):
    since = timezone.now() - datetime.timedelta(days=2)
    member = ViewerFactory(staff_since=since, created_at=since - datetime.timedelta(days=300))
    body = admin_client.get(URL).content.decode()
    assert since.strftime("%Y-%m-%d %H:%M:%S UTC") in row(body, member)


def test_the_page_has_the_add_buttons_and_row_actions_but_none_on_your_own_row(
    admin_client, admin_user
):
    other = SuperuserFactory()
    body = admin_client.get(URL).content.decode()
    assert 'href="/console/members/new"' in body
    assert 'href="/console/members/grant"' in body
    assert f'href="/console/members/{other.pk}/role"' in row(body, other)
    assert f'href="/console/members/{other.pk}/remove"' in row(body, other)
    assert "/role" not in row(body, admin_user) and "/remove" not in row(body, admin_user)
    assert ">You<" in row(body, admin_user)


def test_a_plain_request_gets_the_whole_page(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "<html" in body and 'id="member-table"' in body
    assert 'aria-current="page">Members</a>' in body


def test_htmx_gets_only_the_table(admin_client):
    response = admin_client.get(URL, headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="member-table"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_the_table_reloads_when_a_dialog_changed_members(admin_client):
    body = admin_client.get(URL).content.decode()
    assert 'hx-trigger="membersChanged from:body"' in body


def test_the_nav_shows_members_to_superusers_only(client, admin_client):
    assert 'href="/console/members"' in admin_client.get("/console/users").content.decode()
    for persona in (ViewerFactory(), EditorFactory()):
        client.force_login(persona)
        assert 'href="/console/members"' not in client.get("/console/users").content.decode()


def test_it_rejects_post(admin_client):
    assert admin_client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/console/sign-in")


def test_a_history_restore_gets_the_whole_page(admin_client):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    body = admin_client.get(URL, headers=headers).content.decode()
    assert "<html" in body and 'id="member-table"' in body
