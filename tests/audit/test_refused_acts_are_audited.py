"""Issue 9: refused acts (403 forbidden, 409 stale or conflicting) are audited, outside the
refused act's rolled-back transaction, so "who tried what" is answerable."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def refusals():
    return list(Log.objects.filter(key="Console.Refused"))


def test_a_viewers_refused_post_is_recorded(viewer_client, viewer, subject):
    response = viewer_client.post(
        f"/console/users/{subject.id}/suspend",
        headers=HX,
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Firefox/140.0",
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    [log] = refusals()
    assert log.result == Log.Result.ERROR
    assert (log.actor_id, log.user_id) == (viewer.pk, subject.pk)
    assert (log.ip, log.user_agent) == ("198.51.100.7", "Firefox/140.0")
    assert log.payload == {
        "status": 403,
        "method": "POST",
        "path": f"/console/users/{subject.id}/suspend",
        "view": "users:suspend",
    }
    subject.refresh_from_db()
    assert not subject.is_suspended


def test_a_self_suspend_refused_by_a_guard_is_recorded(admin_client, admin_user):
    response = admin_client.post(f"/console/users/{admin_user.id}/suspend", headers=HX)
    assert response.status_code == HTTPStatus.FORBIDDEN
    [log] = refusals()
    assert (log.actor_id, log.user_id, log.payload["status"]) == (admin_user.pk, admin_user.pk, 403)
    assert not Log.objects.filter(key="Console.User.Suspend").exists()


def test_a_stale_form_refused_with_409_is_recorded(admin_client, admin_user, subject):
    opened_at = subject.updated_at.isoformat()
    data = {
        "auth-updated_at": opened_at,
        "auth-primary_email": subject.primary_email,
        "auth-primary_phone": subject.primary_phone,
        "auth-username": "first_editor",
    }
    url = f"/console/users/{subject.id}/identifiers"
    admin_client.post(url, data, headers=HX)
    response = admin_client.post(url, {**data, "auth-username": "second_editor"}, headers=HX)
    assert response.status_code == HTTPStatus.CONFLICT
    [log] = refusals()
    assert (log.actor_id, log.user_id) == (admin_user.pk, subject.pk)
    assert (log.payload["status"], log.payload["view"]) == (409, "users:identifiers")


def test_a_refused_change_to_something_other_than_a_user_is_recorded(viewer_client, viewer):
    response = viewer_client.post("/console/roles/new", {"name": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    [log] = refusals()
    assert (log.actor_id, log.user_id, log.payload["view"]) == (viewer.pk, None, "access:role-new")


def test_a_signed_in_non_staff_users_post_is_recorded(client, end_user, subject):
    client.force_login(end_user)
    assert client.post(f"/console/users/{subject.id}/delete").status_code == HTTPStatus.FORBIDDEN
    [log] = refusals()
    assert (log.actor_id, log.user_id) == (end_user.pk, subject.pk)


@pytest.mark.django_db(transaction=True)
def test_the_refusal_outlives_the_rolled_back_act(client):
    admin = SuperuserFactory()
    client.force_login(admin)
    response = client.post(f"/console/users/{admin.id}/delete", {"confirmation": admin.username})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Log.objects.filter(key="Console.Refused", actor=admin).count() == 1
    assert not Log.objects.filter(key="Console.User.Delete").exists()


def test_looking_at_a_page_you_may_not_change_is_not_an_act(viewer_client, subject):
    response = viewer_client.get(f"/console/users/{subject.id}/suspend")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert refusals() == []


def test_invalid_input_is_not_a_refusal(admin_client, subject):
    response = admin_client.post(
        f"/console/users/{subject.id}/identifiers",
        {"auth-updated_at": subject.updated_at.isoformat(), "auth-primary_email": "bad"},
        headers=HX,
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert refusals() == []


def test_an_anonymous_post_is_sent_to_sign_in_and_not_recorded(client, subject):
    assert client.post(f"/console/users/{subject.id}/suspend").status_code == HTTPStatus.FOUND
    assert refusals() == []


def test_a_user_id_that_cannot_exist_is_recorded_without_a_user(viewer_client):
    response = viewer_client.post("/console/users/no%00such-user-id-at-all/suspend")
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.NOT_FOUND)
    assert all(log.user_id is None for log in refusals())


def test_the_refusal_row_has_a_readable_title():
    from audit.keys import title

    assert title("Console.Refused") == "Refused admin act"
