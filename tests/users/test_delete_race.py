"""Two superusers deleting each other at the same moment: one is deleted, the other's act is
refused with 409, and an active superuser always remains. Run on SQLite and PostgreSQL."""

from http import HTTPStatus

import pytest

from audit.recorder import Origin
from tests.factories import SuperuserFactory, UserFactory
from tests.users.race import race
from users import services
from users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10
DONE = "done"


def delete(target, *, by):
    def act():
        services.delete_user(target, origin=Origin("Console", actor=by))
        return DONE

    return act


def test_two_superusers_deleting_each_other_leave_one_and_the_other_gets_409():
    for _ in range(ROUNDS):
        a, b = SuperuserFactory(), SuperuserFactory()
        outcomes = race(delete(b, by=a), delete(a, by=b))
        assert sorted(outcomes, key=str) == [HTTPStatus.CONFLICT, DONE]
        survivor = a if outcomes[0] == DONE else b
        assert list(User.objects.values_list("pk", flat=True)) == [survivor.pk]
        User.objects.all().delete()


def test_a_suspension_and_a_deletion_crossing_leave_one_active_superuser():
    for _ in range(ROUNDS):
        a, b = SuperuserFactory(), SuperuserFactory()
        outcomes = race(
            delete(b, by=a),
            lambda a=a, b=b: services.suspend_user(a, origin=Origin("Console", actor=b)) and DONE,
        )
        assert sorted(outcomes, key=str) == [HTTPStatus.CONFLICT, DONE]
        assert User.objects.filter(is_superuser=True, is_suspended=False).count() == 1
        User.objects.all().delete()


def test_acting_on_a_user_another_admin_is_deleting_gets_409_never_a_500():
    for _ in range(ROUNDS):
        a, b, target = SuperuserFactory(), SuperuserFactory(), UserFactory()
        outcomes = race(
            delete(target, by=a),
            lambda b=b, t=target: (
                services.suspend_user(t, origin=Origin("Console", actor=b)) and DONE
            ),
        )
        assert set(outcomes) <= {DONE, HTTPStatus.CONFLICT}, outcomes
        assert DONE in outcomes
        assert not User.objects.filter(pk=target.pk).exists()
        User.objects.all().delete()
