"""An import run in the background (users/import_jobs.py, docs/transfer.md).

The uploaded file is kept in the row only while the job may still need it (it can hold password
digests): it is emptied when the job ends, whatever the ending. `after_line` is the last line of
the last batch written, saved in that batch's transaction, so a new worker goes on after it.
"""

from django.db import models

from users.models.fields import id_field
from users.models.jobs import BackgroundJob


class ImportJob(BackgroundJob):
    id = id_field()
    file_name = models.CharField(max_length=200)
    format = models.CharField(max_length=8)
    on_existing = models.CharField(max_length=8)
    skip_bad_rows = models.BooleanField(default=False)
    upload = models.BinaryField(default=b"", editable=False)
    rows = models.PositiveIntegerField(default=0)  # rows in the file
    total = models.PositiveIntegerField(default=0)  # rows that passed the check (to write)
    invalid = models.PositiveIntegerField(default=0)  # rows the check refused
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)  # existing users left as they are
    failed = models.PositiveIntegerField(default=0)  # rows refused while writing
    after_line = models.PositiveIntegerField(default=0)
    # The first errors by line: [[line, field, message], ...]
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["state"], name="importjob_state_idx")]

    @property
    def written(self) -> int:
        return self.created + self.updated + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return int(100 * self.written / self.total) if self.total else 0

    @property
    def checked(self) -> bool:
        return self.rows > 0 or not self.is_active


class SetAsideIndex(models.Model):
    """An index of the user table a large import dropped to build again after its batches
    (users/transfer_pg.py): its definition, saved before the drop, so an import that dies leaves
    the next import, the jobs worker's start or `import_users --restore-indexes` able to build it."""

    name = models.CharField(max_length=63, primary_key=True)  # PostgreSQL's identifier limit
    definition = models.TextField()

    class Meta:
        db_table = "gatehouse_import_set_aside"
