"""Bulk actions as background jobs (docs/jobs.md).

`create_job` writes the job row and queues `run_bulk_job` once the request's transaction commits.
The selection becomes one `BulkJobItem` per user, written by a single INSERT ... SELECT: for
ticked ids in the request, for "all matching" a table query by the job's first step
(`_freeze_selection`, restart-safe), so the request does no work in proportion to the users.
`run_job` (the task's body) then works through the pending items in batches: each batch is one
transaction that locks its items, applies the action to the batch through the action's
set-based service verb (`services.suspend_users`, `services.delete_users`, ...: the single-user
verb's guards and audit rows, in a few statements per batch), and saves the items' outcomes and
the job's counters with it. So the report is never ahead of or behind the users: a worker killed
mid-batch rolls the whole batch back, and the next worker goes on from the items still pending
(`recover_interrupted_jobs`, run by every worker when it starts and then periodically).
Cancelling sets `cancelling` (never waiting for a batch: the job row is not held during one);
the runner sees it between batches.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.http import QueryDict
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

# django-tasks-rq (TASKS_BACKEND=rq) raises the django-tasks backport's exception, not Django's.
from django_tasks.exceptions import TaskResultDoesNotExist as BrokerTaskResultDoesNotExist

from audit.recorder import Origin, record
from users import services
from users.access import organizations as organization_services
from users.access import roles as role_services
from users.errors import ServiceError, StaleError
from users.filters import matching_users
from users.models import BulkJob, BulkJobItem, Membership, Organization, Role, User

logger = logging.getLogger(__name__)

Action = BulkJob.Action
State = BulkJob.State
Outcome = BulkJobItem.Outcome
MAX_ATTEMPTS = BulkJob.MAX_ATTEMPTS
ACTIONS_WITH_ROLE = {Action.ASSIGN_ROLE, Action.REMOVE_ROLE}
ACTIONS_WITH_ORGANIZATION = {Action.ADD_ORGANIZATION, Action.REMOVE_ORGANIZATION}
FREEZE_LOCK = 1_820_014  # the advisory lock class of a job's freeze (PostgreSQL)


class JobStopped(Exception):
    """The job cannot go on (its admin may no longer act, its role was deleted...)."""


# --- Creating a job ----------------------------------------------------------------------


def create_job(
    *, action, origin: Origin, selection: dict, parameters=None, users=None, confirmed=None
) -> BulkJob:
    """A queued job. With `users` (a queryset: the ticked ids) its items are written now, in one
    statement; without, `selection` is "all matching" a table query, which the job's first step
    freezes (`_freeze_selection`), so starting a job on a million users writes one row.
    `confirmed`: the count the admin previewed or typed (the job reports a difference).

    Call it inside a transaction (the view's): the caller may still refuse the job (a typed count
    that no longer matches `job.total`) and roll it back.
    """
    if users is None:
        selection = {**selection, "confirmed": confirmed, "frozen": False}
    job = BulkJob.objects.create(
        action=action,
        parameters=parameters or {},
        selection=selection,
        **BulkJob.started_by(origin),
    )
    if users is not None:
        job.total = _write_items(job, users)
        job.save(update_fields=["total"])
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


def _write_items(job: BulkJob, users) -> int:
    """One pending item per user of `users` (a queryset), by a single INSERT ... SELECT."""
    sql, params = users.order_by().values(selected_id=F("pk")).query.sql_with_params()
    items = BulkJobItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {items} (job_id, user_id, outcome, reason) "
            f"SELECT %s, selected.selected_id, %s, '' FROM ({sql}) selected",
            [job.pk, str(Outcome.PENDING), *params],
        )
        return cursor.rowcount


def _freeze_selection(job_id: str) -> BulkJob:
    """The first step of an "all matching" job: its items, written with the mark that they are
    in one transaction, so a crash mid-way leaves neither and the next run freezes again. Two
    runs of one job never both write them: the second waits for the first's lock (PostgreSQL's
    advisory lock on the job; SQLite has one writer at a time) and then finds the mark. The job
    row itself is not locked, so Cancel does not wait for a freeze."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [FREEZE_LOCK, job_id]
                )
        job = BulkJob.objects.get(pk=job_id)
        if not job.is_preparing:
            return job
        users = matching_users(QueryDict(job.selection.get("query", "")))
        job.total = _write_items(job, users)
        job.selection = {**job.selection, "frozen": True}
        job.heartbeat_at = timezone.now()
        BulkJob.objects.filter(pk=job.pk).update(
            total=job.total, selection=job.selection, heartbeat_at=job.heartbeat_at
        )
    return job


