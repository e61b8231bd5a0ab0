import random
from collections import Counter
from datetime import timedelta
from io import StringIO

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from audit.models import Log
from users.identifiers import normalize_email, normalize_phone, normalize_username
from users.management.commands import seed_demo
from users.models import Application, User, build_search_text
from users.search import search_users

pytestmark = pytest.mark.django_db


def seed(users=50, **options) -> str:
    out = StringIO()
    options.setdefault("skip_access", True)  # roles and organizations: tests/access
    call_command("seed_demo", users=users, stdout=out, **options)
    return out.getvalue()


def seeded():
    return list(User.objects.filter(is_staff=False))


def identifiers(users):
    return (
        [u.username for u in users],
        [u.primary_email for u in users],
        [u.primary_phone for u in users],
    )


def assert_unique_ignoring_case(values):
    present = [v.lower() for v in values if v]
    duplicates = [v for v, n in Counter(present).items() if n > 1]
    assert not duplicates


def test_seeding_creates_the_requested_number_of_users():
    output = seed(50, seed=1)
    assert User.objects.filter(is_staff=False).count() == 50
    assert "Seeded 50 users" in output
    assert "50 non-staff users now" in output


def test_every_seeded_user_has_at_least_one_identifier():
    seed(200, seed=2)
    assert all(u.username or u.primary_email or u.primary_phone for u in seeded())


def test_some_seeded_users_lack_a_username_an_email_or_a_phone():
    seed(200, seed=3)
    usernames, emails, phones = identifiers(seeded())
    assert None in usernames and None in emails and None in phones
    assert any(usernames) and any(emails) and any(phones)


def test_seeded_identifiers_are_unique_ignoring_case():
    seed(300, seed=4)
    for values in identifiers(seeded()):
        assert_unique_ignoring_case(values)


def test_seeded_identifiers_are_what_the_console_would_accept():
    seed(200, seed=5)
    for user in seeded():
        if user.username:
            assert normalize_username(user.username) == user.username
        if user.primary_email:
            assert normalize_email(user.primary_email) == user.primary_email
        if user.primary_phone:
            assert user.primary_phone.isdigit()
            assert phonenumbers.is_valid_number(phonenumbers.parse("+" + user.primary_phone))
            assert normalize_phone("+" + user.primary_phone) == user.primary_phone


def test_every_phone_plan_yields_valid_distinct_numbers():
    prefixes = [plan[0] for plan in seed_demo.PHONE_PLANS]
    assert not [(a, b) for a in prefixes for b in prefixes if a != b and b.startswith(a)]
    generator = seed_demo.DemoUsers(
        random.Random(0), applications=[], passwords={}, now=timezone.now()
    )
    for plan in seed_demo.PHONE_PLANS:
        generator.phone_plans = [plan]
        numbers = [generator.phone(i) for i in (0, 1, 2, 12_345, 999_999, 7_999_999)]
        assert len(set(numbers)) == len(numbers)
        for number in numbers:
            assert number.startswith(plan[0])
            assert phonenumbers.is_valid_number(phonenumbers.parse("+" + number)), number


def test_search_text_is_what_saving_the_user_would_store():
    seed(100, seed=6)
    for user in seeded():
        expected = build_search_text(
            user.id, user.username, user.primary_email, user.primary_phone, user.name
        )
        assert user.search_text == expected
        user.refresh_search_text()
        assert user.search_text == expected


def test_seeded_users_are_found_by_search():
    seed(100, seed=7)
    user = next(u for u in seeded() if u.name and u.primary_email)
    surname = user.name.split()[-1]
    assert user.id in [u.id for u in search_users(user.primary_email.upper()).users]
    assert user.id in [u.id for u in search_users(user.id).users]
    found = search_users(surname, page_size=100)
    assert user.id in [u.id for u in found.users]


def test_seeded_users_are_found_by_phone_as_people_type_it():
    seed(100, seed=8)
    user = next(u for u in seeded() if u.primary_phone)
    assert [u.id for u in search_users(user.formatted_phone).users] == [user.id]


def test_some_seeded_users_are_suspended_and_most_have_signed_in():
    seed(300, seed=9)
    users = seeded()
    suspended = sum(u.is_suspended for u in users)
    signed_in = sum(u.last_sign_in_at is not None for u in users)
    assert 0 < suspended < len(users) * 0.1
    assert len(users) * 0.7 < signed_in < len(users)


