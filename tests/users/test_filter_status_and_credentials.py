"""Facets on what a user is and signs in with: status, MFA, password, social identities."""

import pytest

from tests.factories import UserFactory
from users.filters import matching_users
from users.models import Identity, MfaFactor

pytestmark = pytest.mark.django_db


def ids(params):
    return set(matching_users(params).values_list("pk", flat=True))


def test_status_suspended_selects_only_suspended_users():
    active, suspended = UserFactory(), UserFactory(is_suspended=True)
    assert ids({"status": "suspended"}) == {suspended.pk}
    assert ids({"status": "active"}) == {active.pk}
    assert ids({"status": ""}) == {active.pk, suspended.pk}


def test_has_mfa_selects_users_with_a_factor_and_each_user_once():
    with_two, without = UserFactory(), UserFactory()
    MfaFactor.objects.create(user=with_two, type=MfaFactor.Type.TOTP)
    MfaFactor.objects.create(user=with_two, type=MfaFactor.Type.BACKUP_CODE)
    assert list(matching_users({"mfa": "yes"}).values_list("pk", flat=True)) == [with_two.pk]
    assert ids({"mfa": "no"}) == {without.pk}


def test_has_password_tells_usable_passwords_from_none():
    with_password = UserFactory(password="a-long-pass-phrase-1")
    without = UserFactory()  # the factory's default: an unusable password
    assert ids({"password": "yes"}) == {with_password.pk}
    assert ids({"password": "no"}) == {without.pk}


def test_social_identity_any_none_or_by_provider():
    github, google, nobody = UserFactory(), UserFactory(), UserFactory()
    Identity.objects.create(user=github, target="github", external_user_id="1")
    Identity.objects.create(user=google, target="google", external_user_id="2")
    Identity.objects.create(user=google, target="github-enterprise", external_user_id="3")
    assert ids({"social": "any"}) == {github.pk, google.pk}
    assert ids({"social": "none"}) == {nobody.pk}
    assert ids({"social": "github"}) == {github.pk}
    assert ids({"social": "google"}) == {google.pk}


def test_facets_combine_with_and():
    match = UserFactory(is_suspended=True, password="a-long-pass-phrase-1")
    UserFactory(is_suspended=True)
    UserFactory(password="a-long-pass-phrase-2")
    MfaFactor.objects.create(user=match, type=MfaFactor.Type.TOTP)
    assert ids({"status": "suspended", "password": "yes", "mfa": "yes"}) == {match.pk}
