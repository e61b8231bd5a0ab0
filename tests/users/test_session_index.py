"""The session engine keeps each session's user id in an indexed column: written at sign-in,
kept across key rotation, gone at sign-out, and used to end a user's sessions."""

from http import HTTPStatus

import pytest
from django.test import Client

from tests.factories import PASSWORD, SuperuserFactory
from users.models import UserSession
from users.sessions import end_sessions

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post("/console/sign-in", {"username": user.username, "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    return client.session.session_key


def test_signing_in_files_the_session_under_the_user(client, admin_user):
    client.get("/console/sign-in")  # an anonymous session first: sign-in rotates its key
    key = sign_in(client, admin_user)
    row = UserSession.objects.get(session_key=key)
    assert row.user_id == admin_user.pk
    assert UserSession.objects.filter(user_id=admin_user.pk).count() == 1


def test_signing_out_removes_the_session(client, admin_user):
    sign_in(client, admin_user)
    client.post("/console/sign-out")
    assert not UserSession.objects.filter(user_id=admin_user.pk).exists()


def test_ending_a_users_sessions_ends_all_of_theirs_and_only_theirs(admin_user):
    other = SuperuserFactory()
    browsers = [Client(), Client()]
    for browser in browsers:
        sign_in(browser, admin_user)
    sign_in(Client(), other)
    assert end_sessions(admin_user) == 2
    for browser in browsers:
        assert browser.get("/console/users").status_code == HTTPStatus.FOUND
    assert UserSession.objects.filter(user_id=other.pk).count() == 1


def test_an_anonymous_session_belongs_to_nobody(client):
    session = client.session
    session["theme"] = "dark"
    session.save()
    assert UserSession.objects.get(session_key=session.session_key).user_id is None
