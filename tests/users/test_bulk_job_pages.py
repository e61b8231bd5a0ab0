"""A job's page: a progress bar htmx polls every second while the job runs (and stops polling
once it ends), the cancel button, the skipped and failed rows with their reasons; the jobs list."""

from http import HTTPStatus

import pytest

from tests.factories import SuperuserFactory, UserFactory, ViewerFactory
from tests.users.bulk_jobs import run, start
from users.models import BulkJob

pytestmark = pytest.mark.django_db
PROGRESS = {"HX-Request": "true", "HX-Target": "job-progress"}


def test_a_running_job_page_polls_every_second_and_offers_cancel(admin_client, admin_user):
    job = start(admin_user, UserFactory.create_batch(3))
    response = admin_client.get(f"/console/jobs/{job.pk}")
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK and "<html" in body
    assert 'hx-trigger="every 1s"' in body
    assert "0 of 3" in body and "<progress" in body
    assert "Cancel job" in body


def test_the_poll_gets_the_progress_fragment_alone(admin_client, admin_user):
    job = start(admin_user, UserFactory.create_batch(2))
    body = admin_client.get(f"/console/jobs/{job.pk}", headers=PROGRESS).content.decode()
    assert body.lstrip().startswith('<section id="job-progress"') and "<html" not in body


def test_a_finished_job_stops_polling_and_shows_the_skipped_with_reasons(admin_client, admin_user):
    suspended = UserFactory(is_suspended=True, name="Already Out")
    job = run(start(admin_user, [suspended, UserFactory()]))
    body = admin_client.get(f"/console/jobs/{job.pk}", headers=PROGRESS).content.decode()
    assert "every 1s" not in body and "Cancel job" not in body
    assert "Done" in body and "Already Out" in body and "Already suspended." in body


def test_cancel_from_the_page_answers_the_fragment_in_cancelling_state(admin_client, admin_user):
    job = start(admin_user, UserFactory.create_batch(2))
    response = admin_client.post(f"/console/jobs/{job.pk}/cancel", headers=PROGRESS)
    assert response.status_code == HTTPStatus.OK
    assert "Cancelling" in response.content.decode()
    job.refresh_from_db()
    assert job.state == BulkJob.State.CANCELLING


def test_cancel_without_javascript_goes_back_to_the_job_page(admin_client, admin_user):
    job = start(admin_user, UserFactory.create_batch(2))
    response = admin_client.post(f"/console/jobs/{job.pk}/cancel")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/console/jobs/{job.pk}"


def test_a_viewer_sees_the_job_but_may_not_cancel_it(viewer_client):
    job = start(SuperuserFactory(), UserFactory.create_batch(2))
    body = viewer_client.get(f"/console/jobs/{job.pk}").content.decode()
    assert "Cancel job" not in body and "every 1s" in body
    assert viewer_client.post(f"/console/jobs/{job.pk}/cancel").status_code == 403
    job.refresh_from_db()
    assert job.state == BulkJob.State.QUEUED


def test_the_jobs_list_shows_each_job_with_its_progress(client):
    admin = SuperuserFactory(primary_email="boss@example.com")
    job = run(start(admin, UserFactory.create_batch(2), action="expire_password"))
    client.force_login(ViewerFactory())
    body = client.get("/console/jobs").content.decode()
    assert f"/console/jobs/{job.pk}" in body
    assert "Expire passwords" in body and "2 of 2" in body and "boss@example.com" in body


def test_an_unknown_job_is_a_404(admin_client):
    assert admin_client.get("/console/jobs/nosuchjob").status_code == HTTPStatus.NOT_FOUND


def test_the_page_says_whether_the_job_took_ticked_users_or_all_matching(admin_client, admin_user):
    ticked = start(admin_user, UserFactory.create_batch(1))
    body = admin_client.get(f"/console/jobs/{ticked.pk}").content.decode()
    assert "selected on the table" in body and "all matching" not in body
    admin_client.post(
        "/console/users/bulk", {"action": "suspend", "all": "on", "query": "search=user"}
    )
    matching = BulkJob.objects.exclude(pk=ticked.pk).get()
    body = admin_client.get(f"/console/jobs/{matching.pk}").content.decode()
    assert "all matching “search=user”" in body
