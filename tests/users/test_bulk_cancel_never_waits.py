"""On PostgreSQL, Cancel answers at once while a batch is running: the batch locks its items,
never the job row that Cancel updates."""

import threading
import time

import pytest
from django.db import connection, transaction

from tests.factories import SuperuserFactory, UserFactory
from tests.users.bulk_jobs import start
from users import bulk
from users.models import BulkJob


@pytest.mark.django_db(transaction=True)
def test_cancel_does_not_wait_for_the_batch_in_progress():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers: there Cancel waits for the batch")
    job = start(SuperuserFactory(), UserFactory.create_batch(3))
    in_batch, release = threading.Event(), threading.Event()

    def slow_batch():
        try:
            with transaction.atomic():
                pending = BulkJob.objects.get(pk=job.pk).items.filter(outcome="pending")
                list(pending.select_for_update(skip_locked=True))  # what _run_batch locks
                BulkJob.objects.get(pk=job.pk)  # and it reads the job, as the runner does
                in_batch.set()
                release.wait(10)
        finally:
            connection.close()

    worker = threading.Thread(target=slow_batch)
    worker.start()
    try:
        assert in_batch.wait(10)
        began = time.monotonic()
        assert bulk.cancel_job(job).state == BulkJob.State.CANCELLING
        assert time.monotonic() - began < 1
    finally:
        release.set()
        worker.join()
