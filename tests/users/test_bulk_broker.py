"""The broker backend (TASKS_BACKEND=rq, docs/jobs.md): a bulk job queued through a real Redis is
run by a real RQ worker (`manage.py jobs_rqworker --burst`, in a subprocess) to the end.

Runs only when the suite itself is started on that backend, as CI's broker leg does:
`TASKS_BACKEND=rq REDIS_URL=redis://127.0.0.1:6379/15 pytest -m broker`."""

import os
import subprocess
import sys

import pytest
from django.db import transaction
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends

from audit.models import Log
from tests.factories import SuperuserFactory
from tests.users.bulk_jobs import origin_of
from tests.users.test_bulk_worker_crash import ROOT, database_url
from users import bulk
from users.models import BulkJob, User

USERS = 30

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        os.environ.get("TASKS_BACKEND") != "rq",
        reason="the broker test runs with TASKS_BACKEND=rq and REDIS_URL (CI's broker leg)",
    ),
]


def rq_worker(*args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "BULK_JOB_BATCH_SIZE": "7",
        "DEBUG": "false",
    }
    command = [sys.executable, "manage.py", "jobs_rqworker", "--burst", *args]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.django_db(transaction=True)
def test_a_bulk_job_queued_in_redis_is_run_to_the_end_by_a_real_rq_worker():
    admin = SuperuserFactory()
    User.objects.bulk_create(
        [User(username=f"rq_{i}", primary_email=f"rq{i}@example.com") for i in range(USERS)]
    )
    targets = User.objects.filter(username__startswith="rq_")
    with transaction.atomic():  # commits: the task is sent to Redis on commit
        job = bulk.create_job(
            action="suspend", users=targets, origin=origin_of(admin), selection={"query": ""}
        )
    job.refresh_from_db()
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    assert type(backend).__name__ == "RQBackend"
    assert backend.get_result(job.task_id).status == TaskResultStatus.READY

    finished = rq_worker()

    assert finished.returncode == 0, finished.stdout + finished.stderr
    job.refresh_from_db()
    assert (job.state, job.done, job.skipped, job.failed) == ("done", USERS, 0, 0)
    assert targets.filter(is_suspended=False).count() == 0
    assert Log.objects.filter(key="Console.User.Suspend").count() == USERS
    assert Log.objects.filter(key="Console.Users.BulkJob.Finish").count() == 1
    result = backend.get_result(job.task_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"state": "done", "done": USERS, "skipped": 0, "failed": 0}
    assert BulkJob.objects.get(pk=job.pk).items.filter(outcome="done").count() == USERS
