"""console.throttle: the reusable counter behind every sign-in form (the console's, the end-user
pages' later), each with its own scope and settings."""

import threading

import pytest
from django.db import connection

from console.models import SignInAttempt
from console.throttle import CONSOLE, Throttle, account_key, find_account
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def end_user_throttle(settings):
    settings.END_USER_SIGN_IN_WINDOW_SECONDS = 60
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = 2
    settings.END_USER_SIGN_IN_MAX_PER_IP = 100
    return Throttle("signin", settings_prefix="END_USER_SIGN_IN")


def test_every_identifier_of_an_account_names_one_counter():
    user = UserFactory(
        username="Ann_Lee", primary_email="Ann@Example.com", primary_phone="12025550143"
    )
    keys = {
        account_key(typed)
        for typed in ("ann_lee", " ANN_LEE ", "ann@example.com", "+1 202 555 0143", "12025550143")
    }
    assert keys == {f"user:{user.pk}"}
    assert find_account("ann@EXAMPLE.com") == (f"user:{user.pk}", user)


def test_unknown_identifiers_are_named_by_their_normalised_text():
    assert account_key(" Ghost@Example.COM ") == account_key("ghost@example.com")
    assert account_key("+44 (20) 7946-0958") == account_key("442079460958")
    assert account_key("ghost") != account_key("ghost2")
    assert find_account("ghost")[1] is None


def test_one_account_of_a_look_alike_spelling_is_not_another_accounts_counter():
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    assert account_key("ann") != account_key("bob")
    assert {account_key("ann"), account_key("bob")} == {f"user:{ann.pk}", f"user:{bob.pk}"}


@pytest.mark.parametrize("typed", ["", "   ", "a" * 5000, "x\x00y", "+", "(((", "+" + "9" * 40])
def test_any_text_gets_a_counter_without_error(typed):
    assert account_key(typed)


def test_each_scope_counts_apart_with_its_own_settings(end_user_throttle):
    account = account_key("ann")
    assert end_user_throttle.reserve(account, "10.0.0.1")
    assert end_user_throttle.reserve(account, "10.0.0.1")
    assert not end_user_throttle.reserve(account, "10.0.0.1")  # its limit is 2
    assert CONSOLE.reserve(account, "10.0.0.1")  # the console's counter is another one
    assert 0 < end_user_throttle.retry_after() <= 60


def test_clearing_one_scope_leaves_the_other(end_user_throttle, settings):
    settings.SIGN_IN_MAX_PER_ACCOUNT = 1
    account = account_key("ann")
    CONSOLE.reserve(account, None)
    for _ in range(3):
        end_user_throttle.reserve(account, None)
    end_user_throttle.clear(account)
    assert end_user_throttle.reserve(account, None)
    assert not CONSOLE.reserve(account, None)


def test_clearing_the_account_keeps_the_address_count(settings):
    settings.SIGN_IN_MAX_PER_IP = 2
    CONSOLE.reserve(account_key("ann"), "10.0.0.9")
    CONSOLE.reserve(account_key("ann"), "10.0.0.9")
    CONSOLE.clear(account_key("ann"))
    assert not CONSOLE.reserve(account_key("ann"), "10.0.0.9")


def test_what_was_typed_is_not_stored():
    CONSOLE.reserve(account_key("secret-looking-typo@example.com"), "10.0.0.1")
    stored = " ".join(SignInAttempt.objects.values_list("key", flat=True))
    assert "secret-looking" not in stored and "10.0.0.1" not in stored


def test_prune_drops_only_past_windows_of_its_own_scope(end_user_throttle):
    old = end_user_throttle._window() - 5
    end_user_throttle.reserve(account_key("ann"), None)
    SignInAttempt.objects.create(key="signin:account:old", window=old, count=3)
    SignInAttempt.objects.create(key="signin:account:last", window=old + 4, count=3)
    SignInAttempt.objects.create(key="console:account:old", window=-1, count=3)
    assert end_user_throttle.prune() == 1
    assert SignInAttempt.objects.filter(key="console:account:old").exists()
    assert SignInAttempt.objects.filter(key__startswith="signin:").count() == 3


def test_the_first_attempt_of_a_window_prunes_past_windows_without_a_scheduler(
    end_user_throttle,
):
    SignInAttempt.objects.create(
        key="signin:account:old", window=end_user_throttle._window() - 5, count=3
    )
    end_user_throttle.reserve(account_key("ann"), "10.0.0.1")
    assert not SignInAttempt.objects.filter(key="signin:account:old").exists()
    assert SignInAttempt.objects.filter(key__startswith="signin:").count() == 2


def test_later_attempts_in_the_same_window_do_not_prune_again(end_user_throttle):
    end_user_throttle.reserve(account_key("ann"), "10.0.0.1")
    SignInAttempt.objects.create(
        key="signin:account:old", window=end_user_throttle._window() - 5, count=3
    )
    end_user_throttle.reserve(account_key("ann"), "10.0.0.1")
    assert SignInAttempt.objects.filter(key="signin:account:old").exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_in_every_spelling_cannot_pass_the_account_limit(settings):
    user = UserFactory(username="ann", primary_email="ann@example.com", primary_phone="12025550143")
    spellings = ["ann", "ANN@example.com", "+1 202 555 0143", "Ann"] * 3
    allowed, barrier = [], threading.Barrier(len(spellings))

    def attempt(typed):
        try:
            barrier.wait()
            allowed.append(CONSOLE.reserve(account_key(typed), f"10.0.0.{len(typed)}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(s,)) for s in spellings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == settings.SIGN_IN_MAX_PER_ACCOUNT
    assert SignInAttempt.objects.get(key=CONSOLE._key("account", f"user:{user.pk}")).count == 12
