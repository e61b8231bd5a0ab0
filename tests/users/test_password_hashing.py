import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def production_hashers(settings):
    """The suite hashes with a cheap Argon2; these tests check the one production uses."""
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS


def test_argon2id_is_the_first_hasher_with_tuned_costs():
    hasher = get_hasher("default")
    assert settings.PASSWORD_HASHERS[0] == "users.hashers.TunedArgon2PasswordHasher"
    assert hasher.algorithm == "argon2"
    assert hasher.memory_cost <= 32 * 1024 and hasher.parallelism == 1
    encoded = make_password("s3cret-pass")
    assert encoded.startswith("argon2$argon2id$")
    assert f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}" in encoded


@pytest.mark.django_db
def test_an_older_hash_verifies_and_is_upgraded_on_sign_in():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = UserFactory()
    user.password = PBKDF2PasswordHasher().encode("old-password", PBKDF2PasswordHasher().salt())
    user.save()
    assert user.check_password("old-password")
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"


@pytest.mark.django_db
def test_a_hash_with_django_default_argon2_costs_is_upgraded_to_ours():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    user = UserFactory()
    user.password = Argon2PasswordHasher().encode("pw-default-costs", "saltsaltsaltsalt")
    user.save()
    assert user.check_password("pw-default-costs")
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password


def test_passwords_are_checked_exactly_as_typed():
    encoded = make_password("Pass Word ")
    from django.contrib.auth.hashers import check_password

    assert check_password("Pass Word ", encoded)
    assert not check_password("Pass Word", encoded)
    assert not check_password("pass word ", encoded)
