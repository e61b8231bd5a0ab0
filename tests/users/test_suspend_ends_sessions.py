"""Suspension ends the user's console sessions: deleted at once through the session index, and
refused (and deleted) by the middleware on use, so reactivating never revives an old cookie."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.recorder import Origin
from tests.factories import SuperuserFactory
from users import services
from users.models import User, UserSession

pytestmark = pytest.mark.django_db

SIGN_IN = "/console/sign-in"


@pytest.fixture
def staff_subject(db):
    """A second superuser, signed in on their own browser."""
    return SuperuserFactory(username="sam_staff")


@pytest.fixture
def subject_browser(staff_subject):
    browser = Client()
    browser.force_login(staff_subject)
    assert browser.get("/console/users").status_code == HTTPStatus.OK
    return browser


def is_sent_to_sign_in(response):
    return response.status_code == HTTPStatus.FOUND and response["Location"].startswith(SIGN_IN)


def test_suspending_deletes_the_users_sessions(admin_client, staff_subject, subject_browser):
    assert UserSession.objects.filter(user_id=staff_subject.pk).count() == 1
    admin_client.post(f"/console/users/{staff_subject.id}/suspend")
    assert not UserSession.objects.filter(user_id=staff_subject.pk).exists()


def test_the_old_cookie_does_not_work_again_after_reactivation(
    admin_client, staff_subject, subject_browser
):
    admin_client.post(f"/console/users/{staff_subject.id}/suspend")
    admin_client.post(f"/console/users/{staff_subject.id}/reactivate")
    staff_subject.refresh_from_db()
    assert not staff_subject.is_suspended
    assert is_sent_to_sign_in(subject_browser.get("/console/users"))


def test_other_users_sessions_survive_a_suspension(admin_client, admin_user, subject):
    admin_client.post(f"/console/users/{subject.id}/suspend")
    assert UserSession.objects.filter(user_id=admin_user.pk).count() == 1
    assert admin_client.get("/console/users").status_code == HTTPStatus.OK


def test_the_middleware_ends_a_suspended_users_session_even_if_revocation_missed_it(
    staff_subject, subject_browser
):
    # Set the flag behind the service's back: no session was deleted.
    User.objects.filter(pk=staff_subject.pk).update(is_suspended=True)
    assert is_sent_to_sign_in(subject_browser.get("/console/users"))
    assert not UserSession.objects.filter(user_id=staff_subject.pk).exists()
    User.objects.filter(pk=staff_subject.pk).update(is_suspended=False)
    assert is_sent_to_sign_in(subject_browser.get("/console/users"))


def test_an_htmx_request_of_a_suspended_session_sends_the_window_to_sign_in(
    staff_subject, subject_browser
):
    User.objects.filter(pk=staff_subject.pk).update(is_suspended=True)
    response = subject_browser.get(
        "/console/users", headers={"HX-Request": "true", "HX-Target": "user-table"}
    )
    assert response["HX-Redirect"].startswith(SIGN_IN)
    assert not UserSession.objects.filter(user_id=staff_subject.pk).exists()


def test_the_tokens_card_says_tokens_are_refused_while_suspended(admin_client, subject):
    note = "their personal access tokens are refused until they are reactivated"
    assert note not in admin_client.get(f"/console/users/{subject.id}").content.decode()
    services.suspend_user(subject, origin=Origin("Console"))
    page = admin_client.get(f"/console/users/{subject.id}").content.decode()
    assert note in page
    assert page.index("Personal access tokens") < page.index(note)
    services.reactivate_user(subject, origin=Origin("Console"))
    assert note not in admin_client.get(f"/console/users/{subject.id}").content.decode()


def test_the_tokens_note_is_in_the_card_fragment_htmx_swaps_in(admin_client, subject):
    services.suspend_user(subject, origin=Origin("Console"))
    subject.refresh_from_db()
    response = admin_client.post(
        f"/console/users/{subject.id}/identifiers",
        {
            "auth-updated_at": subject.updated_at.isoformat(),
            "auth-primary_email": subject.primary_email,
            "auth-primary_phone": subject.primary_phone,
            "auth-username": "ann_renamed",
        },
        headers={"HX-Request": "true", "HX-Target": "authentication-card"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="authentication-card"')
    assert "their personal access tokens are refused until they are reactivated" in body
