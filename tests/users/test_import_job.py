"""The console's Import runs as a background job: the file is kept in the job's row until it
ends, batches save the job's progress with the users they write, a cancel stops after the
current batch, a restarted job goes on after its last written line, and its page (polled by
htmx while it runs) shows the counts and the errors by line."""

from http import HTTPStatus

import pytest

from audit.models import Log
from audit.recorder import Origin
from users import import_jobs, transfer
from users.models import ImportJob, User

pytestmark = pytest.mark.django_db


def start(admin, content: str, **options) -> ImportJob:
    options.setdefault("on_existing", transfer.SKIP)
    options.setdefault("skip_bad_rows", False)
    return import_jobs.create_import_job(
        content=content.encode(),
        file_name="people.csv",
        fmt=transfer.CSV,
        origin=Origin(channel="Console", actor=admin, actor_label="admin"),
        **options,
    )


def people(count: int) -> str:
    return "username,name\n" + "".join(f"user{n},Person {n}\n" for n in range(count))


def test_a_job_writes_every_row_and_empties_its_file(admin_user):
    job = start(admin_user, people(25))
    assert bytes(ImportJob.objects.get(pk=job.pk).upload)  # kept until the job runs
    job = import_jobs.run_import_job(job.pk, batch_size=10)
    assert (job.state, job.rows, job.total, job.created) == ("done", 25, 25, 25)
    assert job.after_line == 26  # the header is line 1
    assert bytes(job.upload) == b""
    assert User.objects.filter(username__startswith="user").count() == 25
    log = Log.objects.get(key="Console.User.Import")
    assert log.payload["created"] == 25 and log.actor == admin_user


def test_each_batch_saves_the_progress_with_its_users(admin_user, monkeypatch):
    seen = []
    job = start(admin_user, people(25))
    real_stopping = import_jobs._stopping

    def stopping(job_id):
        row = ImportJob.objects.get(pk=job_id)
        seen.append((row.created, row.after_line))
        assert User.objects.filter(username__startswith="user").count() == row.created
        return real_stopping(job_id)

    monkeypatch.setattr(import_jobs, "_stopping", stopping)
    import_jobs.run_import_job(job.pk, batch_size=10)
    assert seen[:3] == [(0, 0), (10, 11), (20, 21)]  # (PostgreSQL asks once more at the end)


def test_a_cancel_stops_after_the_current_batch(admin_user, monkeypatch):
    job = start(admin_user, people(25))
    real_stopping = import_jobs._stopping

    def cancel_after_the_first_batch(job_id):
        if ImportJob.objects.get(pk=job_id).created == 10:
            import_jobs.cancel_import_job(ImportJob.objects.get(pk=job_id))
        return real_stopping(job_id)

    monkeypatch.setattr(import_jobs, "_stopping", cancel_after_the_first_batch)
    job = import_jobs.run_import_job(job.pk, batch_size=10)
    assert (job.state, job.created) == ("cancelled", 10)
    assert User.objects.filter(username__startswith="user").count() == 10
    assert bytes(job.upload) == b""
    assert Log.objects.get(key="Console.User.Import").payload["created"] == 10


def test_a_job_cancelled_while_queued_writes_nothing(admin_user):
    job = start(admin_user, people(5))
    import_jobs.cancel_import_job(job)
    job = import_jobs.run_import_job(job.pk)
    assert job.state == "cancelled" and not User.objects.filter(username="user0").exists()


def test_a_restarted_job_goes_on_after_its_last_written_line(admin_user, monkeypatch):
    """A worker killed after two batches: the job stays running with 20 rows written; the next
    run checks the file again and writes only what is left, counting on from 20."""
    job = start(admin_user, people(25))
    real_stopping = import_jobs._stopping

    class WorkerKilled(BaseException):
        pass

    def die_after_two_batches(job_id):
        if ImportJob.objects.get(pk=job_id).created == 20:
            raise WorkerKilled
        return real_stopping(job_id)

    monkeypatch.setattr(import_jobs, "_stopping", die_after_two_batches)
    with pytest.raises(WorkerKilled):
        import_jobs.run_import_job(job.pk, batch_size=10)
    job.refresh_from_db()
    assert (job.state, job.created, job.after_line) == ("running", 20, 21)
    monkeypatch.setattr(import_jobs, "_stopping", real_stopping)
    job = import_jobs.run_import_job(job.pk, batch_size=10)
    assert (job.state, job.created, job.skipped, job.attempts) == ("done", 25, 0, 2)
    assert User.objects.filter(username__startswith="user").count() == 25
    assert Log.objects.filter(key="Console.User.Create").count() == 25


def test_a_stale_job_is_queued_again_by_the_next_worker(admin_user):
    job = start(admin_user, people(3))
    ImportJob.objects.filter(pk=job.pk).update(state="running", heartbeat_at=None)
    assert import_jobs.recover_interrupted_imports(stale_after=0) == [job.pk]


def test_a_file_with_bad_rows_fails_the_job_with_its_errors_by_line(admin_user):
    job = start(admin_user, "username\nann\n1bad\nann\n")
    job = import_jobs.run_import_job(job.pk)
    assert job.state == "failed" and job.created == 0
    assert [line for line, _, _ in job.errors] == [3, 4]
    assert not User.objects.filter(username="ann").exists()
    assert bytes(job.upload) == b""


def test_an_admin_who_lost_the_permission_stops_the_job(admin_user):
    job = start(admin_user, people(3))
    User.objects.filter(pk=admin_user.pk).update(is_superuser=False)
    job = import_jobs.run_import_job(job.pk)
    assert job.state == "failed" and "may no longer import" in job.error
    assert not User.objects.filter(username="user0").exists()


def test_the_page_shows_the_progress_and_polls_while_the_job_runs(admin_client, admin_user):
    job = start(admin_user, people(3))
    url = f"/console/users/import/jobs/{job.pk}"
    page = admin_client.get(url)
    assert page.status_code == HTTPStatus.OK
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body and "Cancel import" in body
    fragment = admin_client.get(url, headers={"HX-Request": "true", "HX-Target": "import-progress"})
    assert fragment.content.decode().lstrip().startswith('<section id="import-progress"')
    import_jobs.run_import_job(job.pk)
    done = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' not in done and "<dt>Created</dt><dd>3</dd>" in done


def test_cancel_is_a_post(admin_client, admin_user):
    job = start(admin_user, people(3))
    cancel = f"/console/users/import/jobs/{job.pk}/cancel"
    assert admin_client.get(cancel).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert admin_client.post(cancel).status_code == HTTPStatus.FOUND
    assert ImportJob.objects.get(pk=job.pk).state == "cancelling"


def test_a_viewer_may_neither_see_nor_cancel_an_import(admin_user, viewer_client):
    job = start(admin_user, people(3))
    assert viewer_client.get(f"/console/users/import/jobs/{job.pk}").status_code == 403
    assert viewer_client.post(f"/console/users/import/jobs/{job.pk}/cancel").status_code == 403
    assert ImportJob.objects.get(pk=job.pk).state == "queued"
