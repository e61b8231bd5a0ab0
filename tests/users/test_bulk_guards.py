"""A bulk job keeps every guard of the single-user verbs: a refused user is skipped with the
guard's reason, the others go on, and a refused user gets no audit row of the act."""

import pytest

from audit.models import Log
from tests.factories import EditorFactory, SuperuserFactory, UserFactory
from tests.users.bulk_jobs import run, start
from users.models import BulkJob, User

pytestmark = pytest.mark.django_db


def test_the_last_active_superuser_is_skipped_as_the_last_admin():
    # A superuser without the staff flag is outside the staff guard, so an editor's job reaches
    # the last-superuser guard itself.
    last = SuperuserFactory(is_staff=False)
    editor = EditorFactory()
    users = UserFactory.create_batch(2)
    job = run(start(editor, [*users, last]))
    item = job.items.get(user_id=last.pk)
    assert (item.outcome, item.reason) == (
        "skipped",
        "You cannot suspend the last active superuser.",
    )
    assert (job.state, job.done, job.skipped) == ("done", 2, 1)
    assert User.objects.filter(is_superuser=True, is_suspended=False).count() == 1
    assert not Log.objects.filter(key="Console.User.Suspend", user_ref=last.pk).exists()


def test_the_acting_admin_in_their_own_selection_is_skipped(admin_user):
    users = UserFactory.create_batch(2)
    job = run(start(admin_user, [*users, admin_user], action="delete"))
    item = job.items.get(user_id=admin_user.pk)
    assert (item.outcome, item.reason) == ("skipped", "You cannot delete your own account.")
    assert User.objects.filter(pk=admin_user.pk).exists()
    assert job.done == 2


def test_an_editor_cannot_change_staff_accounts_in_bulk():
    editor = EditorFactory()
    admin = SuperuserFactory()
    user = UserFactory()
    job = run(start(editor, [admin, user]))
    assert job.items.get(user_id=admin.pk).reason == "Only a superuser may change a staff account."
    assert job.items.get(user_id=user.pk).outcome == "done"
    assert not Log.objects.filter(key="Console.User.Suspend", user_ref=admin.pk).exists()


def test_a_job_whose_admin_was_suspended_stops_with_nothing_half_done():
    actor = SuperuserFactory()
    SuperuserFactory()
    users = UserFactory.create_batch(4)
    job = start(actor, users)
    actor.is_suspended = True
    actor.save()
    job = run(job, batch_size=2)
    assert job.state == BulkJob.State.FAILED
    assert "suspended or changed" in job.error
    assert job.reported == 0 and job.items.filter(outcome="pending").count() == 4
    assert not User.objects.filter(pk__in=[u.pk for u in users], is_suspended=True).exists()


def test_a_job_whose_admin_lost_the_permission_stops_before_the_next_batch():
    editor = EditorFactory()
    users = UserFactory.create_batch(2)
    job = start(editor, users)
    editor.groups.clear()
    job = run(job)
    assert job.state == BulkJob.State.FAILED and "may no longer" in job.error
    assert job.reported == 0
    assert not User.objects.filter(pk__in=[u.pk for u in users], is_suspended=True).exists()
