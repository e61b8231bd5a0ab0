"""Two superusers suspending each other at the same moment: one act wins, the other gets a clear
409 (its actor was suspended under it), and an active superuser always remains. Real threads,
real transactions: run on SQLite and on PostgreSQL (DATABASE_URL)."""

from http import HTTPStatus

import pytest
from django.test import Client

from audit.recorder import Origin
from tests.factories import SuperuserFactory
from tests.users.race import race
from users import services
from users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10
DONE = "done"


def suspend(target, *, by):
    # `by` was loaded before the race, as the middleware loads the acting admin.
    def act():
        services.suspend_user(target, origin=Origin("Console", actor=by))
        return DONE

    return act


def active_superusers():
    return set(
        User.objects.filter(is_superuser=True, is_suspended=False).values_list("pk", flat=True)
    )


def test_two_superusers_suspending_each_other_leave_one_standing_and_the_other_gets_409():
    for _ in range(ROUNDS):
        a, b = SuperuserFactory(), SuperuserFactory()
        outcomes = race(suspend(b, by=a), suspend(a, by=b))
        assert sorted(outcomes, key=str) == [HTTPStatus.CONFLICT, DONE]
        winner = a if outcomes[0] == DONE else b
        assert active_superusers() == {winner.pk}
        User.objects.all().delete()


def test_with_a_third_superuser_looking_on_still_only_one_of_the_two_is_suspended():
    for _ in range(ROUNDS):
        bystander, a, b = SuperuserFactory(), SuperuserFactory(), SuperuserFactory()
        outcomes = race(suspend(b, by=a), suspend(a, by=b))
        assert sorted(outcomes, key=str) == [HTTPStatus.CONFLICT, DONE]
        assert len(active_superusers() - {bystander.pk}) == 1
        User.objects.all().delete()


def test_two_unattended_suspensions_never_take_away_the_last_two_superusers():
    # No acting admin (a system job, the Management API): the last-superuser guard alone.
    for _ in range(ROUNDS):
        a, b = SuperuserFactory(), SuperuserFactory()
        outcomes = race(
            lambda a=a: services.suspend_user(a, origin=Origin.system()) and DONE,
            lambda b=b: services.suspend_user(b, origin=Origin.system()) and DONE,
        )
        assert sorted(outcomes, key=str) == [HTTPStatus.FORBIDDEN, DONE]
        assert len(active_superusers()) == 1
        User.objects.all().delete()


def test_over_http_one_suspension_wins_and_the_other_is_refused_without_a_5xx():
    dialog = {"HX-Request": "true", "HX-Target": "dialog-slot"}
    for _ in range(ROUNDS // 2):
        a, b = SuperuserFactory(), SuperuserFactory()
        browsers = {}
        for user in (a, b):
            browsers[user.pk] = Client()
            browsers[user.pk].force_login(user)

        def post(browser, target):
            return lambda: browser.post(f"/console/users/{target.pk}/suspend", headers=dialog)

        responses = race(post(browsers[a.pk], b), post(browsers[b.pk], a))
        assert all(not isinstance(r, Exception) for r in responses), responses
        won = [r for r in responses if r.get("HX-Refresh") == "true"]
        lost = [r for r in responses if r.get("HX-Refresh") != "true"]
        assert len(won) == 1 and len(lost) == 1
        # The loser either acted and was refused (409), or came in after its session ended.
        assert lost[0].status_code == HTTPStatus.CONFLICT or lost[0]["HX-Redirect"].startswith(
            "/console/sign-in"
        )
        if lost[0].status_code == HTTPStatus.CONFLICT:
            assert "Your own account was suspended" in lost[0].content.decode()
        assert len(active_superusers()) == 1
        User.objects.all().delete()
