"""delete_users, the set-based delete of a bulk job's batch, leaves the database exactly as one
delete_user call per user: every table loses the same rows, the sessions, tokens, grants,
memberships, roles and credentials are gone, each user keeps one `User.Delete` audit row with
their snapshot; the guards (yourself, staff, the last superuser) skip a user with delete_user's
own message; and a batch costs the same statements for three users as for twenty."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Log
from audit.recorder import Origin
from tests.access import factories as access
from tests.factories import EditorFactory, SuperuserFactory, UserFactory
from users import bulk, services
from users.models import BulkJob, User, UserSession
from users.models.credentials import Identity, MfaFactor, PersonalAccessToken, SsoIdentity

from .bulk_jobs import run, signed_in_user, start

pytestmark = pytest.mark.django_db


def console(admin) -> Origin:
    return Origin("Console", actor=admin, actor_label="admin@x", ip="192.0.2.1", user_agent="UA")


def user_with_everything(i: int) -> User:
    """A user holding a row of every kind that belongs to a user: sessions, a grant with its
    tokens and a code, identities, an MFA factor, a token, a role, a membership with a role."""
    user = signed_in_user(name=f"Doomed {i}")
    Identity.objects.create(user=user, target="github", external_user_id=f"gh-{user.pk}")
    SsoIdentity.objects.create(user=user, issuer="https://idp.example", identity_id=user.pk)
    MfaFactor.objects.create(user=user, type=MfaFactor.Type.TOTP)
    services.create_personal_access_token(user, origin=Origin("Console"), name="ci")
    access.UserRoleFactory(user=user, role=access.RoleFactory())
    access.MembershipFactory(user=user, roles=[access.OrganizationRoleFactory()])
    return user


def row_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def delete_audit(user_id) -> list:
    """The audit rows left about a deleted user, comparable between two users."""
    return [
        (
            row.key,
            row.result,
            row.user_id,
            row.actor_id,
            row.actor_label,
            row.ip,
            row.user_agent,
            sorted(row.payload["user"]),
            row.payload["user"]["id"] == user_id,
        )
        for row in Log.objects.filter(user_ref=user_id, key__endswith="User.Delete")
    ]


def test_a_batch_leaves_the_database_as_one_delete_user_call_per_user():
    admin = SuperuserFactory()
    alone = [user_with_everything(i) for i in range(3)]
    together = [user_with_everything(i) for i in range(3)]
    snapshots = {u.pk: (u.username, u.primary_email, u.name) for u in alone + together}

    before = row_counts()
    for user in alone:
        services.delete_user(user, origin=console(admin))
    after_single = row_counts()
    outcome = services.delete_users([u.pk for u in together], origin=console(admin))
    after_batch = row_counts()

    assert sorted(outcome.done) == sorted(u.pk for u in together) and outcome.skipped == {}
    single_removed = {k: before[k] - after_single[k] for k in before}
    batch_removed = {k: after_single[k] - after_batch[k] for k in before}
    assert batch_removed == single_removed
    assert single_removed["users.User"] == 3 and single_removed["signin.EndUserSession"] == 6
    assert single_removed["audit.Log"] == -3  # one User.Delete row each, nothing else removed
    for one, other in zip(alone, together, strict=True):
        assert delete_audit(other.pk) == delete_audit(one.pk) != []
        row = Log.objects.get(user_ref=other.pk, key="Console.User.Delete")
        username, email, name = snapshots[other.pk]
        assert row.user_label == email
        assert row.payload["user"] == {
            "id": other.pk,
            "username": username,
            "primaryEmail": email,
            "primaryPhone": None,
            "name": name,
        }
    gone = [u.pk for u in together]
    assert not UserSession.objects.filter(user_id__in=gone).exists()
    for model in (Identity, SsoIdentity, MfaFactor, PersonalAccessToken):
        assert not model.objects.filter(user_id__in=gone).exists()


def test_oneself_staff_and_the_last_superuser_are_skipped_with_delete_users_messages():
    editor = EditorFactory()
    staff = SuperuserFactory()
    plain = UserFactory()
    outcome = services.delete_users([editor.pk, staff.pk, plain.pk], origin=console(editor))
    assert outcome.done == [plain.pk]
    assert outcome.skipped == {
        editor.pk: "You cannot delete your own account.",
        staff.pk: "Only a superuser may change a staff account.",
    }
    User.objects.filter(is_superuser=True).exclude(pk=staff.pk).delete()
    outcome = services.delete_users([staff.pk], origin=console(EditorFactory(is_superuser=True)))
    assert outcome.done == [staff.pk]  # another active superuser is left: the new editor
    last = SuperuserFactory(is_staff=False)
    User.objects.filter(is_superuser=True).exclude(pk=last.pk).update(is_superuser=False)
    outcome = services.delete_users([last.pk], origin=console(EditorFactory()))
    assert outcome.skipped == {last.pk: "You cannot delete the last active superuser."}
    assert User.objects.filter(pk=last.pk).exists()


def test_users_gone_already_are_skipped_and_not_audited():
    outcome = services.delete_users(["nosuchuser00"], origin=console(SuperuserFactory()))
    assert outcome.skipped == {"nosuchuser00": "The user no longer exists."}
    assert not Log.objects.filter(key="Console.User.Delete").exists()


def test_a_batch_is_all_or_nothing_when_its_audit_rows_cannot_be_written(monkeypatch):
    admin = SuperuserFactory()
    users = [user_with_everything(i) for i in range(2)]
    before = row_counts()

    def fail(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "record_many", fail)
    with pytest.raises(RuntimeError):
        services.delete_users([u.pk for u in users], origin=console(admin))
    assert row_counts() == before


def test_a_batch_costs_the_same_statements_for_three_users_as_for_twenty():
    admin = SuperuserFactory()
    few = [user_with_everything(i) for i in range(3)]
    many = [user_with_everything(i) for i in range(20)]
    with CaptureQueriesContext(connection) as small:
        services.delete_users([u.pk for u in few], origin=console(admin))
    with CaptureQueriesContext(connection) as large:
        services.delete_users([u.pk for u in many], origin=console(admin))
    assert len(large) == len(small)
    assert not User.objects.filter(pk__in=[u.pk for u in few + many]).exists()


def test_a_delete_job_goes_through_the_set_based_verb_and_reports_the_guards():
    admin = SuperuserFactory()
    users = [UserFactory() for _ in range(4)]
    job = run(start(admin, [*users, admin], action=BulkJob.Action.DELETE), batch_size=2)
    assert (job.state, job.done, job.skipped, job.failed) == ("done", 4, 1, 0)
    assert job.items.get(user_id=admin.pk).reason == "You cannot delete your own account."
    assert not User.objects.filter(pk__in=[u.pk for u in users]).exists()
    assert Log.objects.filter(key="Console.User.Delete").count() == 4
    assert bulk.SET_BASED_VERBS[BulkJob.Action.DELETE] == (services, "delete_users")
