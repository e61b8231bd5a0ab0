"""What an export writes, an import reads back: the same people, identifiers, profile, roles,
organizations, flags and dates, and (with the superuser's option) passwords that still work."""

import csv
import io
import json

import pytest
from django.contrib.auth import authenticate

from tests.access.factories import (
    MembershipFactory,
    OrganizationFactory,
    RoleFactory,
    UserRoleFactory,
)
from tests.factories import UserFactory
from users import transfer
from users.models import User

pytestmark = pytest.mark.django_db

FIELDS = [
    "id",
    "username",
    "primary_email",
    "primary_phone",
    "name",
    "avatar",
    "custom_data",
    "profile",
    "is_suspended",
    "created_at",
    "last_sign_in_at",
]


def people():
    role, org = RoleFactory(name="Support"), OrganizationFactory(name="Acme, Inc.")
    ann = UserFactory(
        username="ann_lee",
        primary_email="Ann@example.com",
        primary_phone="442079460958",
        name='=Ann "the" Lee, ;',
        avatar="https://example.com/a.png",
        custom_data={"plan": "pro", "nested": {"list": [1, 2.5, None, "é"]}},
        profile={"givenName": "Ann", "address": {"country": "GB"}},
        is_suspended=True,
        password="round-trip-pw-1",
    )
    UserRoleFactory(user=ann, role=role)
    MembershipFactory(user=ann, organization=org)
    UserFactory(username=None, primary_email="-minus@example.com", name="+plus")
    return ann


def snapshot_of_users():
    rows = {}
    for user in User.objects.order_by("pk"):
        rows[user.pk] = (
            *(getattr(user, f) for f in FIELDS),
            sorted(user.role_assignments.values_list("role__name", flat=True)),
            sorted(user.memberships.values_list("organization__name", flat=True)),
        )
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_export_imports_into_an_empty_directory_as_the_same_users(admin_client, fmt):
    people()
    columns = transfer.export_columns(list(transfer.COLUMNS), include_passwords=True)
    response = admin_client.post(
        "/console/users/export",
        {"format": fmt, "columns": list(transfer.COLUMNS), "include_passwords": "on"},
    )
    data = b"".join(response.streaming_content)
    if fmt == "csv":
        assert list(next(csv.reader(io.StringIO(data.decode())))) == columns
    else:
        assert list(json.loads(data.splitlines()[0])) == columns
    before = snapshot_of_users()
    User.objects.all().delete()

    report = transfer.check_import(lambda: io.BytesIO(data), fmt)
    assert report.ok, report.errors
    from audit.recorder import Origin

    report = transfer.run_import(lambda: io.BytesIO(data), fmt, origin=Origin.system("test"))
    assert report.created == len(before)
    assert snapshot_of_users() == before
    ann = User.objects.get(username="ann_lee")
    ann.is_suspended = False
    ann.save()
    assert authenticate(username="ann_lee", password="round-trip-pw-1") == ann


def test_importing_the_same_export_again_changes_nothing(admin_client):
    people()
    response = admin_client.post(
        "/console/users/export", {"format": "csv", "columns": list(transfer.COLUMNS)}
    )
    data = b"".join(response.streaming_content)
    before = snapshot_of_users()
    from audit.recorder import Origin

    report = transfer.run_import(lambda: io.BytesIO(data), "csv", origin=Origin.system("test"))
    assert (report.created, report.skipped, report.rows_failed) == (0, len(before), 0)
    assert snapshot_of_users() == before
