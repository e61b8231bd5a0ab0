"""`manage.py jobs_rqworker`: the worker with the broker backend (TASKS_BACKEND=rq, docs/jobs.md):
django-rq's `rqworker` (same options) on the task queue, with django-tasks-rq's job class, that
first queues again the bulk jobs a dead worker left running and then looks for them every
`--recover-every` seconds, as `jobs_worker` does with the database backend."""

from django.core.management.base import CommandError
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_rq.management.commands import rqworker

from users.management.commands.jobs_worker import add_recovery_arguments, recover_and_watch

JOB_CLASS = "django_tasks_rq.Job"


class Command(rqworker.Command):
    help = "Run an RQ worker for the background jobs, after resuming interrupted bulk jobs."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        add_recovery_arguments(parser)

    def handle(self, *queues, stale_after=None, recover_every=60, **options):
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if type(backend).__module__.split(".")[0] != "django_tasks_rq":
            raise CommandError("The task backend is not RQ: set TASKS_BACKEND=rq and REDIS_URL.")
        options["job_class"] = options.get("job_class") or JOB_CLASS
        self.verbosity = options.get("verbosity", 1)
        recover_and_watch(
            self,
            stale_after=stale_after,
            recover_every=recover_every,
            watch=not options.get("burst"),
        )
        return super().handle(*(queues or sorted(backend.queues)), **options)
