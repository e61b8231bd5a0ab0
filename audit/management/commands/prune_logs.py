"""manage.py prune_logs [--older-than 180d]: delete old audit rows in batches, with progress.

Each batch is its own short transaction (select the oldest ids, delete them by primary key), so
pruning millions of rows never holds long locks or one huge transaction, and an interrupted run
keeps what it has done. The default age is settings.AUDIT_LOG_RETENTION_DAYS (180).
"""

import re
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from audit.models import Log

_AGE_RE = re.compile(r"\A(\d{1,6})([dhw])\Z")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
DEFAULT_BATCH = 5_000


def parse_age(text: str) -> timedelta:
    """ "180d" -> 180 days; also hours ("12h") and weeks ("26w")."""
    match = _AGE_RE.match((text or "").strip().lower())
    if not match or int(match[1]) == 0:
        raise ValueError(f"{text!r} is not an age such as 180d, 12h or 26w")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Delete audit log entries older than a given age, in batches."

    def add_arguments(self, parser):
        default = f"{getattr(settings, 'AUDIT_LOG_RETENTION_DAYS', 180)}d"
        parser.add_argument(
            "--older-than",
            default=default,
            help=f"age of the entries to delete: 180d, 12h, 26w (default {default})",
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH)
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be deleted, delete nothing"
        )

    def handle(self, *args, older_than, batch_size, dry_run, **options):
        try:
            age = parse_age(older_than)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        cutoff = timezone.now() - age
        old = Log.objects.filter(created_at__lt=cutoff)
        total = old.count()
        when = cutoff.strftime("%Y-%m-%d %H:%M:%S UTC")
        if dry_run or not total:
            verb = "Would delete" if dry_run else "Deleted"
            self.stdout.write(f"{verb} {total:,} log entries older than {when}.")
            return

        started = time.perf_counter()
        deleted = 0
        while True:
            with transaction.atomic():
                # Oldest first, by the created_at index; rows written meanwhile are newer.
                ids = list(
                    old.order_by("created_at", "id").values_list("id", flat=True)[:batch_size]
                )
                if not ids:
                    break
                count, _ = Log.objects.filter(pk__in=ids).delete()
            deleted += count
            self.stdout.write(
                f"Deleted {deleted:,} of {total:,} log entries older than {when}"
                f" ({min(100, 100 * deleted // total)} %)."
            )
            if len(ids) < batch_size:
                break
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Done: {deleted:,} log entries deleted in {elapsed:.1f} s.")
        )
