"""The Sessions tab on the user page: list, revoke one, revoke all (console views)."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.models import Log
from signin import sessions
from tests.factories import ApplicationFactory
from tests.signin.session_helpers import browser_request, give_grant, sign_in_browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(subject):
    """The subject signed in in a browser of their own, and holding a grant for "Recipes"."""
    browser = Client()
    row = sign_in_browser(browser, subject, application=ApplicationFactory(name="Notes"))
    grant, _, _ = give_grant(subject)
    return browser, row, grant


def test_the_tab_lists_sessions_and_grants(admin_client, subject, signed_in):
    response = admin_client.get(f"/console/users/{subject.id}/sessions")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Notes" in body and "Recipes" in body
    assert "203.0.113.7" in body and "Firefox" in body and "Mobile Safari" in body
    assert 'aria-current="page">Sessions' in body
    assert "<html" in body


def test_htmx_gets_the_table_only(admin_client, subject, signed_in):
    response = admin_client.get(
        f"/console/users/{subject.id}/sessions",
        headers={"HX-Request": "true", "HX-Target": "user-sessions"},
    )
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<html" not in body and 'id="user-sessions"' in body and "Recipes" in body


def test_a_user_signed_in_nowhere_says_so(admin_client, subject):
    body = admin_client.get(f"/console/users/{subject.id}/sessions").content.decode()
    assert "not signed in anywhere" in body and "Revoke all" not in body


def test_the_user_page_links_the_tab_and_lock_down(admin_client, subject):
    body = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert f"/console/users/{subject.id}/sessions" in body
    assert f"/console/users/{subject.id}/lock-down" in body


def test_user_agents_are_escaped(admin_client, subject):
    sign_in_browser(Client(), subject, ua="<script>alert(1)</script>")
    body = admin_client.get(f"/console/users/{subject.id}/sessions").content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body


def test_revoke_asks_for_confirmation_first(admin_client, subject, signed_in, htmx_dialog):
    _, row, _ = signed_in
    response = admin_client.get(
        f"/console/users/{subject.id}/sessions/{row.id}/revoke", headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.OK
    assert "Revoke session" in response.content.decode()
    assert len(sessions.list_sessions(subject)) == 2


def test_revoking_a_session_signs_that_browser_out(
    admin_client, subject, signed_in, htmx_dialog, django_capture_on_commit_callbacks
):
    browser, row, grant = signed_in
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/console/users/{subject.id}/sessions/{row.id}/revoke", headers=htmx_dialog
        )
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    assert sessions.touch_session(browser_request(browser)) is None
    assert [r.pk for r in sessions.list_sessions(subject)] == [grant.pk]
    log = Log.objects.get(key="Console.User.Session.Revoke")
    assert log.user_id == subject.pk and log.payload["kind"] == "browser"


def test_revoking_without_javascript_redirects_to_the_tab(admin_client, subject, signed_in):
    _, _, grant = signed_in
    response = admin_client.post(f"/console/users/{subject.id}/sessions/{grant.id}/revoke")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/users/{subject.id}/sessions"
    assert "Session revoked." in admin_client.get(response["Location"]).content.decode()


def test_revoking_an_ended_session_is_404(admin_client, subject, signed_in, htmx_dialog):
    _, row, _ = signed_in
    admin_client.post(f"/console/users/{subject.id}/sessions/{row.id}/revoke")
    response = admin_client.post(
        f"/console/users/{subject.id}/sessions/{row.id}/revoke", headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_revoke_all_ends_everything_in_one_audit_row(admin_client, subject, signed_in, htmx_dialog):
    dialog = admin_client.get(
        f"/console/users/{subject.id}/sessions/revoke-all", headers=htmx_dialog
    )
    assert "Revoke all sessions" in dialog.content.decode()
    response = admin_client.post(
        f"/console/users/{subject.id}/sessions/revoke-all", headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    assert sessions.list_sessions(subject) == []
    assert Log.objects.filter(key="Console.User.Session.RevokeAll").count() == 1


def test_a_viewer_sees_the_tab_but_cannot_revoke(viewer_client, subject, signed_in):
    _, row, _ = signed_in
    body = viewer_client.get(f"/console/users/{subject.id}/sessions").content.decode()
    assert "Recipes" in body and "/revoke" not in body
    for url in (
        f"/console/users/{subject.id}/sessions/{row.id}/revoke",
        f"/console/users/{subject.id}/sessions/revoke-all",
    ):
        assert viewer_client.post(url).status_code == HTTPStatus.FORBIDDEN
    assert len(sessions.list_sessions(subject)) == 2


def test_outsiders_are_sent_to_sign_in(client, subject, signed_in):
    response = client.get(f"/console/users/{subject.id}/sessions")
    assert response.status_code == HTTPStatus.FOUND and "/console/sign-in" in response["Location"]


def test_wrong_methods_are_405(admin_client, subject, signed_in):
    _, row, _ = signed_in
    assert admin_client.post(f"/console/users/{subject.id}/sessions").status_code == 405
    url = f"/console/users/{subject.id}/sessions/{row.id}/revoke"
    assert admin_client.put(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/console/users/nosuchuser1/sessions").status_code == 404


def test_the_logs_tab_names_the_acts(admin_client, subject, signed_in):
    admin_client.post(f"/console/users/{subject.id}/sessions/revoke-all")
    admin_client.post(f"/console/users/{subject.id}/lock-down", {"reason": "Phished"})
    body = admin_client.get(f"/console/users/{subject.id}/logs").content.decode()
    assert "Revoke all user sessions" in body and "Lock down user" in body
