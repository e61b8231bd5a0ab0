"""GET/DELETE /api/users/:id/sessions and /grants (spec §6.14), and POST .../lock-down."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.models import Log
from signin import sessions
from tests.factories import ApplicationFactory, SuperuserFactory, UserFactory
from tests.signin.session_helpers import browser_request, give_grant, sign_in_browser


@pytest.fixture
def user(db):
    return UserFactory(username="sam", password="Old-password-99!")


@pytest.fixture
def browser_session(user):
    client = Client()
    row = sign_in_browser(client, user, application=ApplicationFactory(name="Notes"))
    return client, row


@pytest.fixture
def grant(user):
    row, _, _ = give_grant(user, ApplicationFactory(name="Recipes"))
    return row


def test_list_sessions_answers_logtos_shape(api, user, browser_session, grant):
    _, row = browser_session
    response = api.get(f"/api/users/{user.pk}/sessions")
    assert response.status_code == HTTPStatus.OK
    [session] = response.json()["sessions"]
    assert session["id"] == row.pk and session["accountId"] == user.pk
    assert session["clientId"] == row.application.client_id
    assert session["payload"]["ip"] == "203.0.113.7" and session["payload"]["kind"] == "Session"
    assert session["lastSubmission"] is None and isinstance(session["expiresAt"], int)
    assert row.session_key not in response.content.decode()


def test_get_one_session(api, user, browser_session):
    _, row = browser_session
    response = api.get(f"/api/users/{user.pk}/sessions/{row.pk}")
    assert response.status_code == HTTPStatus.OK and response.json()["id"] == row.pk


def test_an_unknown_session_is_404_session_not_found(api, user, grant):
    for session_id in ("nosuchsession", grant.pk):  # a grant is not a session
        response = api.get(f"/api/users/{user.pk}/sessions/{session_id}")
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["code"] == "oidc.session_not_found"


def test_another_users_session_is_404(api, browser_session):
    _, row = browser_session
    other = UserFactory()
    response = api.delete(f"/api/users/{other.pk}/sessions/{row.pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert sessions.list_sessions(row.user) != []


def test_delete_session_signs_the_browser_out_and_keeps_grants(api, user, browser_session, grant):
    client, row = browser_session
    response = api.delete(f"/api/users/{user.pk}/sessions/{row.pk}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert sessions.touch_session(browser_request(client)) is None
    assert [r.pk for r in sessions.list_sessions(user)] == [grant.pk]
    assert Log.objects.filter(key="ManagementApi.User.Session.Revoke").count() == 1


def test_delete_session_can_revoke_all_grants(api, user, browser_session, grant):
    _, row = browser_session
    response = api.delete(f"/api/users/{user.pk}/sessions/{row.pk}?revokeGrantsTarget=all")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert sessions.list_sessions(user) == []


def test_revoke_grants_target_is_checked(api, user, browser_session):
    _, row = browser_session
    response = api.delete(f"/api/users/{user.pk}/sessions/{row.pk}?revokeGrantsTarget=some")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert sessions.list_sessions(user) != []


def test_delete_all_sessions_is_a_gatehouse_extension(api, user, browser_session, grant):
    response = api.delete(f"/api/users/{user.pk}/sessions")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert sessions.list_sessions(user) == []
    assert Log.objects.filter(key="ManagementApi.User.Session.RevokeAll").count() == 1


def test_list_and_delete_grants(api, user, grant):
    response = api.get(f"/api/users/{user.pk}/grants")
    [item] = response.json()["grants"]
    assert item["id"] == grant.pk and item["application"]["name"] == "Recipes"
    assert api.get(f"/api/users/{user.pk}/grants?appType=firstParty").json()["grants"]
    assert api.get(f"/api/users/{user.pk}/grants?appType=thirdParty").json()["grants"] == []
    assert api.get(f"/api/users/{user.pk}/grants?appType=x").status_code == 400
    assert api.delete(f"/api/users/{user.pk}/grants/{grant.pk}").status_code == 204
    assert api.delete(f"/api/users/{user.pk}/grants/{grant.pk}").status_code == 404
    assert sessions.list_sessions(user) == []


def test_lock_down(api, user, browser_session, grant):
    client, _ = browser_session
    response = api.post(f"/api/users/{user.pk}/lock-down", {"reason": "Leaked password"})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["isSuspended"] is True and response.json()["sessionsEnded"] == 2
    user.refresh_from_db()
    assert user.is_suspended and not user.has_usable_password()
    assert sessions.touch_session(browser_request(client)) is None
    [log] = Log.objects.filter(key="ManagementApi.User.LockDown")
    assert log.payload["reason"] == "Leaked password"


def test_lock_down_needs_a_reason(api, user):
    for body in ({}, {"reason": ""}, {"reason": "  "}, {"reason": 5}):
        response = api.post(f"/api/users/{user.pk}/lock-down", body)
        assert response.status_code == HTTPStatus.BAD_REQUEST, body
    user.refresh_from_db()
    assert not user.is_suspended


def test_lock_down_of_a_console_admin_is_refused(api):
    admin = SuperuserFactory()
    response = api.post(f"/api/users/{admin.pk}/lock-down", {"reason": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    admin.refresh_from_db()
    assert not admin.is_suspended


def test_unknown_user_is_404(api):
    for path in ("sessions", "grants"):
        assert api.get(f"/api/users/nosuchuser1/{path}").status_code == 404
    assert api.post("/api/users/nosuchuser1/lock-down", {"reason": "x"}).status_code == 404


def test_every_route_needs_the_token(anonymous_api, user, browser_session):
    _, row = browser_session
    assert anonymous_api.get(f"/api/users/{user.pk}/sessions").status_code == 401
    assert anonymous_api.delete(f"/api/users/{user.pk}/sessions/{row.pk}").status_code == 401
    assert anonymous_api.post(f"/api/users/{user.pk}/lock-down", {"reason": "x"}).status_code == 401
    assert sessions.list_sessions(user) != []
