"""The console's import as a background job (docs/transfer.md, "Import as a job").

`create_import_job` keeps the uploaded file in the job's row and queues `run_import_job` once the
request's transaction commits. The task checks the whole file (users/transfer.py; on PostgreSQL
the staging table of users/transfer_pg.py), then writes in batches; each batch's transaction
also saves the job's counters and `after_line`, the last line written, so the page's progress is
never ahead of the users, a cancel (seen between batches) stops after the current batch, and a
worker that dies mid-batch leaves the job to be resumed after `after_line` (re-checking the file
first: its repeats and owners are found again). When the job ends its file is emptied (it may
hold password digests) and one `User.Import` audit row is written, as the synchronous run does.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone

from audit.recorder import Origin
from users import bulk, transfer
from users.models import ImportJob, User

logger = logging.getLogger(__name__)

State = ImportJob.State
SHOWN_ERRORS = 200
PERMISSIONS = ("users.add_user", "users.change_user")


class ImportStopped(Exception):
    """The job cannot go on (its admin is gone or may no longer import)."""


def create_import_job(
    *, content: bytes, file_name: str, fmt: str, on_existing: str, skip_bad_rows: bool, origin
) -> ImportJob:
    """A queued import of `content` (call it in the request's transaction)."""
    job = ImportJob.objects.create(
        file_name=file_name[:200],
        format=fmt,
        on_existing=on_existing,
        skip_bad_rows=skip_bad_rows,
        upload=content,
        **ImportJob.started_by(origin),
    )
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: str) -> None:
    ImportJob.queue(job_id, run_import_task)


def cancel_import_job(job: ImportJob) -> ImportJob:
    """Ask the job to stop after its current batch (a queued job stops before its check)."""
    return bulk.cancel_job(job)


@task()
def run_import_task(job_id: str) -> dict:
    job = run_import_job(job_id)
    return {"state": job.state, "created": job.created, "failed": job.failed}


def _origin(job: ImportJob) -> Origin:
    actor = User.objects.filter(pk=job.actor_id).first() if job.actor_id else None
    if actor is None or not actor.is_active or not actor.has_perms(PERMISSIONS):
        raise ImportStopped("The admin who started this import may no longer import users.")
    return job.origin(actor)


def _stopping(job_id: str) -> bool:
    return ImportJob.objects.filter(pk=job_id, state=State.CANCELLING).exists()


def run_import_job(job_id: str, *, batch_size: int | None = None) -> ImportJob:
    """Check the job's file, then write it in batches to the end (or a cancel)."""
    batch_size = batch_size or settings.IMPORT_JOB_BATCH_SIZE
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if not job.is_active:
            return job
        if job.state == State.CANCELLING:
            return _finish(job, State.CANCELLED, None)
        if too_often := job.start_attempt():
            return _finish(job, State.FAILED, None, too_often)
    report = None
    try:
        origin = _origin(job)
        report, write = _check(job)
        ImportJob.objects.filter(pk=job.pk).update(
            rows=report.rows,
            total=report.valid,
            invalid=report.rows_failed,
            heartbeat_at=timezone.now(),
        )
        if not report.ok and not job.skip_bad_rows:
            return _finish(job, State.FAILED, report, "Some rows have errors: nothing imported.")
        report.ran = True

        def saved(last_line, counts):
            created, updated, skipped, failed = counts
            ImportJob.objects.filter(pk=job.pk).update(
                after_line=last_line,
                created=F("created") + created,
                updated=F("updated") + updated,
                skipped=F("skipped") + skipped,
                failed=F("failed") + failed,
                heartbeat_at=timezone.now(),
            )

        finished = write(
            report,
            origin=origin,
            on_existing=job.on_existing,
            batch_size=batch_size,
            after_line=job.after_line,
            should_stop=lambda: _stopping(job.pk),
            on_batch=saved,
        )
        return _finish(job, State.DONE if finished else State.CANCELLED, report)
    except ImportStopped as stop:
        return _finish(job, State.FAILED, report, str(stop))
    except transfer.FileError as error:
        return _finish(job, State.FAILED, report, str(error))
    finally:
        if connection.vendor == "postgresql":
            from users import transfer_pg

            transfer_pg.drop_stage()


def _check(job: ImportJob):
    """The check's report, and the function that writes what it passed."""
    opener = transfer.bytes_opener(bytes(job.upload))
    if connection.vendor == "postgresql":
        from users import transfer_pg

        report, known = transfer_pg.stage_and_check(
            opener, job.format, on_existing=job.on_existing, max_rows=None
        )

        def write(report, **options):
            return transfer_pg.write_staged(report, known, **options)

        return report, write
    report = transfer.check_import(opener, job.format, on_existing=job.on_existing)

    def write(report, **options):
        return transfer.write_checked(opener, job.format, report, **options)

    return report, write


def _finish(job: ImportJob, state: str, report, error: str = "") -> ImportJob:
    """End the job: its state, its first errors, its file emptied, one `User.Import` row."""
    values = {"upload": b""}
    if report is not None:
        values["errors"] = [[e.line, e.field, e.message] for e in report.errors[:SHOWN_ERRORS]]
        values["error_count"] = report.error_count
    with transaction.atomic():
        ended = ImportJob.end(job.pk, state, error, **values)
        if ended is None:
            return ImportJob.objects.get(pk=job.pk)  # another run ended it first: one audit row
        job = ended
        summary = transfer.ImportReport(
            rows=job.rows, created=job.created, updated=job.updated, skipped=job.skipped
        )
        summary.bad_lines = set(range(job.invalid + job.failed))  # only its size is recorded
        transfer.record_run(
            summary,
            origin=job.origin(),
            fmt=job.format,
            source=job.file_name,
            on_existing=job.on_existing,
            skip_bad_rows=job.skip_bad_rows,
        )
    return job


def recover_interrupted_imports(*, stale_after: int | None = None, worker_id: str = "") -> list:
    """Queue again every active import whose worker is gone (the bulk jobs' rules), after
    building the indexes a dead import set aside (users/transfer_pg.py)."""
    if connection.vendor == "postgresql":
        from users import transfer_pg

        transfer_pg.restore_indexes()
    return bulk.recover_interrupted_jobs(
        stale_after=stale_after, worker_id=worker_id, model=ImportJob, requeue=enqueue
    )