def enqueue(job_id: str) -> None:
    BulkJob.queue(job_id, run_bulk_job)


def cancel_job(job: BulkJob) -> BulkJob:
    """Ask the job (a bulk job or an import) to stop after its current batch (a queued job
    stops before its first)."""
    type(job).objects.filter(pk=job.pk, state__in=[State.QUEUED, State.RUNNING]).update(
        state=State.CANCELLING
    )
    job.refresh_from_db()
    return job


# --- Running a job -----------------------------------------------------------------------


@task()
def run_bulk_job(job_id: str) -> dict:
    job = run_job(job_id)
    return {"state": job.state, "done": job.done, "skipped": job.skipped, "failed": job.failed}


def run_job(job_id: str, *, batch_size: int | None = None) -> BulkJob:
    """Work through the job's pending items to the end (or a cancel); returns the job."""
    batch_size = batch_size or settings.BULK_JOB_BATCH_SIZE
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if not job.is_active:
            return job
        if too_often := job.start_attempt():
            return _finish(job, State.FAILED, too_often)
    if job.is_preparing and job.state != State.CANCELLING:
        job = _freeze_selection(job_id)
        if grown := _grown_since_confirmed(job):
            with transaction.atomic():
                return _finish(job, State.FAILED, grown)
    while True:
        try:
            with transaction.atomic():
                # The job row is not locked during a batch: Cancel (an UPDATE of it) must not
                # wait for one. The batch locks its items instead, and adds to the counters.
                job = BulkJob.objects.get(pk=job_id)
                if job.state == State.CANCELLING:
                    return _finish(job, State.CANCELLED)
                if not job.is_active:
                    return job
                more = _run_batch(job, batch_size)
                if more is None:
                    return job  # another run of this job holds the rest; it will finish it
                if not more:
                    return _finish(job, State.DONE)
        except JobStopped as stop:
            # The batch rolled back whole: its users are untouched and still pending.
            with transaction.atomic():
                return _finish(job, State.FAILED, str(stop))


def _grown_since_confirmed(job: BulkJob) -> str:
    """Why a delete must not go on: more users match now than the admin confirmed (they typed
    the count they saw). Any other difference is acted on and shown on the job's page."""
    confirmed = job.selection.get("confirmed")
    if job.action != Action.DELETE or confirmed is None or job.total <= confirmed:
        return ""
    return (
        f"{job.total:,} users match now, more than the {confirmed:,} you confirmed: nobody was "
        "deleted. Start the delete again to confirm the new count."
    )


def _origin(job: BulkJob) -> Origin:
    if job.actor_id is None:
        raise JobStopped("The admin who started this job no longer exists.")
    actor = User.objects.get(pk=job.actor_id)
    needed = "users.delete_user" if job.action == Action.DELETE else "users.change_user"
    # Checked again for every batch, as the views check it (a suspended admin is refused by
    # the service's own re-check of the actor, with its message).
    if actor.is_active and not actor.has_perm(needed):
        raise JobStopped("The admin who started this job may no longer do this.")
    return job.origin(actor)


def _target(job: BulkJob):
    """The role or organization the action is about, or None."""
    try:
        if job.action in ACTIONS_WITH_ROLE:
            return Role.objects.get(pk=job.parameters.get("role"))
        if job.action in ACTIONS_WITH_ORGANIZATION:
            return Organization.objects.get(pk=job.parameters.get("organization"))
    except (Role.DoesNotExist, Organization.DoesNotExist):
        raise JobStopped("Its role or organization was deleted.") from None
    return None