def test_seeded_dates_span_the_last_three_years_and_sign_ins_follow_sign_ups():
    seed(300, seed=10)
    now = timezone.now()
    users = seeded()
    assert all(now - timedelta(days=3 * 365 + 1) <= u.created_at <= now for u in users)
    assert min(u.created_at for u in users) < now - timedelta(days=365)
    assert all(u.created_at <= u.last_sign_in_at <= now for u in users if u.last_sign_in_at)


def test_most_seeded_users_come_from_one_of_the_demo_applications():
    seed(200, seed=11)
    names = {a.name for a in Application.objects.all()}
    assert {"Acme Web", "Acme iOS", "Acme Android", "Partner Portal"} <= names
    users = User.objects.filter(is_staff=False)
    assert users.filter(application__isnull=False).count() > users.count() * 0.7
    assert users.filter(application__isnull=True).exists()


def test_seeded_passwords_are_shared_hashes_or_unusable():
    seed(100, seed=12)
    users = seeded()
    usable = [u for u in users if u.has_usable_password()]
    assert usable and len(usable) < len(users)
    assert len({u.password for u in usable}) <= 3


def test_the_first_users_get_sign_in_logs():
    seed(50, seed=13, logs_per_user=5)
    logs = list(Log.objects.all())
    assert logs
    users = {u.id: u for u in seeded()}
    admin_keys = {key for key, _ in seed_demo.ADMIN_EVENTS}
    for log in logs:
        assert log.key in (*seed_demo.SIGN_IN_KEYS, *admin_keys)
        assert log.result in (Log.Result.SUCCESS, Log.Result.ERROR)
        assert log.user_id == log.user_ref and log.user_ref in users
        assert log.user_label and log.ip and log.user_agent
        assert "password" not in str(log.payload).lower()
        assert users[log.user_id].created_at <= log.created_at
    failed = [log for log in logs if log.result == Log.Result.ERROR]
    assert all(log.payload["error"]["code"] == "session.invalid_credentials" for log in failed)
    assert any(log.key in admin_keys and log.actor_label for log in logs)


def test_if_empty_does_nothing_once_users_exist():
    seed(30, seed=14)
    output = seed(30, if_empty=True)
    assert User.objects.filter(is_staff=False).count() == 30
    assert "nothing seeded" in output


def test_if_empty_seeds_a_table_with_only_staff_users(admin_user):
    seed(30, if_empty=True)
    assert User.objects.filter(is_staff=False).count() == 30


def test_seeding_twice_adds_users_with_new_identifiers():
    seed(50, seed=15)
    seed(50, seed=15)
    users = seeded()
    assert len(users) == 100
    assert len({u.id for u in users}) == 100
    for values in identifiers(users):
        assert_unique_ignoring_case(values)
    assert Application.objects.count() == len(seed_demo.APPLICATIONS)


def test_seeding_after_users_were_deleted_still_adds_unique_users():
    seed(60, seed=16)
    User.objects.filter(pk__in=[u.pk for u in seeded()[:20]]).delete()
    seed(60, seed=16)
    users = seeded()
    assert len(users) == 100
    for values in identifiers(users):
        assert_unique_ignoring_case(values)


def test_a_batch_that_hits_a_taken_identifier_is_retried_with_new_numbers(monkeypatch):
    loader = {"postgresql": seed_demo._PostgresLoader, "sqlite": seed_demo._SqliteLoader}.get(
        seed_demo.connection.vendor, seed_demo._OrmLoader
    )
    write, failures = loader.write, []

    def write_failing_once(self, rows):
        if not failures:
            failures.append(rows[0][0])
            raise IntegrityError("duplicate key value violates unique constraint")
        return write(self, rows)

    monkeypatch.setattr(loader, "write", write_failing_once)
    seed(40, seed=17, batch=10)
    assert failures
    assert User.objects.filter(is_staff=False).count() == 40


def test_seeded_users_page_through_newest_first_without_gaps_or_repeats():
    seed(130, seed=18)
    newest_first = list(User.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    pages = [search_users("", page=n, page_size=20) for n in range(1, 8)]
    assert [u.id for page in pages for u in page.users] == newest_first
    assert [page.has_next for page in pages] == [True] * 6 + [False]


def test_demo_data_includes_roles_and_organizations_by_default():
    from users.models import Membership, UserRole

    call_command("seed_demo", users=30, stdout=StringIO())
    assert UserRole.objects.exists()
    assert Membership.objects.exists()
