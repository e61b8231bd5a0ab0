"""Lock down (console action and users.services.lock_down_user): suspend, end every session and
grant, revoke every token and PAT, make the password unusable; one audit row with the reason."""

from http import HTTPStatus

import pytest
from django.contrib.auth import authenticate
from django.test import Client
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from audit.models import Log
from audit.recorder import Origin
from signin import sessions
from tests.factories import SuperuserFactory
from tests.signin.session_helpers import browser_request, give_grant, sign_in_browser
from users import services, tokens

pytestmark = pytest.mark.django_db
URL = "/console/users/{}/lock-down"


@pytest.fixture
def exposed(subject):
    """The subject signed in somewhere, with a grant and a personal access token."""
    browser = Client()
    sign_in_browser(browser, subject)
    give_grant(subject)
    pat = services.create_personal_access_token(subject, origin=Origin("Console"), name="ci")
    return browser, pat


def test_the_dialog_asks_for_a_reason(admin_client, subject, htmx_dialog):
    response = admin_client.get(URL.format(subject.id), headers=htmx_dialog)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Lock down user" in body and 'name="reason"' in body and "<html" not in body


def test_the_dialog_is_a_page_without_javascript(admin_client, subject):
    body = admin_client.get(URL.format(subject.id)).content.decode()
    assert "<html" in body and 'name="reason"' in body


def test_lock_down_ends_everything(admin_client, subject, exposed, htmx_dialog):
    browser, pat = exposed
    response = admin_client.post(
        URL.format(subject.id), {"reason": "Credentials in a paste site"}, headers=htmx_dialog
    )
    assert response.status_code == HTTPStatus.OK and response["HX-Refresh"] == "true"
    subject.refresh_from_db()
    assert subject.is_suspended
    assert not subject.has_usable_password() and subject.is_password_expired
    assert sessions.list_sessions(subject) == []
    assert sessions.touch_session(browser_request(browser)) is None
    assert tokens.user_for_personal_access_token(pat.value) is None
    assert not subject.access_tokens.exists()
    assert not get_access_token_model().objects.filter(user=subject).exists()
    assert not get_refresh_token_model().objects.filter(user=subject, revoked=None).exists()


def test_lock_down_is_one_audit_row_with_the_reason(admin_client, admin_user, subject, exposed):
    admin_client.post(URL.format(subject.id), {"reason": "Credentials in a paste site"})
    [log] = Log.objects.filter(user_ref=subject.id).exclude(key__contains="PersonalAccessToken")
    assert log.key == "Console.User.LockDown" and log.actor_id == admin_user.pk
    assert log.payload == {
        "reason": "Credentials in a paste site",
        "wasSuspended": False,
        "sessionsEnded": 2,
        "personalAccessTokensRevoked": 1,
    }


def test_a_reason_is_required(admin_client, subject, exposed, htmx_dialog):
    for data in ({}, {"reason": "   "}, {"reason": "x" * 501}):
        response = admin_client.post(URL.format(subject.id), data, headers=htmx_dialog)
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert 'name="reason"' in response.content.decode()
    subject.refresh_from_db()
    assert not subject.is_suspended and subject.has_usable_password()
    assert not Log.objects.filter(key__endswith="LockDown").exists()


def test_the_service_refuses_a_blank_reason_too(subject):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.lock_down_user(subject, origin=Origin("System"), reason=" \x00 ")


def test_reactivation_does_not_restore_the_password_or_sessions(admin_client, subject, exposed):
    browser, _ = exposed
    admin_client.post(URL.format(subject.id), {"reason": "compromised"})
    services.reactivate_user(subject, origin=Origin("Console"))
    assert authenticate(username="ann_lee", password="users-own-password-1") is None
    assert sessions.touch_session(browser_request(browser)) is None
    assert sessions.list_sessions(subject) == []
    # A reset gives them a way back in.
    subject.refresh_from_db()
    password = services.reset_password(subject, origin=Origin("Console"))
    assert authenticate(username="ann_lee", password=password) == subject


def test_an_admin_cannot_lock_themselves_down(admin_client, admin_user, htmx_dialog):
    response = admin_client.post(URL.format(admin_user.id), {"reason": "oops"}, headers=htmx_dialog)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "your own account" in response.content.decode()
    admin_user.refresh_from_db()
    assert not admin_user.is_suspended


def test_only_a_superuser_locks_down_a_staff_account(subject):
    from users.errors import GuardError

    staff = SuperuserFactory()
    staff_viewer = SuperuserFactory(is_superuser=False)
    with pytest.raises(GuardError):
        services.lock_down_user(staff, origin=Origin("Console", actor=staff_viewer), reason="x")


def test_a_viewer_cannot_lock_down(viewer_client, subject):
    assert viewer_client.post(URL.format(subject.id), {"reason": "x"}).status_code == 403
    subject.refresh_from_db()
    assert not subject.is_suspended


def test_locking_down_a_suspended_user_still_ends_everything(admin_client, subject, exposed):
    _, pat = exposed
    services.suspend_user(subject, origin=Origin("Console"))
    admin_client.post(URL.format(subject.id), {"reason": "follow-up"})
    log = Log.objects.get(key="Console.User.LockDown")
    assert log.payload["wasSuspended"] is True
    subject.refresh_from_db()
    assert not subject.has_usable_password() and not subject.access_tokens.exists()
