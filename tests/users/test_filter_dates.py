"""Facets on time: created between, last sign-in between or never, inactive for N days."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import UserFactory
from users.filters import matching_users

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def ids(params):
    return set(matching_users(params).values_list("pk", flat=True))


def test_created_between_includes_both_whole_days():
    before = UserFactory(created_at=at(1, 23))
    first = UserFactory(created_at=at(2, 0))
    last = UserFactory(created_at=at(4, 23))
    after = UserFactory(created_at=at(5, 0))
    assert ids({"created_from": "2026-03-02", "created_to": "2026-03-04"}) == {first.pk, last.pk}
    assert ids({"created_from": "2026-03-05"}) == {after.pk}
    assert ids({"created_to": "2026-03-01"}) == {before.pk}


def test_signed_in_between_and_never():
    early = UserFactory(last_sign_in_at=at(1))
    late = UserFactory(last_sign_in_at=at(10))
    never = UserFactory(last_sign_in_at=None)
    assert ids({"signed_in_from": "2026-03-05"}) == {late.pk}
    assert ids({"signed_in_to": "2026-03-05"}) == {early.pk}
    assert ids({"never_signed_in": "yes"}) == {never.pk}


def test_inactive_for_n_days_counts_never_only_for_accounts_older_than_that():
    now = timezone.now()
    year_ago = now - timedelta(days=365)
    stale = UserFactory(created_at=year_ago, last_sign_in_at=now - timedelta(days=100))
    UserFactory(created_at=year_ago, last_sign_in_at=now - timedelta(days=10))
    old_never = UserFactory(last_sign_in_at=None, created_at=now - timedelta(days=200))
    UserFactory(last_sign_in_at=None, created_at=now - timedelta(days=2))
    assert ids({"inactive_days": "90"}) == {stale.pk, old_never.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "2026-13-01"},
        {"created_from": "yesterday"},
        {"created_from": "2026-03-05", "created_to": "2026-03-01"},
        {"never_signed_in": "yes", "signed_in_from": "2026-03-01"},
        {"never_signed_in": "maybe"},
        {"inactive_days": "0"},
        {"inactive_days": "-3"},
        {"inactive_days": "999999"},
        {"inactive_days": "ninety"},
    ],
)
def test_bad_dates_and_days_are_validation_errors(params):
    with pytest.raises(ValidationError):
        matching_users(params)
