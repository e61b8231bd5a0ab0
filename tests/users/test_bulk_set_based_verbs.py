"""The set-based verbs (suspend_users, reactivate_users, expire_passwords) leave the database
exactly as one call of the single-user verb per user would: the same change, the same sessions,
grants and tokens ended, the same audit rows; a guard skips a user with the single verb's own
message; and a batch is one transaction, of a few statements whatever its size."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from audit.models import Log
from audit.recorder import Origin
from signin.models import EndUserSession
from tests.factories import EditorFactory, SuperuserFactory, UserFactory
from tests.users.bulk_jobs import signed_in_user
from users import services
from users.errors import GuardError
from users.models import User, UserSession

pytestmark = pytest.mark.django_db

VERBS = {
    "suspend": (services.suspend_user, services.suspend_users, {}),
    "reactivate": (services.reactivate_user, services.reactivate_users, {"is_suspended": True}),
    "expire": (
        lambda user, *, origin: services.set_password_expired(user, origin=origin, expired=True),
        services.expire_passwords,
        {},
    ),
}


def console(admin) -> Origin:
    return Origin("Console", actor=admin, actor_label="admin@x", ip="192.0.2.1", user_agent="UA")


def state_of(user_id) -> dict:
    """Everything a verb may change about one user, comparable between two users."""
    user = User.objects.get(pk=user_id)
    rows = EndUserSession.objects.filter(user_id=user_id)
    return {
        "suspended": user.is_suspended,
        "password_expired": user.is_password_expired,
        "console_sessions": UserSession.objects.filter(user_id=user_id).count(),
        "end_user_sessions": sorted((r.kind, r.ended_at is None, r.end_reason) for r in rows),
        "refresh_tokens_live": get_refresh_token_model()
        .objects.filter(user_id=user_id, revoked__isnull=True)
        .count(),
        "access_tokens": get_access_token_model().objects.filter(user_id=user_id).count(),
        "id_tokens": get_id_token_model().objects.filter(user_id=user_id).count(),
        "grants": get_grant_model().objects.filter(user_id=user_id).count(),
        "audit": sorted(
            (
                row.key,
                row.result,
                row.user_id == user_id,
                row.user_ref == user_id,
                row.user_label == (user.primary_email or user.username or user.primary_phone),
                row.actor_id,
                row.actor_label,
                row.application_id,
                row.ip,
                row.user_agent,
                repr(row.payload),
            )
            for row in Log.objects.filter(user_ref=user_id)
        ),
    }


@pytest.mark.parametrize("verb", VERBS)
def test_a_batch_leaves_each_user_as_the_single_verb_leaves_one(verb):
    single, batch, fields = VERBS[verb]
    admin = SuperuserFactory()
    alone = [signed_in_user(**fields) for _ in range(3)]
    together = [signed_in_user(**fields) for _ in range(3)]
    for user in alone:
        single(user, origin=console(admin))
    outcome = batch([u.pk for u in together], origin=console(admin))
    assert sorted(outcome.done) == sorted(u.pk for u in together) and outcome.skipped == {}
    for one, other in zip(alone, together, strict=True):
        assert state_of(other.pk) == state_of(one.pk)
    if verb == "suspend":  # what the comparison is about: it really ended everything
        assert state_of(together[0].pk)["console_sessions"] == 0
        assert state_of(together[0].pk)["grants"] == 0


def test_suspending_ends_the_end_user_sessions_with_the_reason_suspended():
    admin = SuperuserFactory()
    users = [signed_in_user() for _ in range(2)]
    services.suspend_users([u.pk for u in users], origin=console(admin))
    ended = EndUserSession.objects.filter(user__in=users)
    assert ended.count() == 4
    assert set(ended.values_list("end_reason", flat=True)) == {"suspended"}
    assert not ended.filter(ended_at__isnull=True).exists()


def single_outcome(verb, user, origin) -> str:
    """What the single-user verb would do to `user`: "done" or the guard's message; nothing of
    it stays (rolled back)."""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            try:
                verb(User.objects.get(pk=user.pk), origin=origin)
            except GuardError as error:
                return error.message
            raise Undo
    except Undo:
        return "done"


@pytest.mark.parametrize("verb", VERBS)
def test_guards_skip_the_users_the_single_verb_refuses_with_its_message(verb):
    single, batch, fields = VERBS[verb]
    editor = EditorFactory()
    staff = SuperuserFactory(**fields)
    superuser = SuperuserFactory(is_staff=False, **fields)  # outside the staff guard
    plain = UserFactory(**fields)
    targets = [staff, superuser, plain]
    if verb != "reactivate":  # the editor is active: nothing to reactivate
        targets.append(editor)
    origin = console(editor)
    expected = {u.pk: single_outcome(single, u, origin) for u in targets}
    outcome = batch([u.pk for u in targets], origin=origin)
    assert {**dict.fromkeys(outcome.done, "done"), **outcome.skipped} == expected
    assert expected[staff.pk] == "Only a superuser may change a staff account."
    assert expected[plain.pk] == "done"


def test_oneself_and_the_last_active_superuser_are_skipped_with_the_single_verbs_message():
    admin = SuperuserFactory(is_staff=False)  # the only superuser, outside the staff guard
    outcome = services.suspend_users([admin.pk], origin=console(admin))
    assert outcome.skipped == {admin.pk: "You cannot suspend your own account."}
    outcome = services.suspend_users([admin.pk], origin=console(EditorFactory()))
    assert outcome.skipped == {admin.pk: "You cannot suspend the last active superuser."}


def test_of_the_last_two_superusers_in_one_batch_only_the_first_is_suspended():
    first, second = SuperuserFactory(is_staff=False), SuperuserFactory(is_staff=False)
    User.objects.filter(is_superuser=True).exclude(pk__in=[first.pk, second.pk]).delete()
    outcome = services.suspend_users([first.pk, second.pk], origin=console(EditorFactory()))
    assert len(outcome.done) == 1
    assert list(outcome.skipped.values()) == ["You cannot suspend the last active superuser."]
    assert User.objects.filter(is_superuser=True, is_suspended=False).count() == 1


def test_a_management_api_client_never_changes_a_console_admin_in_a_batch():
    staff = SuperuserFactory()
    SuperuserFactory()
    plain = UserFactory()
    api = Origin("ManagementApi", actor_label="app-1")
    outcome = services.suspend_users([staff.pk, plain.pk], origin=api)
    assert outcome.done == [plain.pk]
    assert outcome.skipped[staff.pk].startswith("This is a console admin account")


def test_users_with_nothing_to_do_or_gone_are_skipped_and_not_audited():
    admin = SuperuserFactory()
    suspended = UserFactory(is_suspended=True)
    outcome = services.suspend_users([suspended.pk, "nosuchuser00"], origin=console(admin))
    assert outcome.done == []
    assert outcome.skipped == {
        suspended.pk: "Already suspended.",
        "nosuchuser00": "The user no longer exists.",
    }
    assert not Log.objects.filter(key="Console.User.Suspend").exists()


def test_a_batch_is_all_or_nothing_when_its_audit_rows_cannot_be_written(monkeypatch):
    admin = SuperuserFactory()
    users = [signed_in_user() for _ in range(3)]
    before = [state_of(u.pk) for u in users]

    def fail(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(services, "record_many", fail)
    with pytest.raises(RuntimeError):
        services.suspend_users([u.pk for u in users], origin=console(admin))
    assert [state_of(u.pk) for u in users] == before


def test_a_batch_costs_the_same_statements_for_five_users_as_for_fifty():
    admin = SuperuserFactory()
    few = [signed_in_user() for _ in range(5)]
    many = [signed_in_user() for _ in range(50)]
    with CaptureQueriesContext(connection) as small:
        services.suspend_users([u.pk for u in few], origin=console(admin))
    with CaptureQueriesContext(connection) as large:
        services.suspend_users([u.pk for u in many], origin=console(admin))
    assert len(large) == len(small)
    assert User.objects.filter(is_suspended=True).count() == 55