def _run_batch(job: BulkJob, batch_size: int) -> bool | None:
    """Apply the action to the next pending items and save their outcomes; False when none
    were left, None when the rest is locked by another run of the job (PostgreSQL: a second
    worker after a false alarm). Runs inside the batch's transaction, with its items locked."""
    pending = job.items.filter(outcome=Outcome.PENDING).order_by("id")
    items = list(pending.select_for_update(skip_locked=True)[:batch_size])
    if not items:
        return None if pending.exists() else False
    origin, target = _origin(job), _target(job)
    outcomes = _apply_set_based(job.action, items, target, origin)
    if outcomes is None:
        outcomes = _apply_one_by_one(job.action, items, target, origin)
    counts = {Outcome.DONE: 0, Outcome.SKIPPED: 0, Outcome.FAILED: 0}
    done_ids, reported = [], []
    for item in items:
        item.outcome, item.reason = outcomes[item.user_id]
        counts[item.outcome] += 1
        if item.outcome == Outcome.DONE:
            done_ids.append(item.pk)
        else:
            reported.append(item)
    BulkJobItem.objects.filter(pk__in=done_ids).update(outcome=Outcome.DONE)
    BulkJobItem.objects.bulk_update(reported, ["outcome", "reason"])
    BulkJob.objects.filter(pk=job.pk).update(
        done=F("done") + counts[Outcome.DONE],
        skipped=F("skipped") + counts[Outcome.SKIPPED],
        failed=F("failed") + counts[Outcome.FAILED],
        heartbeat_at=timezone.now(),
    )
    return True


# The actions with a set-based verb in users/services.py: a batch is a few statements.
SET_BASED_VERBS = {
    Action.SUSPEND: (services, "suspend_users"),
    Action.REACTIVATE: (services, "reactivate_users"),
    Action.EXPIRE_PASSWORD: (services, "expire_passwords"),
    Action.DELETE: (services, "delete_users"),
    Action.ASSIGN_ROLE: (role_services, "assign_role_to_users"),
    Action.REMOVE_ROLE: (role_services, "remove_role_from_users"),
    Action.ADD_ORGANIZATION: (organization_services, "add_users_to_organization"),
    Action.REMOVE_ORGANIZATION: (organization_services, "remove_users_from_organization"),
}


def _apply_set_based(action, items, target, origin: Origin) -> dict | None:
    """The batch through the action's set-based verb: user id -> (outcome, reason); None when
    the action has none, or the verb failed unexpectedly (then each user goes alone, so the
    report names the one that fails)."""
    if action not in SET_BASED_VERBS:
        return None
    module, name = SET_BASED_VERBS[action]
    verb = getattr(module, name)
    ids = [item.user_id for item in items]
    try:
        with transaction.atomic():
            result = verb(ids, target, origin=origin) if target else verb(ids, origin=origin)
    except StaleError as error:
        if error.code == "actor.changed":
            raise JobStopped(error.message) from None
        raise
    except Exception:  # noqa: BLE001 - retried one by one, which reports the failing user
        logger.exception("Bulk job: %s failed for a batch; trying its users one by one", action)
        return None
    outcomes = dict.fromkeys(result.done, (Outcome.DONE, ""))
    outcomes.update({k: (Outcome.SKIPPED, reason[:300]) for k, reason in result.skipped.items()})
    return outcomes


def _apply_one_by_one(action, items, target, origin: Origin) -> dict:
    """Each user of the batch through the single-user verb: user id -> (outcome, reason)."""
    users = User.objects.in_bulk([item.user_id for item in items])
    outcomes = {}
    for item in items:
        user = users.get(item.user_id)
        if user is None:
            outcomes[item.user_id] = (Outcome.SKIPPED, "The user no longer exists.")
        else:
            outcomes[item.user_id] = _apply_one(action, user, target, origin)
    return outcomes


def _apply_one(action, user: User, target, origin: Origin) -> tuple[str, str]:
    """One user through the service verb: (outcome, reason)."""
    try:
        with transaction.atomic():
            return _act(action, user, target, origin)
    except StaleError as error:
        if error.code == "actor.changed":
            raise JobStopped(error.message) from None
        return Outcome.SKIPPED, error.message[:300]
    except ServiceError as error:  # a guard: yourself, the last superuser, a staff account
        return Outcome.SKIPPED, error.message[:300]
    except ValidationError as error:
        return Outcome.SKIPPED, " ".join(error.messages)[:300]
    except Exception:  # noqa: BLE001 - one user's failure is reported, the job goes on
        logger.exception("Bulk job: %s failed for user %s", action, user.pk)
        return Outcome.FAILED, "Unexpected error (see the server log)."


