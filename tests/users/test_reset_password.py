import logging
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import identify_hasher

from audit.models import Log
from tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


def url(user):
    return f"/console/users/{user.id}/reset-password"


def shown_password(body):
    start = body.index('id="new-password">') + len('id="new-password">')
    return body[start : body.index("</code>", start)]


def test_get_asks_for_confirmation_as_a_dialog_or_a_page(admin_client, subject, htmx_dialog):
    fragment = admin_client.get(url(subject), headers=htmx_dialog).content.decode()
    assert fragment.lstrip().startswith("<dialog") and "Generate password" in fragment
    page = admin_client.get(url(subject)).content.decode()
    assert "<html" in page and "Require a new password at next sign-in" in page
    subject.refresh_from_db()
    assert subject.check_password("users-own-password-1")  # nothing changed yet


def test_it_sets_a_new_password_shown_once(admin_client, subject, htmx_dialog, caplog):
    caplog.set_level(logging.DEBUG)
    response = admin_client.post(url(subject), headers=htmx_dialog)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert 'hx-history="false"' in body
    password = shown_password(body)
    assert len(password) >= 16 and body.count(password) == 1
    subject.refresh_from_db()
    assert subject.check_password(password) and not subject.check_password("users-own-password-1")
    assert (
        password not in subject.password and identify_hasher(subject.password).algorithm == "argon2"
    )
    assert not subject.is_password_expired
    assert password not in caplog.text
    assert password not in str(dict(admin_client.session))
    log = Log.objects.get(key="Console.User.Password.Reset")
    assert password not in str(log.payload) and log.payload == {"requireChangeAtNextSignIn": False}
    assert password not in admin_client.get(f"/console/users/{subject.id}").content.decode()


def test_it_can_require_a_new_password_at_next_sign_in(admin_client, subject):
    admin_client.post(url(subject), {"require_change": "on"})
    subject.refresh_from_db()
    assert subject.is_password_expired


def test_it_ends_the_users_oauth_tokens(admin_client, subject):
    from oauth2_provider.models import AccessToken, RefreshToken

    from tests.factories import ApplicationFactory

    app = ApplicationFactory()
    access = AccessToken.objects.create(
        user=subject, application=app, token="tok-a", expires="2999-01-01T00:00Z", scope="read"
    )
    RefreshToken.objects.create(user=subject, application=app, token="tok-r", access_token=access)
    admin_client.post(url(subject))
    assert not AccessToken.objects.filter(user=subject).exists()
    assert RefreshToken.objects.get(token="tok-r").revoked is not None


def test_only_a_superuser_may_reset_a_staff_password(client, subject):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    target = SuperuserFactory()
    client.force_login(staff)
    response = client.post(url(target))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only a superuser" in response.content.decode()


def test_a_viewer_gets_403(viewer_client, subject):
    assert viewer_client.get(url(subject)).status_code == HTTPStatus.FORBIDDEN
    assert viewer_client.post(url(subject)).status_code == HTTPStatus.FORBIDDEN
    subject.refresh_from_db()
    assert subject.check_password("users-own-password-1")


def test_it_rejects_put(admin_client, subject):
    assert admin_client.put(url(subject)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
