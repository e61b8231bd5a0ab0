"""Add member: a new account with a role and a one-time password, or console access for an
existing user."""

import logging
from http import HTTPStatus

import pytest

from audit.models import Log
from tests.factories import UserFactory, ViewerFactory
from users import staff
from users.models import User

pytestmark = pytest.mark.django_db

NEW = "/console/members/new"
GRANT = "/console/members/grant"
HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def password_in(body: str) -> str:
    start = body.index('id="cred-password">') + len('id="cred-password">')
    return body[start : body.index("</code>", start)]


def test_the_add_member_dialog_is_a_fragment_for_htmx(admin_client):
    body = admin_client.get(NEW, headers=HTMX).content.decode()
    assert body.lstrip().startswith('<dialog class="modal" id="form-dialog"')
    assert "<html" not in body
    assert 'name="role" value="viewer"' in body and "checked" in body


def test_the_add_member_dialog_is_a_page_without_javascript(admin_client):
    body = admin_client.get(NEW).content.decode()
    assert "<html" in body and " open>" in body and 'action="/console/members/new"' in body


def test_it_creates_a_viewer_and_shows_the_password_once(admin_client, admin_user, caplog):
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(
        NEW, {"primary_email": "Vic@Example.com", "name": "Vic", "role": "viewer"}, headers=HTMX
    )

    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Member added" in body and 'hx-history="false"' in body
    password = password_in(body)
    member = User.objects.get(primary_email="Vic@example.com")
    assert member.check_password(password)
    assert member.is_staff and not member.is_superuser
    assert staff.role_of(member) == staff.VIEWER
    assert member.staff_since is not None
    assert member.has_perm("users.view_user") and not member.has_perm("users.change_user")
    log = Log.objects.get(key="Console.Staff.Add")
    assert log.user == member and log.actor == admin_user
    assert log.payload == {"role": {"old": None, "new": "viewer"}, "newAccount": True}
    assert password not in caplog.text
    assert password not in str(dict(admin_client.session))
    assert password not in admin_client.get("/console/members").content.decode()


@pytest.mark.parametrize(
    ("role", "superuser", "can_change_users"),
    [("viewer", False, False), ("editor", False, True), ("admin", True, True)],
)
def test_each_role_gets_its_powers(admin_client, role, superuser, can_change_users):
    admin_client.post(NEW, {"username": f"new_{role}", "role": role}, headers=HTMX)
    member = User.objects.get(username=f"new_{role}")
    assert member.is_staff
    assert member.is_superuser is superuser
    assert member.has_perm("users.change_user") is can_change_users
    assert member.has_perm("users.change_role") is superuser
    assert staff.role_of(member) == role


def test_the_result_reloads_the_member_table_and_done_returns_to_it(admin_client):
    body = admin_client.post(NEW, {"username": "doner", "role": "viewer"}, headers=HTMX)
    body = body.content.decode()
    assert 'data-refresh-on-close="membersChanged"' in body
    assert 'href="/console/members" data-close-dialog>Done' in body


def test_without_htmx_the_result_is_a_whole_page(admin_client):
    body = admin_client.post(NEW, {"username": "plain", "role": "editor"}).content.decode()
    assert "<html" in body and "Member added" in body and "plain" in body


def test_a_taken_email_is_a_409_with_the_dialog_and_creates_nothing(admin_client):
    UserFactory(primary_email="taken@example.com")
    response = admin_client.post(
        NEW, {"primary_email": "TAKEN@example.com", "role": "viewer"}, headers=HTMX
    )
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert body.lstrip().startswith("<dialog") and "This email is already in use." in body
    assert User.objects.filter(is_staff=True).count() == 1
    assert not Log.objects.filter(key="Console.Staff.Add").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Nobody", "role": "viewer"}, "Enter an email or a username"),
        ({"username": "9lives", "role": "viewer"}, "Use letters, digits and underscores"),
        ({"username": "fine_name", "role": "owner"}, "Select a valid choice"),
        ({"username": "fine_name"}, "This field is required."),
    ],
)
def test_invalid_input_is_a_400_with_the_dialog_and_creates_nothing(admin_client, data, message):
    response = admin_client.post(NEW, data, headers=HTMX)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_it_rejects_other_methods(admin_client):
    assert admin_client.put(NEW).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- An existing user ------------------------------------------------------------------------


def test_it_gives_an_existing_user_access_with_their_own_password(admin_client, admin_user):
    user = UserFactory(username="kim", primary_email="kim@example.com", password="kims-own-pw-1")
    old_hash = user.password

    response = admin_client.post(
        GRANT, {"identifier": "KIM@example.com", "role": "editor"}, headers=HTMX
    )

    assert response.status_code == HTTPStatus.OK
    assert response["HX-Refresh"] == "true"
    user.refresh_from_db()
    assert user.is_staff and staff.role_of(user) == staff.EDITOR
    assert user.password == old_hash
    log = Log.objects.get(key="Console.Staff.Add")
    assert log.user == user and log.actor == admin_user
    assert log.payload == {"role": {"old": None, "new": "editor"}, "newAccount": False}
    page = admin_client.get("/console/members").content.decode()
    assert "kim@example.com is now a console editor." in page


def test_without_htmx_giving_access_redirects_to_the_members(admin_client):
    UserFactory(username="plain_kim")
    response = admin_client.post(GRANT, {"identifier": "plain_kim", "role": "viewer"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/console/members"


def test_a_user_without_a_password_is_pointed_at_reset_password(admin_client):
    UserFactory(username="nopass")  # the factory leaves the password unusable
    admin_client.post(GRANT, {"identifier": "nopass", "role": "viewer"})
    page = admin_client.get("/console/members").content.decode()
    assert "They have no password yet" in page


def test_an_unknown_identifier_is_a_400(admin_client):
    response = admin_client.post(GRANT, {"identifier": "ghost", "role": "viewer"}, headers=HTMX)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "No user has this email or username." in response.content.decode()


def test_an_existing_member_is_a_409_and_keeps_their_role(admin_client):
    viewer = ViewerFactory(username="already")
    response = admin_client.post(GRANT, {"identifier": "already", "role": "admin"}, headers=HTMX)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "console member already" in response.content.decode()
    viewer.refresh_from_db()
    assert staff.role_of(viewer) == staff.VIEWER


def test_the_grant_dialog_is_a_fragment_for_htmx_and_a_page_without(admin_client):
    fragment = admin_client.get(GRANT, headers=HTMX).content.decode()
    assert fragment.lstrip().startswith("<dialog") and "Email or username" in fragment
    assert "<html" in admin_client.get(GRANT).content.decode()
