"""A new password, generated or typed, ends the user's sessions through the session index (not
only through Django's session hash, which acts when the old cookie is next used)."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.recorder import Origin
from tests.factories import SuperuserFactory
from users import services
from users.models import UserSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_admin(db):
    SuperuserFactory()  # someone else stays in charge
    admin = SuperuserFactory(username="pat_admin")
    browser = Client()
    browser.force_login(admin)
    return admin, browser


def test_resetting_a_password_deletes_the_users_sessions(admin_client, signed_in_admin):
    admin, browser = signed_in_admin
    admin_client.post(f"/console/users/{admin.id}/reset-password")
    assert not UserSession.objects.filter(user_id=admin.pk).exists()
    assert browser.get("/console/users").status_code == HTTPStatus.FOUND


def test_setting_a_typed_password_deletes_the_users_sessions(signed_in_admin):
    admin, browser = signed_in_admin
    services.set_password(admin, origin=Origin.system(), password="a quiet harbour at dusk")
    assert not UserSession.objects.filter(user_id=admin.pk).exists()
    assert browser.get("/console/users").status_code == HTTPStatus.FOUND
    admin.refresh_from_db()
    assert admin.check_password("a quiet harbour at dusk")
