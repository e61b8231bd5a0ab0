"""audit.record(): one row per act, inside the act's transaction, never with a secret."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError
from django.test import RequestFactory

from audit import recorder
from audit.models import Log
from audit.recorder import Origin, record
from tests.factories import SuperuserFactory, UserFactory
from users import services
from users.models import User

pytestmark = pytest.mark.django_db


def test_it_writes_the_key_the_user_snapshot_and_the_origin(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    admin = SuperuserFactory(primary_email="boss@example.com")
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox/1")
    request.user = admin
    user = UserFactory(primary_email="ann@example.com")

    log = record("User.Suspend", origin=Origin.from_request(request), user=user)

    log.refresh_from_db()
    assert log.key == "Console.User.Suspend"
    assert (log.user_id, log.user_ref, log.user_label) == (user.pk, user.pk, "ann@example.com")
    assert (log.actor_id, log.actor_label) == (admin.pk, "boss@example.com")
    assert (log.ip, log.user_agent, log.result) == ("198.51.100.4", "Firefox/1", "Success")
    assert log.created_at.utcoffset().total_seconds() == 0


def test_an_api_client_is_recorded_by_its_application_id():
    origin = Origin(channel="ManagementApi", actor_label="m2m-app-id", application_id="m2m-app-id")
    log = record("User.Delete", origin=origin, user=UserFactory())
    assert log.key == "ManagementApi.User.Delete"
    assert log.actor_id is None and log.actor_label == "m2m-app-id"
    assert log.application_id == "m2m-app-id"


def test_payload_dates_are_stored_as_iso_text():
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    log = record("User.Update", origin=Origin.system(), payload={"changes": {"at": when}})
    log.refresh_from_db()
    assert log.payload == {"changes": {"at": "2026-01-02T03:04:05Z"}}


@pytest.mark.parametrize(
    "payload",
    [
        {"password": "hunter2hunter2"},
        {"changes": {"newPassword": "x" * 12}},
        {"token": "pat_abc"},
        {"items": [{"session_id": "abc"}]},
        {"clientSecret": "s"},
        {"changes": {"password": {"old": "pbkdf2_sha256$1$a$b", "new": "argon2$x"}}},
        {"token": {"value": "pat_abc"}},
    ],
)
def test_a_payload_that_names_a_secret_is_refused(payload):
    with pytest.raises(ValueError, match="looks like a secret"):
        record("User.Update", origin=Origin.system(), payload=payload)
    assert not Log.objects.exists()


def test_flags_and_metadata_about_secrets_are_fine():
    payload = {
        "hasPassword": True,
        "password": "",
        "passwordChanged": True,
        "tokenName": "ci",
        "token": {"expiresAt": None, "count": 2},
    }
    assert record("User.Update", origin=Origin.system(), payload=payload).payload == payload


def test_a_failing_audit_write_rolls_the_change_back(monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr(recorder.Log.objects, "create", broken)
    with pytest.raises(DatabaseError):
        services.create_user(origin=Origin.system(), username="ann", generate=True)
    assert not User.objects.filter(username="ann").exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_audit_write_commits_nothing_at_all(monkeypatch):
    """Without the test's own wrapping transaction: the database really has no user."""
    user = UserFactory(is_suspended=False)
    monkeypatch.setattr(
        recorder.Log.objects, "create", lambda **kw: (_ for _ in ()).throw(DatabaseError("down"))
    )
    with pytest.raises(DatabaseError):
        services.suspend_user(user, origin=Origin.system())
    user.refresh_from_db()
    assert not user.is_suspended
    assert not Log.objects.exists()


def test_a_rolled_back_change_leaves_no_row():
    UserFactory(username="taken")
    with pytest.raises(Exception):  # noqa: B017 - the service's own validation error
        services.create_user(origin=Origin.system(), username="TAKEN")
    assert not Log.objects.exists()


def test_deleting_a_user_keeps_their_rows_with_the_snapshot():
    user = UserFactory(primary_email="gone@example.com")
    user_id = user.pk
    record("User.Suspend", origin=Origin.system(), user=user)
    user.delete()
    log = Log.objects.get()
    assert log.user_id is None
    assert (log.user_ref, log.user_label) == (user_id, "gone@example.com")


def test_deleting_an_admin_keeps_the_rows_they_wrote():
    admin = SuperuserFactory(primary_email="boss@example.com")
    request = RequestFactory().get("/")
    request.user = admin
    record("User.Suspend", origin=Origin.from_request(request), user=UserFactory())
    admin.delete()
    log = Log.objects.get()
    assert log.actor_id is None and log.actor_label == "boss@example.com"
