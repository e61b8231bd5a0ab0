from http import HTTPStatus

import pytest
from django.contrib.auth import authenticate

from audit.models import Log
from audit.recorder import Origin
from tests.factories import PASSWORD, SuperuserFactory
from users import services, tokens

pytestmark = pytest.mark.django_db


def test_get_asks_for_confirmation(admin_client, subject, htmx_dialog):
    body = admin_client.get(
        f"/console/users/{subject.id}/suspend", headers=htmx_dialog
    ).content.decode()
    assert "Suspend user" in body and "Ann Lee" in body
    subject.refresh_from_db()
    assert not subject.is_suspended


def test_suspending_locks_the_user_out_of_every_path(admin_client, subject, htmx_dialog):
    token = services.create_personal_access_token(subject, origin=Origin("Console"), name="ci")
    response = admin_client.post(f"/console/users/{subject.id}/suspend", headers=htmx_dialog)
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    subject.refresh_from_db()
    assert subject.is_suspended
    assert authenticate(username="ann_lee", password="users-own-password-1") is None
    assert tokens.user_for_personal_access_token(token.value) is None
    assert Log.objects.filter(key="Console.User.Suspend", user_ref=subject.id).count() == 1


def test_a_suspended_admins_session_stops_working(client):
    admin = SuperuserFactory()
    SuperuserFactory()  # not the last superuser
    client.force_login(admin)
    services.suspend_user(admin, origin=Origin("System"))
    assert client.get("/console/users").status_code == HTTPStatus.FOUND


def test_reactivating_lets_the_user_back_in(admin_client, subject):
    services.suspend_user(subject, origin=Origin("Console"))
    response = admin_client.post(f"/console/users/{subject.id}/reactivate")
    assert response.status_code == HTTPStatus.FOUND
    subject.refresh_from_db()
    assert not subject.is_suspended
    assert authenticate(username="ann_lee", password="users-own-password-1") == subject
    assert "User reactivated." in admin_client.get(response["Location"]).content.decode()


def test_suspending_twice_is_one_act(admin_client, subject):
    admin_client.post(f"/console/users/{subject.id}/suspend")
    admin_client.post(f"/console/users/{subject.id}/suspend")
    assert Log.objects.filter(key="Console.User.Suspend").count() == 1


def test_an_admin_cannot_suspend_themselves(admin_client, admin_user, htmx_dialog):
    response = admin_client.post(f"/console/users/{admin_user.id}/suspend", headers=htmx_dialog)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "cannot suspend your own account" in response.content.decode()
    admin_user.refresh_from_db()
    assert not admin_user.is_suspended


def test_the_last_active_superuser_cannot_be_suspended():
    from users.errors import GuardError

    only = SuperuserFactory()
    with pytest.raises(GuardError):
        services.suspend_user(only, origin=Origin("System"))


def test_a_viewer_gets_403(viewer_client, subject):
    assert (
        viewer_client.post(f"/console/users/{subject.id}/suspend").status_code
        == HTTPStatus.FORBIDDEN
    )
    subject.refresh_from_db()
    assert not subject.is_suspended


def test_suspended_users_cannot_sign_in_to_the_console(client):
    admin = SuperuserFactory(is_suspended=True)
    response = client.post("/console/sign-in", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "_auth_user_id" not in client.session
