"""Helpers for the bulk job tests: start a job as an admin and run it in this process."""

from audit.recorder import Origin
from users import bulk
from users.models import User


def origin_of(admin) -> Origin:
    return Origin(channel="Console", actor=admin, actor_label=admin.primary_email)


def start(admin, users, action="suspend", **parameters):
    """A queued job over `users` (a list or a queryset), created as the console creates it."""
    if isinstance(users, list):
        users = User.objects.filter(pk__in=[u.pk for u in users])
    return bulk.create_job(
        action=action,
        users=users,
        origin=origin_of(admin),
        selection={"ids": list(users.values_list("pk", flat=True))},
        parameters=parameters,
    )


def run(job, batch_size=None):
    return bulk.run_job(job.pk, batch_size=batch_size)
