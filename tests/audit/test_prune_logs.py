"""manage.py prune_logs: deletes only entries older than the given age, in batches, with progress."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.management.commands.prune_logs import parse_age
from audit.models import Log
from tests.audit.factories import LogFactory

pytestmark = pytest.mark.django_db


def ages(*days):
    now = timezone.now()
    return [LogFactory(created_at=now - timedelta(days=d)) for d in days]


def prune(*args):
    out = StringIO()
    call_command("prune_logs", *args, stdout=out)
    return out.getvalue()


def test_it_deletes_only_entries_older_than_the_age_in_batches_and_reports_progress():
    old = ages(*[200 + i for i in range(7)])
    young = ages(1, 179)
    output = prune("--older-than", "180d", "--batch-size", "3")
    assert set(Log.objects.values_list("id", flat=True)) == {log.id for log in young}
    assert not Log.objects.filter(id__in=[log.id for log in old]).exists()
    lines = output.splitlines()
    assert lines[0].startswith("Deleted 3 of 7 log entries older than ")
    assert lines[1].startswith("Deleted 6 of 7 ")
    assert lines[2].startswith("Deleted 7 of 7 ") and "(100 %)" in lines[2]
    assert lines[3].startswith("Done: 7 log entries deleted")


def test_the_default_age_is_the_retention_setting(settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 30
    ages(31, 29)
    prune()
    assert Log.objects.count() == 1


def test_without_a_setting_the_default_is_180_days(settings):
    del settings.AUDIT_LOG_RETENTION_DAYS
    ages(181, 179)
    prune()
    assert Log.objects.count() == 1


def test_hours_and_weeks_work_too():
    assert parse_age("12h") == timedelta(hours=12)
    assert parse_age("26w") == timedelta(weeks=26)


def test_a_dry_run_counts_and_deletes_nothing():
    ages(400, 300, 1)
    assert prune("--older-than", "180d", "--dry-run").startswith("Would delete 2 log entries")
    assert Log.objects.count() == 3


def test_nothing_to_delete_says_so():
    ages(1)
    assert prune("--older-than", "180d").startswith("Deleted 0 log entries")


@pytest.mark.parametrize("age", ["180", "0d", "-5d", "1y", "d", "180 days"])
def test_a_nonsense_age_is_refused(age):
    with pytest.raises(CommandError):
        prune("--older-than", age)


def test_a_zero_batch_is_refused():
    with pytest.raises(CommandError):
        prune("--batch-size", "0")
