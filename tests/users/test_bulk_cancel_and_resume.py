"""Cancel stops a job between batches; a job interrupted mid-way is resumed from the users not yet
reported, and its report never runs ahead of or behind what was done."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import Log
from tests.factories import UserFactory
from tests.users.bulk_jobs import run, start
from users import bulk, services
from users.models import BulkJob, User

pytestmark = pytest.mark.django_db


def suspended(users):
    return User.objects.filter(pk__in=[u.pk for u in users], is_suspended=True).count()


def one_batch(job, size):
    """What a worker does for one batch before it dies."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        locked.state = BulkJob.State.RUNNING
        locked.attempts = 1
        locked.save()
        bulk._run_batch(locked, size)
    job.refresh_from_db()
    return job


def test_cancelling_stops_after_the_current_batch(admin_user, monkeypatch):
    users = UserFactory.create_batch(6)
    job = start(admin_user, users)
    real_batch = bulk._run_batch

    def batch_then_cancel(locked, size):
        more = real_batch(locked, size)
        bulk.cancel_job(locked)  # another admin presses Cancel while this batch runs
        return more

    monkeypatch.setattr(bulk, "_run_batch", batch_then_cancel)
    job = run(job, batch_size=2)
    assert job.state == BulkJob.State.CANCELLED
    assert (job.done, job.total) == (2, 6)
    assert suspended(users) == 2
    assert job.items.filter(outcome="pending").count() == 4
    assert Log.objects.get(key="Console.Users.BulkJob.Finish").payload["state"] == "cancelled"


def test_a_queued_job_cancelled_before_it_starts_does_nothing(admin_user):
    users = UserFactory.create_batch(3)
    job = bulk.cancel_job(start(admin_user, users))
    assert job.state == BulkJob.State.CANCELLING
    job = run(job)
    assert job.state == BulkJob.State.CANCELLED and suspended(users) == 0


def test_a_finished_job_cannot_be_cancelled(admin_user):
    job = run(start(admin_user, UserFactory.create_batch(2)))
    assert bulk.cancel_job(job).state == BulkJob.State.DONE


def test_an_interrupted_job_resumes_from_the_users_not_yet_reported(admin_user):
    users = UserFactory.create_batch(5)
    job = one_batch(start(admin_user, users), size=2)
    assert (job.state, job.done, suspended(users)) == ("running", 2, 2)
    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    assert bulk.recover_interrupted_jobs(stale_after=60) == [job.pk]
    job.refresh_from_db()
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    job = run(job)  # the new worker runs the queued task

    assert (job.state, job.done, job.skipped) == ("done", 5, 0)
    assert suspended(users) == 5
    for user in users:  # nobody acted on twice
        assert Log.objects.filter(key="Console.User.Suspend", user_ref=user.pk).count() == 1


def test_a_running_job_with_a_recent_batch_is_left_to_its_worker(admin_user):
    one_batch(start(admin_user, UserFactory.create_batch(3)), size=1)
    assert bulk.recover_interrupted_jobs(stale_after=60) == []


def test_a_queued_job_whose_task_still_waits_is_not_queued_twice(admin_user):
    job = start(admin_user, UserFactory.create_batch(2))
    bulk.enqueue(job.pk)
    BulkJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert bulk.recover_interrupted_jobs(stale_after=60) == []
    assert DBTaskResult.objects.count() == 1


def test_a_job_interrupted_too_often_is_marked_failed_with_its_report(admin_user):
    users = UserFactory.create_batch(4)
    job = one_batch(start(admin_user, users), size=1)
    BulkJob.objects.filter(pk=job.pk).update(attempts=bulk.MAX_ATTEMPTS)
    job = run(job)
    assert job.state == BulkJob.State.FAILED and "interrupted" in job.error
    assert (job.done, job.items.filter(outcome="pending").count()) == (1, 3)


def test_a_batch_that_breaks_midway_leaves_no_user_changed_without_a_report(
    admin_user, monkeypatch
):
    users = UserFactory.create_batch(4)
    job = start(admin_user, users)
    real_update = BulkJob.objects.filter

    def crash_when_saving_progress(*args, **kwargs):
        if kwargs.get("pk") == job.pk and not args:
            raise SystemExit("worker killed")  # not an Exception: nothing catches it
        return real_update(*args, **kwargs)

    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
    monkeypatch.setattr(BulkJob.objects, "filter", crash_when_saving_progress)
    with pytest.raises(SystemExit), transaction.atomic():
        bulk._run_batch(locked, 4)
    monkeypatch.undo()
    assert suspended(users) == 0
    assert job.items.filter(outcome="pending").count() == 4


def test_an_unexpected_error_fails_that_user_and_the_job_goes_on(admin_user, monkeypatch):
    users = UserFactory.create_batch(3)
    broken = users[1]
    real_suspend = services.suspend_user

    def suspend(user, *, origin):
        if user.pk == broken.pk:
            raise RuntimeError("disk on fire")
        return real_suspend(user, origin=origin)

    def suspend_batch(user_ids, *, origin):
        raise RuntimeError("disk on fire")

    # The batch's set-based verb fails, so its users go one by one: only the broken one fails.
    monkeypatch.setattr(services, "suspend_users", suspend_batch)
    monkeypatch.setattr(services, "suspend_user", suspend)
    job = run(start(admin_user, users))
    assert (job.state, job.done, job.failed) == ("done", 2, 1)
    item = job.items.get(user_id=broken.pk)
    assert item.outcome == "failed" and "disk on fire" not in item.reason