def _act(action, user: User, target, origin: Origin) -> tuple[str, str]:
    done = (Outcome.DONE, "")
    match action:
        case Action.SUSPEND:
            if user.is_suspended:
                return Outcome.SKIPPED, "Already suspended."
            services.suspend_user(user, origin=origin)
        case Action.REACTIVATE:
            if not user.is_suspended:
                return Outcome.SKIPPED, "Not suspended."
            services.reactivate_user(user, origin=origin)
        case Action.EXPIRE_PASSWORD:
            if user.is_password_expired:
                return Outcome.SKIPPED, "Password already expired."
            services.set_password_expired(user, origin=origin, expired=True)
        case Action.DELETE:
            services.delete_user(user, origin=origin)
        case Action.ASSIGN_ROLE:
            if not role_services.assign_roles(user, [target], origin=origin):
                return Outcome.SKIPPED, "Already has this role."
        case Action.REMOVE_ROLE:
            if not role_services.remove_role(user, target, origin=origin):
                return Outcome.SKIPPED, "Does not have this role."
        case Action.ADD_ORGANIZATION:
            if Membership.objects.filter(user=user, organization=target).exists():
                return Outcome.SKIPPED, "Already a member."
            organization_services.add_membership(user, target, origin=origin)
        case Action.REMOVE_ORGANIZATION:
            if not organization_services.remove_membership(user, target, origin=origin):
                return Outcome.SKIPPED, "Not a member."
        case _:
            raise JobStopped(f"Unknown action {action!r}.")
    return done


def _finish(job: BulkJob, state: str, error: str = "") -> BulkJob:
    """End the job with its one audit row (call inside a transaction)."""
    ended = BulkJob.end(job.pk, state, error)
    if ended is None:
        return BulkJob.objects.get(pk=job.pk)  # another run ended it first: one audit row
    record(
        "Users.BulkJob.Finish",
        origin=ended.origin(),
        payload={
            "job": ended.pk,
            "action": ended.action,
            "parameters": ended.parameters,
            "selection": ended.selection,
            "state": state,
            "total": ended.total,
            "done": ended.done,
            "skipped": ended.skipped,
            "failed": ended.failed,
            **({"error": ended.error} if ended.error else {}),
        },
    )
    return ended


# --- After a crash -----------------------------------------------------------------------


def recover_interrupted_jobs(
    *, stale_after: int | None = None, worker_id: str = "", model=BulkJob, requeue=None
) -> list[str]:
    """Queue again every active job whose worker is gone, and return their ids (`model` and
    `requeue`: another kind of job with the same task and heartbeat fields, e.g. imports).

    A worker is gone when the job's task was claimed by `worker_id` (the worker starting now
    under the same stable id: its previous life died mid-task), or when no batch was saved for
    `stale_after` seconds and no task of the job waits in the queue. The items still pending are
    what remains; what was reported stays reported."""
    if stale_after is None:
        stale_after = settings.BULK_JOB_STALE_SECONDS
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    recovered = []
    for job in model.objects.filter(state__in=model.ACTIVE_STATES).order_by("created_at"):
        result = _task_result(job.task_id)
        mine = bool(
            worker_id
            and result is not None
            and result.status == TaskResultStatus.RUNNING
            and result.worker_ids
            and result.worker_ids[-1] == worker_id
        )
        if result is not None and result.status == TaskResultStatus.READY:
            continue  # a worker will pick it up
        if not mine and job.heartbeat_at and job.heartbeat_at > cutoff:
            continue  # its worker is probably alive
        updated = model.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            heartbeat_at=timezone.now()
        )
        if updated:  # another worker starting at the same moment did not take it first
            _mark_abandoned(job.task_id)
            (requeue or enqueue)(job.pk)
            recovered.append(job.pk)
    return recovered


def _task_result(task_id: str):
    if not task_id:
        return None
    try:
        return task_backends[DEFAULT_TASK_BACKEND_ALIAS].get_result(task_id)
    except (TaskResultDoesNotExist, BrokerTaskResultDoesNotExist, NotImplementedError):
        return None


def _mark_abandoned(task_id: str) -> None:
    """The dead worker's task row would stay "running" for ever in django-tasks-db's table."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if task_id and isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now()
        )
