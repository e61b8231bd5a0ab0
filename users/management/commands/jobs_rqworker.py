"""`manage.py jobs_rqworker`: the worker with the broker backend (TASKS_BACKEND=rq, docs/jobs.md):
django-rq's `rqworker` (same options) on the task queue, with django-tasks-rq's job class, that
first queues again the bulk jobs a dead worker left running and then looks for them every
`--recover-every` seconds, as `jobs_worker` does with the database backend."""

import threading

from django.core.management.base import CommandError
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_rq.management.commands import rqworker

from users import bulk
from users.management.commands.jobs_worker import _sweep

JOB_CLASS = "django_tasks_rq.Job"


class Command(rqworker.Command):
    help = "Run an RQ worker for the background jobs, after resuming interrupted bulk jobs."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            help="Seconds without a batch after which a running job's worker is taken for dead "
            "(default: settings.BULK_JOB_STALE_SECONDS).",
        )
        parser.add_argument(
            "--recover-every",
            type=float,
            default=60,
            help="Seconds between looks for jobs a dead worker left (0: only at start).",
        )

    def handle(self, *queues, stale_after=None, recover_every=60, **options):
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if type(backend).__module__.split(".")[0] != "django_tasks_rq":
            raise CommandError("The task backend is not RQ: set TASKS_BACKEND=rq and REDIS_URL.")
        options["job_class"] = options.get("job_class") or JOB_CLASS
        recovered = bulk.recover_interrupted_jobs(stale_after=stale_after)
        if recovered and options.get("verbosity", 1):
            self.stdout.write(f"Resumed {len(recovered)} interrupted bulk job(s).")
        if recover_every > 0 and not options.get("burst"):
            stop = threading.Event()
            threading.Thread(
                target=_sweep, args=(recover_every, stale_after, stop), daemon=True
            ).start()
        return super().handle(*(queues or sorted(backend.queues)), **options)
