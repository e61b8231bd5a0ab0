from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import SuperuserFactory, UserFactory
from users.models import (
    ApiResource,
    Application,
    Membership,
    Organization,
    OrganizationRole,
    Role,
    UserRole,
)

pytestmark = pytest.mark.django_db


def seed():
    out = StringIO()
    call_command("seed_access", stdout=out)
    return out.getvalue()


def test_it_creates_the_demo_entities_and_spreads_the_users():
    users = UserFactory.create_batch(60)
    staff = SuperuserFactory()
    output = seed()
    assert "Access seeded" in output
    assert ApiResource.objects.count() == 3 and Application.objects.count() == 3
    assert Organization.objects.count() == 6 and OrganizationRole.objects.count() == 3
    customer = Role.objects.get(name="Customer")
    assert set(UserRole.objects.filter(role=customer).values_list("user", flat=True)) == {
        u.pk for u in users
    }
    assert not UserRole.objects.filter(user=staff).exists()
    assert UserRole.objects.filter(role__name="Store manager").count() == 2  # n = 1, 51
    assert not UserRole.objects.filter(role__type=Role.Type.MACHINE_TO_MACHINE).exists()
    memberships = Membership.objects.all()
    assert 12 <= memberships.count() <= 18  # about a quarter
    assert all(m.roles.filter(name="Member").exists() for m in memberships)
    for row in UserRole.objects.all():
        assert len(row.pk) == 21 and row.pk.isalnum() and row.pk == row.pk.lower()


def test_running_it_again_adds_only_what_is_missing():
    UserFactory.create_batch(10)
    seed()
    counts = (UserRole.objects.count(), Membership.objects.count(), Role.objects.count())
    seed()
    assert (UserRole.objects.count(), Membership.objects.count(), Role.objects.count()) == counts
    newcomer = UserFactory()
    seed()
    assert UserRole.objects.filter(user=newcomer, role__name="Customer").exists()


def test_it_works_without_users():
    assert "added 0 user roles" in seed()
