"""Bulk actions on many users, run in the background (users/bulk.py, docs/jobs.md).

A `BulkJob` is one admin's act on a selection; its `BulkJobItem` rows are the selection, frozen
when the job is created (one row per user, `pending` until a batch reports it), and then the
per-row report: done, skipped (a guard refused, with the reason) or failed.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from users.models.fields import id_field


class BackgroundJob(models.Model):
    """What every background job has: its state, who started it and from where, its task and
    the times a worker saw it (a running job whose heartbeat is old lost its worker)."""

    class State(models.TextChoices):  # the labels are the names': "Queued", ...
        QUEUED = "queued"
        RUNNING = "running"
        CANCELLING = "cancelling"
        CANCELLED = "cancelled"
        DONE = "done"
        FAILED = "failed"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING, State.CANCELLING)
    # A job started this often by a worker ends as failed rather than kill workers for ever.
    MAX_ATTEMPTS = 3

    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    # Who acts and from where (the Origin of every service call the job makes).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=320, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # How many workers have started it: a job that kills its worker every time ends as failed.
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with every batch: a running job whose heartbeat is old lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def started_by(origin) -> dict:
        """The fields of a job queued now by `origin` (an audit Origin: who acts, from where)."""
        now = timezone.now()
        return {
            "actor": origin.actor,
            "actor_label": origin.actor_label,
            "ip": origin.ip,
            "user_agent": origin.user_agent,
            "created_at": now,
            "heartbeat_at": now,
        }

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def can_be_cancelled(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    def origin(self, actor=None):
        """The audit Origin of what the job does: its admin (as given, or as stored), from where
        they started it."""
        from audit.recorder import Origin

        return Origin(
            channel="Console",
            actor=actor or self.actor,
            actor_label=self.actor_label,
            ip=self.ip,
            user_agent=self.user_agent,
        )

    @classmethod
    def queue(cls, job_id: str, task) -> None:
        """Enqueue `task(job_id)` and note its id on the job (for the recovery's look)."""
        result = task.enqueue(job_id)
        cls.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])

    def start_attempt(self) -> str:
        """A worker starts on the job (the caller holds its row locked): one attempt more, and
        running; or, when it was started MAX_ATTEMPTS times already, the error to end it with."""
        if self.attempts >= self.MAX_ATTEMPTS:
            return "Stopped: it was interrupted too many times."
        self.attempts += 1
        if self.state == self.State.QUEUED:
            self.state = self.State.RUNNING
        self.started_at = self.started_at or timezone.now()
        self.heartbeat_at = timezone.now()
        self.save(update_fields=["attempts", "state", "started_at", "heartbeat_at"])
        return ""

    @classmethod
    def end(cls, job_id: str, state: str, error: str = "", **values):
        """End the job (inside the caller's transaction, which then writes its one audit row):
        the job as ended, with `values` saved too; None when another run ended it first."""
        job = cls.objects.select_for_update().get(pk=job_id)
        if not job.is_active:
            return None
        job.state, job.error = state, error[:500]
        job.finished_at = job.heartbeat_at = timezone.now()
        for name, value in values.items():
            setattr(job, name, value)
        job.save(update_fields=["state", "error", "finished_at", "heartbeat_at", *values])
        return job


class BulkJob(BackgroundJob):
    class Action(models.TextChoices):
        SUSPEND = "suspend"
        REACTIVATE = "reactivate"
        ASSIGN_ROLE = "assign_role", "Assign a role"
        REMOVE_ROLE = "remove_role", "Remove a role"
        ADD_ORGANIZATION = "add_organization", "Add to an organization"
        REMOVE_ORGANIZATION = "remove_organization", "Remove from an organization"
        EXPIRE_PASSWORD = "expire_password", "Expire passwords"
        DELETE = "delete"

    id = id_field()
    action = models.CharField(max_length=32, choices=Action.choices)
    # The action's object: {"role": id} or {"organization": id}; empty for the others.
    parameters = models.JSONField(default=dict, blank=True)
    # What the admin selected: {"ids": [...]} or {"query": "search=..."} (the table URL's query).
    selection = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["state"], name="bulkjob_state_idx")]

    @property
    def reported(self) -> int:
        return self.done + self.skipped + self.failed

    @property
    def percent(self) -> int:
        return int(100 * self.reported / self.total) if self.total else 100

    @property
    def selects_all_matching(self) -> bool:
        return "query" in self.selection

    @property
    def is_preparing(self) -> bool:
        """An "all matching" job whose first step has not written its items yet."""
        return self.selection.get("frozen") is False and self.is_active

    @property
    def confirmed_difference(self) -> int:
        """How many more (or, below 0, fewer) users the frozen selection holds than the admin
        confirmed when starting the job (users changed meanwhile); 0 before the freeze."""
        confirmed = self.selection.get("confirmed")
        if confirmed is None or self.selection.get("frozen") is not True:
            return 0
        return self.total - confirmed


class BulkJobItem(models.Model):
    class Outcome(models.TextChoices):  # the labels are the names': "Pending", ...
        PENDING = "pending"
        DONE = "done"
        SKIPPED = "skipped"
        FAILED = "failed"

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    # No foreign key: a deleted user's row stays in the report.
    user_id = models.CharField(max_length=12)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["job", "outcome", "id"], name="bulkjobitem_job_outcome_idx")
        ]
