"""Every password a person typed passes Django's validators, with the user as context; the
passwords we generate are ours and strong, and skip them."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Log
from audit.recorder import Origin
from tests.factories import UserFactory
from users import services
from users.models import User

pytestmark = pytest.mark.django_db

ORIGIN = Origin.system()


def password_errors(excinfo):
    return [e.code for e in excinfo.value.error_dict["password"]]


def test_create_user_refuses_a_common_password():
    with pytest.raises(ValidationError) as excinfo:
        services.create_user(origin=ORIGIN, username="ann", password="password123")
    assert "password_too_common" in password_errors(excinfo)
    assert not User.objects.filter(username="ann").exists()
    assert not Log.objects.exists()


def test_create_user_refuses_a_short_or_numeric_password():
    with pytest.raises(ValidationError) as excinfo:
        services.create_user(origin=ORIGIN, username="ann", password="4812")
    assert {"password_too_short", "password_entirely_numeric"} <= set(password_errors(excinfo))


def test_create_user_refuses_a_password_like_the_users_own_email():
    with pytest.raises(ValidationError) as excinfo:
        services.create_user(
            origin=ORIGIN,
            primary_email="marguerite.okonkwo@example.com",
            password="marguerite.okonkwo",
        )
    assert "password_too_similar" in password_errors(excinfo)


def test_create_user_accepts_a_strong_typed_password():
    created = services.create_user(
        origin=ORIGIN, username="ann", password="a quiet harbour at dusk"
    )
    assert created.password is None  # a typed password is never handed back
    assert User.objects.get(username="ann").check_password("a quiet harbour at dusk")


def test_generated_passwords_skip_the_validators(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 64},
        },
    ]
    created = services.create_user(origin=ORIGIN, username="ann", generate=True)
    assert created.user.check_password(created.password)


def test_set_password_refuses_a_password_like_the_username_and_changes_nothing():
    user = UserFactory(username="hieronymus_b", password="the old one is fine too")
    with pytest.raises(ValidationError) as excinfo:
        services.set_password(user, origin=ORIGIN, password="Hieronymus_B")
    assert "password_too_similar" in password_errors(excinfo)
    user.refresh_from_db()
    assert user.check_password("the old one is fine too")
    assert not Log.objects.filter(key="System.User.Password.Update").exists()


def test_set_password_stores_a_strong_one_and_audits_without_it():
    user = UserFactory(username="ann")
    services.set_password(user, origin=ORIGIN, password="a quiet harbour at dusk")
    user.refresh_from_db()
    assert user.check_password("a quiet harbour at dusk")
    assert user.password_updated_at is not None
    log = Log.objects.get(key="System.User.Password.Update")
    assert "harbour" not in str(log.payload)
