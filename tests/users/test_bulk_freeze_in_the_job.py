"""Starting a job on "all N matching" does no work in proportion to N in the request: it writes
the job row with the table's query and the count the admin confirmed; the job's first step
freezes the selection (restart-safe: a crash mid-freeze leaves nothing, the next run freezes once)
and its page says "Preparing" until then. When users changed in between, the job acts on the
frozen set and its page says how it differs from the confirmed count; a delete that would now
take more users than were confirmed stops without deleting anyone."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.users.bulk_jobs import run
from users import bulk
from users.models import BulkJob, BulkJobItem, User

pytestmark = pytest.mark.django_db
URL = "/console/users/bulk"


def start_all(client, action, search, confirmation=None):
    data = {"action": action, "all": "on", "query": f"search={search}"}
    if confirmation is not None:  # typed after the preview, which showed this count
        data.update(confirmation=str(confirmation), previewed=str(confirmation))
    response = client.post(URL, data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()
    return BulkJob.objects.latest("created_at")


def make_users(prefix, count):
    for i in range(count):
        UserFactory(username=f"{prefix}_{i}", primary_email=f"{prefix}{i}@example.com")


def test_the_request_writes_the_job_alone_and_its_statements_do_not_grow_with_the_users(
    admin_client,
):
    make_users("few", 110)
    make_users("many", 300)
    with CaptureQueriesContext(connection) as few:
        small = start_all(admin_client, "suspend", "few", confirmation=110)
    with CaptureQueriesContext(connection) as many:
        large = start_all(admin_client, "suspend", "many", confirmation=300)
    assert len(many) == len(few)
    assert not BulkJobItem.objects.exists()
    assert large.selection == {"query": "search=many", "confirmed": 300, "frozen": False}
    assert (small.total, large.total, large.state) == (0, 0, "queued")
    counted = [q["sql"] for q in many if "COUNT(" in q["sql"].upper()]
    assert all("LIMIT 101" in sql for sql in counted), counted  # never a count of every user


def test_the_preview_hands_its_count_to_the_start_which_refuses_another_typed_one(admin_client):
    make_users("shown", 101)
    data = {"action": "suspend", "all": "on", "query": "search=shown"}
    preview = admin_client.get(URL, data).content.decode()
    assert 'name="previewed" value="101"' in preview and "Type 101 to confirm" in preview
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(URL, {**data, "previewed": "101", "confirmation": "100"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Type 101 exactly" in response.content.decode() and not BulkJob.objects.exists()
    counted = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert all("LIMIT 101" in sql for sql in counted), counted


def test_the_page_says_preparing_until_the_job_has_frozen_its_selection(admin_client):
    make_users("prep", 3)
    job = start_all(admin_client, "suspend", "prep")
    body = admin_client.get(f"/console/jobs/{job.pk}").content.decode()
    assert "Preparing: finding the 3 users that match" in body and 'hx-trigger="every 1s"' in body
    assert "on 3 users (all matching" in body  # the confirmed count, not the 0 frozen so far
    run(job)
    body = admin_client.get(f"/console/jobs/{job.pk}").content.decode()
    assert "Preparing" not in body and "3 of 3 done or skipped" in body


def test_a_crash_mid_freeze_leaves_nothing_and_the_next_run_freezes_once(admin_client, monkeypatch):
    make_users("crash", 4)
    job = start_all(admin_client, "suspend", "crash")
    write_items = bulk._write_items

    def write_then_die(job, users):
        write_items(job, users)
        raise RuntimeError("worker killed mid-freeze")

    monkeypatch.setattr(bulk, "_write_items", write_then_die)
    with pytest.raises(RuntimeError):
        run(job)
    job.refresh_from_db()
    assert job.is_preparing and not job.items.exists()
    monkeypatch.setattr(bulk, "_write_items", write_items)
    job = run(job)
    assert (job.state, job.total, job.done, job.items.count()) == ("done", 4, 4, 4)


def test_freezing_again_adds_no_second_set_of_items(admin_client):
    make_users("twice", 3)
    job = start_all(admin_client, "suspend", "twice")
    bulk._freeze_selection(job.pk)
    bulk._freeze_selection(job.pk)
    assert BulkJobItem.objects.filter(job=job).count() == 3


def test_users_added_meanwhile_are_acted_on_and_the_page_says_how_many_more(admin_client):
    make_users("grew", 3)
    job = start_all(admin_client, "suspend", "grew")
    make_users("grew_late", 2)
    job = run(job)
    assert (job.state, job.total, job.done) == ("done", 5, 5)
    body = admin_client.get(f"/console/jobs/{job.pk}").content.decode()
    assert "5 users matched when the job started: 2 more than the 3 confirmed" in body
    assert "The job acts on those." in body


def delete_three_after(client, prefix, change):
    """A delete of 3 users confirmed, `change()` between the start and the freeze; the job run
    and its page."""
    make_users(prefix, 3)
    job = start_all(client, "delete", prefix, confirmation=3)
    change()
    job = run(job)
    return job, client.get(f"/console/jobs/{job.pk}").content.decode()


def test_a_delete_whose_selection_grew_deletes_nobody_and_says_why(admin_client):
    job, page = delete_three_after(admin_client, "doomed", lambda: make_users("doomed_late", 1))
    assert job.state == "failed" and job.done == 0
    assert User.objects.filter(username__startswith="doomed").count() == 4
    assert "4 users match now, more than the 3 you confirmed: nobody was deleted." in page
    assert "Not processed" in page


def test_a_delete_whose_selection_shrank_deletes_the_rest_and_says_how_many_fewer(admin_client):
    job, page = delete_three_after(
        admin_client, "shrank", lambda: User.objects.filter(username="shrank_0").delete()
    )
    assert (job.state, job.total, job.done) == ("done", 2, 2)
    assert not User.objects.filter(username__startswith="shrank").exists()
    assert "1 fewer than the 3 confirmed" in page


def test_a_job_cancelled_before_its_freeze_never_freezes(admin_client):
    make_users("never", 3)
    job = start_all(admin_client, "suspend", "never")
    bulk.cancel_job(job)
    job = run(job)
    assert job.state == "cancelled" and not job.items.exists()
    assert not User.objects.filter(username__startswith="never", is_suspended=True).exists()
