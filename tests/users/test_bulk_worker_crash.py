"""The real worker (`manage.py jobs_worker`, django-tasks-db's db_worker) in a subprocess, killed
with SIGKILL in the middle of a job: what it reported is exactly what it did, and a new worker
resumes the job from the users not yet reported and finishes it, nobody acted on twice."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from audit.models import Log
from tests.factories import SuperuserFactory
from tests.users.bulk_jobs import origin_of
from users import bulk
from users.models import BulkJob, User

ROOT = Path(__file__).resolve().parents[2]
USERS = 600
BATCH = 20


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def worker(*args, worker_id="crash-test", **kwargs):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "BULK_JOB_BATCH_SIZE": str(BATCH),
        "DEBUG": "false",
    }
    command = [sys.executable, "manage.py", "jobs_worker", "--no-reload", "--no-startup-delay"]
    command += ["--interval", "0.1", "--worker-id", worker_id, *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs
    )


def wait_for(condition, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def queued_job(admin):
    User.objects.bulk_create(
        [User(username=f"crash_{i}", primary_email=f"crash{i}@example.com") for i in range(USERS)]
    )
    targets = User.objects.filter(username__startswith="crash_")
    with transaction.atomic():  # commits, so the job is queued (transaction.on_commit)
        job = bulk.create_job(
            action="suspend", users=targets, origin=origin_of(admin), selection={"query": ""}
        )
    job.refresh_from_db()
    assert job.task_id and job.total == USERS
    return job, targets


def kill_mid_job(process, job):
    try:
        started = wait_for(lambda: BulkJob.objects.get(pk=job.pk).done >= 2 * BATCH)
        process.send_signal(signal.SIGKILL)  # no clean shutdown: a crash
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert started, process.stdout.read().decode()
    job.refresh_from_db()
    assert job.state == BulkJob.State.RUNNING
    assert 0 < job.done < USERS, "kill it mid-job (make USERS larger if the worker was faster)"


def assert_finished_once_each(job, targets):
    job.refresh_from_db()
    assert (job.state, job.done, job.skipped, job.failed) == ("done", USERS, 0, 0)
    assert job.attempts == 2
    assert targets.filter(is_suspended=False).count() == 0
    assert Log.objects.filter(key="Console.User.Suspend").count() == USERS
    assert Log.objects.filter(key="Console.Users.BulkJob.Finish").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_is_resumed_by_the_next_worker_without_a_gap_or_a_repeat():
    job, targets = queued_job(SuperuserFactory())
    kill_mid_job(worker(), job)
    # Never half-reported: the counters, the report rows and the users agree.
    assert job.items.filter(outcome="done").count() == job.done
    assert targets.filter(is_suspended=True).count() == job.done
    assert Log.objects.filter(key="Console.User.Suspend").count() == job.done

    second = worker("--batch")  # the same worker id, restarted: it resumes the job at once
    output = second.communicate(timeout=180)[0].decode()
    assert second.returncode == 0, output
    assert "Resumed 1 interrupted job" in output
    assert_finished_once_each(job, targets)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"FAILED", "SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_takes_over_the_job_of_a_worker_that_died_elsewhere():
    job, targets = queued_job(SuperuserFactory())
    first = worker()
    assert wait_for(lambda: BulkJob.objects.get(pk=job.pk).done > 0)
    other = worker("--stale-after", "3", "--recover-every", "0.5", worker_id="other-machine")
    try:
        kill_mid_job(first, job)
        finished = wait_for(lambda: BulkJob.objects.get(pk=job.pk).state == "done", timeout=180)
    finally:
        other.send_signal(signal.SIGTERM)
        output = other.communicate(timeout=60)[0].decode()
    assert finished, output
    assert_finished_once_each(job, targets)
