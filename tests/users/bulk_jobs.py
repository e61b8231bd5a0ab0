"""Helpers for the bulk job tests: start a job as an admin and run it in this process."""

import secrets
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_grant_model, get_id_token_model

from audit.recorder import Origin
from tests.factories import ApplicationFactory, UserFactory
from tests.signin.session_helpers import give_grant, sign_in_browser
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


def signed_in_user(**fields) -> User:
    """A user with a console-style session, a browser sign-in, an application's grant (access,
    refresh and ID token, an authorization code)."""
    user = UserFactory(**fields)
    sign_in_browser(Client(), user)
    _, access, _ = give_grant(user, ApplicationFactory())
    now = timezone.now()
    id_token = get_id_token_model().objects.create(
        user=user, application=access.application, expires=now + timedelta(hours=1)
    )
    access.id_token = id_token
    access.save(update_fields=["id_token"])
    get_grant_model().objects.create(
        user=user,
        application=access.application,
        code=secrets.token_urlsafe(20),
        expires=now + timedelta(minutes=5),
        redirect_uri="https://app.example/cb",
    )
    return user
