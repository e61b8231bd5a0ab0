"""`manage.py jobs_worker`: django-tasks-db's `db_worker` (same options) that first queues again
the bulk jobs a dead worker left running (users.bulk.recover_interrupted_jobs).

Give each worker a stable `--worker-id` (one per host and slot): restarted under the same id, it
resumes at once the job its previous life was running; other workers' jobs are resumed once
they have saved no batch for `--stale-after` seconds: checked when the worker starts and then
every `--recover-every` seconds, so a job whose worker died on another machine is not left
behind while this one runs."""

import logging
import threading

from django.db import DatabaseError, connection
from django_tasks_db.management.commands import db_worker

from users import bulk, import_jobs

logger = logging.getLogger(__name__)


def _sweep(every: float, stale_after: int | None, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            recovered = bulk.recover_interrupted_jobs(stale_after=stale_after)
            recovered += import_jobs.recover_interrupted_imports(stale_after=stale_after)
        except DatabaseError:  # SQLite busy with a batch, the database away: try next time
            logger.warning("Could not look for interrupted bulk jobs", exc_info=True)
        else:
            if recovered:
                logger.warning("Resumed interrupted bulk jobs: %s", ", ".join(recovered))
        finally:
            connection.close()


def add_recovery_arguments(parser) -> None:
    """--stale-after and --recover-every, for this worker and jobs_rqworker."""
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


def recover_and_watch(command, *, stale_after, recover_every, worker_id="", watch=True) -> None:
    """Resume the jobs a dead worker left now, then (`watch`) every `recover_every` seconds."""
    recovered = bulk.recover_interrupted_jobs(stale_after=stale_after, worker_id=worker_id)
    recovered += import_jobs.recover_interrupted_imports(
        stale_after=stale_after, worker_id=worker_id
    )
    if recovered and command.verbosity:
        command.stdout.write(f"Resumed {len(recovered)} interrupted job(s).")
    if watch and recover_every > 0:
        stop = threading.Event()
        threading.Thread(
            target=_sweep, args=(recover_every, stale_after, stop), daemon=True
        ).start()


class Command(db_worker.Command):
    help = "Run the background worker, after resuming bulk jobs a crashed worker left behind."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        add_recovery_arguments(parser)
        parser.add_argument(
            "--recover-only",
            action="store_true",
            help="Resume interrupted bulk jobs and exit (with a broker backend's own workers).",
        )

    def handle(self, *args, stale_after=None, recover_only=False, recover_every=60, **options):
        self.verbosity = options.get("verbosity", 1)
        recover_and_watch(
            self,
            stale_after=stale_after,
            recover_every=recover_every,
            worker_id=options["worker_id"],
            watch=not recover_only,
        )
        if recover_only:
            return None
        return super().handle(*args, **options)
