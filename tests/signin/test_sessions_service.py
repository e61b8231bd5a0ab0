"""signin.sessions: what a session and a grant are, and that ending them ends them for good."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from audit.models import Log
from audit.recorder import Origin
from signin import sessions
from signin.models import EndUserSession
from tests.factories import ApplicationFactory, UserFactory
from tests.signin.session_helpers import browser_request, give_grant, sign_in_browser
from users import services
from users.models import User

pytestmark = pytest.mark.django_db
ADMIN = Origin("Console", actor_label="admin")


def test_a_browser_sign_in_is_listed_with_its_application_ip_and_user_agent(client, end_user):
    app = ApplicationFactory(name="Recipes")
    row = sign_in_browser(client, end_user, application=app)
    [listed] = sessions.list_sessions(end_user)
    assert listed.pk == row.pk and listed.kind == EndUserSession.Kind.BROWSER
    assert listed.application == app
    assert listed.ip == "203.0.113.7" and "Firefox" in listed.user_agent
    assert listed.session_key == client.session.session_key


def test_touch_session_finds_the_browsers_session(client, end_user):
    row = sign_in_browser(client, end_user)
    assert sessions.touch_session(browser_request(client)) == row


def test_touch_session_notes_the_last_use_at_most_once_a_minute(client, end_user):
    row = sign_in_browser(client, end_user)
    old = timezone.now() - timedelta(minutes=5)
    EndUserSession.objects.filter(pk=row.pk).update(last_used_at=old)
    sessions.touch_session(browser_request(client))
    row.refresh_from_db()
    assert row.last_used_at > old


def test_an_expired_browser_session_is_neither_listed_nor_found(client, end_user):
    row = sign_in_browser(client, end_user)
    EndUserSession.objects.filter(pk=row.pk).update(expires_at=timezone.now())
    assert sessions.list_sessions(end_user) == []
    assert sessions.touch_session(browser_request(client)) is None


def test_a_grant_is_one_row_per_application_however_often_it_is_used(end_user):
    row, access, _ = give_grant(end_user)
    again = sessions.touch_grant(end_user, access.application)
    assert again.pk == row.pk
    assert row.ip == "198.51.100.4" and row.user_agent == "Mobile Safari"
    assert [r.pk for r in sessions.list_sessions(end_user)] == [row.pk]


def test_a_grant_whose_tokens_are_all_revoked_is_no_longer_listed(end_user):
    # Refresh token reuse detection revokes the family behind our back.
    _, access, refresh = give_grant(end_user)
    get_refresh_token_model().objects.filter(pk=refresh.pk).update(revoked=timezone.now())
    get_access_token_model().objects.filter(pk=access.pk).delete()
    assert sessions.list_sessions(end_user) == []


def test_revoking_a_browser_session_signs_that_browser_out(
    client, end_user, django_capture_on_commit_callbacks
):
    row = sign_in_browser(client, end_user)
    key = client.session.session_key
    with django_capture_on_commit_callbacks(execute=True):
        sessions.revoke_session(end_user, row.pk, origin=ADMIN)
    assert not Session.objects.filter(session_key=key).exists()
    assert sessions.touch_session(browser_request(client)) is None
    log = Log.objects.get(key="Console.User.Session.Revoke")
    assert log.user_id == end_user.pk and log.payload["endUserSession"] == row.pk
    assert key not in str(log.payload)


def test_revoking_a_grant_revokes_every_token_the_application_holds(end_user):
    row, access, refresh = give_grant(end_user)
    other_row, other_access, other_refresh = give_grant(end_user, ApplicationFactory())
    sessions.revoke_session(end_user, row.pk, origin=ADMIN)
    assert not get_access_token_model().objects.filter(pk=access.pk).exists()
    refresh.refresh_from_db()
    assert refresh.revoked is not None
    # The other application keeps its grant.
    assert get_access_token_model().objects.filter(pk=other_access.pk).exists()
    assert [r.pk for r in sessions.list_sessions(end_user)] == [other_row.pk]


def test_revoking_an_ended_or_unknown_session_is_not_found(client, end_user):
    row = sign_in_browser(client, end_user)
    sessions.revoke_session(end_user, row.pk, origin=ADMIN)
    for session_id in (row.pk, "nosuchsession", "bad\x00id", "x" * 500):
        with pytest.raises(sessions.SessionNotFound):
            sessions.revoke_session(end_user, session_id, origin=ADMIN)
    assert Log.objects.filter(key="Console.User.Session.Revoke").count() == 1


def test_one_user_cannot_revoke_anothers_session(client, end_user):
    row = sign_in_browser(client, end_user)
    with pytest.raises(sessions.SessionNotFound):
        sessions.revoke_session(UserFactory(), row.pk, origin=ADMIN)
    assert sessions.list_sessions(end_user) != []


def test_revoke_all_ends_sessions_grants_and_stray_tokens_in_one_audit_row(client, end_user):
    sign_in_browser(client, end_user)
    give_grant(end_user)
    assert sessions.revoke_all_sessions(end_user, origin=ADMIN) == 2
    assert sessions.list_sessions(end_user) == []
    assert not get_access_token_model().objects.filter(user=end_user).exists()
    assert not get_refresh_token_model().objects.filter(user=end_user, revoked=None).exists()
    [log] = Log.objects.filter(key="Console.User.Session.RevokeAll")
    assert log.payload == {"sessionsEnded": 2}


def test_revoke_all_with_nothing_to_end_writes_nothing(end_user):
    assert sessions.revoke_all_sessions(end_user, origin=ADMIN) == 0
    assert not Log.objects.filter(key__contains="Session").exists()


def test_suspension_ends_sessions_and_grants(client, end_user):
    sign_in_browser(client, end_user)
    give_grant(end_user)
    services.suspend_user(end_user, origin=ADMIN)
    assert sessions.list_sessions(end_user) == []
    reasons = set(EndUserSession.objects.values_list("end_reason", flat=True))
    assert reasons == {"suspended"}


def test_suspension_written_straight_into_the_database_refuses_the_browser(client, end_user):
    sign_in_browser(client, end_user)
    User.objects.filter(pk=end_user.pk).update(is_suspended=True)
    assert sessions.touch_session(browser_request(client)) is None


def test_reactivation_revives_no_session_grant_or_token(client, end_user):
    sign_in_browser(client, end_user)
    _, access, refresh = give_grant(end_user)
    services.suspend_user(end_user, origin=ADMIN)
    services.reactivate_user(end_user, origin=ADMIN)
    assert sessions.touch_session(browser_request(client)) is None
    assert sessions.list_sessions(end_user) == []
    refresh.refresh_from_db()
    assert refresh.revoked is not None
    assert not get_access_token_model().objects.filter(pk=access.pk).exists()
    # A new sign-in is a new grant, not the old one back.
    new_row, _, _ = give_grant(end_user, access.application)
    assert [r.pk for r in sessions.list_sessions(end_user)] == [new_row.pk]


def test_a_password_reset_ends_the_users_sessions(client, end_user):
    sign_in_browser(client, end_user)
    services.reset_password(end_user, origin=ADMIN)
    assert sessions.list_sessions(end_user) == []


def test_deleting_the_user_removes_their_sessions(client, end_user):
    sign_in_browser(client, end_user)
    give_grant(end_user)
    services.delete_user(end_user, origin=ADMIN)
    assert not EndUserSession.objects.exists()
    assert sessions.touch_session(browser_request(client)) is None


def test_signing_out_ends_the_browser_session(client, end_user):
    sign_in_browser(client, end_user)
    request = browser_request(client)
    sessions.end_browser_session(request)
    assert sessions.touch_session(request) is None
    assert EndUserSession.objects.get().end_reason == "signed_out"


def test_a_grant_opened_at_the_token_endpoint_takes_the_browsers_ip_and_user_agent(
    client, end_user
):
    app = ApplicationFactory()
    sign_in_browser(Client(), end_user, ip="192.0.2.9", ua="Other browser")
    sign_in_browser(client, end_user, application=app)
    row = sessions.touch_grant(end_user, app)  # the application's server: no browser request
    assert row.ip == "203.0.113.7" and "Firefox" in row.user_agent
