"""The guards of users.staff: admins only, never yourself, never the last active admin, and
two admins demoting each other at once leave one admin, not none."""

import threading

import pytest
from django.db import connection

from audit.recorder import Origin
from tests.factories import EditorFactory, SuperuserFactory, UserFactory, ViewerFactory
from users import staff
from users.errors import GuardError
from users.models import User

pytestmark = pytest.mark.django_db

SYSTEM = Origin.system("test")


def by(actor) -> Origin:
    return Origin(channel="Console", actor=actor, actor_label=str(actor))


def test_the_last_active_admin_cannot_be_demoted_or_removed():
    last = SuperuserFactory()
    with pytest.raises(GuardError, match="last active admin"):
        staff.change_staff_role(last, staff.VIEWER, origin=SYSTEM)
    with pytest.raises(GuardError, match="last active admin"):
        staff.remove_staff_access(last, origin=SYSTEM)
    last.refresh_from_db()
    assert last.is_superuser and last.is_staff


def test_a_suspended_admin_does_not_count_as_another_admin():
    active = SuperuserFactory()
    SuperuserFactory(is_suspended=True)
    with pytest.raises(GuardError, match="last active admin"):
        staff.remove_staff_access(active, origin=SYSTEM)


def test_an_admin_can_be_demoted_while_another_active_one_remains():
    first, second = SuperuserFactory(), SuperuserFactory()
    staff.change_staff_role(first, staff.EDITOR, origin=by(second))
    first.refresh_from_db()
    assert staff.role_of(first) == staff.EDITOR


@pytest.mark.parametrize("persona", [ViewerFactory, EditorFactory])
def test_only_admins_manage_members(persona):
    actor = persona()
    target = ViewerFactory()
    outsider = UserFactory(username="outsider")
    with pytest.raises(GuardError):
        staff.create_staff(origin=by(actor), role=staff.ADMIN, username="sneaky")
    with pytest.raises(GuardError):
        staff.grant_staff("outsider", origin=by(actor), role=staff.ADMIN)
    with pytest.raises(GuardError):
        staff.change_staff_role(target, staff.ADMIN, origin=by(actor))
    with pytest.raises(GuardError):
        staff.change_staff_role(actor, staff.ADMIN, origin=by(actor))
    with pytest.raises(GuardError):
        staff.remove_staff_access(target, origin=by(actor))
    outsider.refresh_from_db()
    assert not outsider.is_staff and not User.objects.filter(username="sneaky").exists()


def test_an_admin_demoted_since_their_request_began_can_act_no_more():
    actor, target = SuperuserFactory(), ViewerFactory()
    stale_actor = User.objects.get(pk=actor.pk)  # loaded as an admin, like request.user
    User.objects.filter(pk=actor.pk).update(is_superuser=False)
    with pytest.raises(GuardError, match="Only an admin"):
        staff.change_staff_role(target, staff.ADMIN, origin=by(stale_actor))
    target.refresh_from_db()
    assert not target.is_superuser


def test_nobody_changes_their_own_role_or_removes_their_own_access():
    me = SuperuserFactory()
    SuperuserFactory()
    with pytest.raises(GuardError, match="your own role"):
        staff.change_staff_role(me, staff.VIEWER, origin=by(me))
    with pytest.raises(GuardError, match="your own access"):
        staff.remove_staff_access(me, origin=by(me))


def test_changing_a_non_member_is_refused():
    with pytest.raises(GuardError, match="not a console member"):
        staff.change_staff_role(UserFactory(), staff.ADMIN, origin=SYSTEM)


def test_removing_a_non_member_does_nothing():
    outsider = UserFactory()
    assert staff.remove_staff_access(outsider, origin=SYSTEM).is_staff is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_admins_demoting_each_other_at_once_leave_one_admin():
    first, second = SuperuserFactory(), SuperuserFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(actor, target):
        try:
            barrier.wait()
            staff.change_staff_role(target, staff.VIEWER, origin=by(actor))
            outcomes.append("demoted")
        except GuardError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(first, second)),
        threading.Thread(target=demote, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["demoted", "refused"]
    assert User.objects.filter(is_superuser=True).count() == 1
