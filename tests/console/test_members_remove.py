"""Remove access: the member can no longer enter the console and their sessions end now."""

from http import HTTPStatus

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from audit.models import Log
from tests.factories import EditorFactory, SuperuserFactory, ViewerFactory
from users import staff

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def url(member):
    return f"/console/members/{member.pk}/remove"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sessions_of(user) -> int:
    return sum(
        1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_it_asks_first_in_a_dialog(admin_client):
    editor = EditorFactory(name="Eddie")
    response = admin_client.get(url(editor), headers=HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="confirm-dialog"')
    assert "Eddie" in body and "Remove access" in body
    editor.refresh_from_db()
    assert editor.is_staff


def test_the_confirmation_is_a_page_without_javascript(admin_client):
    body = admin_client.get(url(ViewerFactory())).content.decode()
    assert "<html" in body and " open>" in body


def test_it_removes_access_ends_sessions_and_audits(admin_client, admin_user):
    editor = EditorFactory()
    their_browser = signed_in(editor)
    assert their_browser.get("/console/users").status_code == HTTPStatus.OK
    other = signed_in(ViewerFactory())

    response = admin_client.post(url(editor), headers=HTMX)

    assert response.status_code == HTTPStatus.OK
    assert response["HX-Refresh"] == "true"
    editor.refresh_from_db()
    assert not editor.is_staff and not editor.is_superuser
    assert not editor.groups.exists() and editor.staff_since is None
    assert staff.role_of(editor) is None
    assert sessions_of(editor) == 0
    gone = their_browser.get("/console/users")
    assert gone.status_code == HTTPStatus.FOUND and "/console/sign-in" in gone["Location"]
    assert other.get("/console/users").status_code == HTTPStatus.OK  # others stay signed in
    log = Log.objects.get(key="Console.Staff.Remove")
    assert log.user == editor and log.actor == admin_user
    assert log.payload == {"role": {"old": "editor", "new": None}}


def test_the_account_stays_and_can_be_given_access_again(admin_client):
    viewer = ViewerFactory(username="comeback")
    admin_client.post(url(viewer))
    admin_client.post("/console/members/grant", {"identifier": "comeback", "role": "viewer"})
    viewer.refresh_from_db()
    assert staff.role_of(viewer) == staff.VIEWER


def test_without_htmx_it_redirects_to_the_members(admin_client):
    response = admin_client.post(url(ViewerFactory()))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/console/members"


def test_another_admin_can_be_removed(admin_client):
    other = SuperuserFactory()
    admin_client.post(url(other))
    other.refresh_from_db()
    assert not other.is_superuser and not other.is_staff


def test_your_own_access_is_refused_with_403_and_the_dialog(admin_client, admin_user):
    SuperuserFactory()
    response = admin_client.post(url(admin_user), headers=HTMX)
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.content.decode()
    assert body.lstrip().startswith("<dialog") and "You cannot remove your own access." in body
    admin_user.refresh_from_db()
    assert admin_user.is_staff and admin_user.is_superuser
    assert not Log.objects.filter(key="Console.Staff.Remove").exists()


def test_removing_twice_is_a_404_the_second_time(admin_client):
    viewer = ViewerFactory()
    admin_client.post(url(viewer))
    assert admin_client.post(url(viewer)).status_code == HTTPStatus.NOT_FOUND
    assert Log.objects.filter(key="Console.Staff.Remove").count() == 1
