"""Two runs of one "all matching" job freezing its selection at the same moment (a recovery's
false alarm): one writes the items, the other waits for it and finds them written; never two
sets. Real threads, real transactions: run on SQLite and on PostgreSQL (DATABASE_URL)."""

import pytest
from django.db import transaction

from tests.factories import SuperuserFactory, UserFactory
from tests.users.bulk_jobs import origin_of
from tests.users.race import race
from users import bulk
from users.models import BulkJobItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_runs_freezing_one_job_at_once_write_its_items_once():
    for i in range(5):
        UserFactory(username=f"raced_{i}")
    with transaction.atomic():
        job = bulk.create_job(
            action="suspend",
            origin=origin_of(SuperuserFactory()),
            selection={"query": "search=raced"},
            confirmed=5,
        )
    outcomes = race(
        lambda: bulk._freeze_selection(job.pk).total,
        lambda: bulk._freeze_selection(job.pk).total,
    )
    assert outcomes == [5, 5]
    assert BulkJobItem.objects.filter(job=job).count() == 5
