"""The set-based role and organization verbs (assign_role_to_users, remove_role_from_users,
add_users_to_organization, remove_users_from_organization) leave each user as one call of the
single-user verb would: the same rows, the same audit rows (each with that user's own counts and
roles), the same reasons to skip, and the staff guard's message for a staff account."""

import pytest

from audit.models import Log
from audit.recorder import Origin
from tests.access.factories import (
    MembershipFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
)
from tests.factories import EditorFactory, SuperuserFactory, UserFactory
from users.access import organizations, roles
from users.models import Membership, Role, UserRole

pytestmark = pytest.mark.django_db


def console(admin) -> Origin:
    return Origin("Console", actor=admin, actor_label="admin@x", ip="192.0.2.1", user_agent="UA")


def state_of(user) -> dict:
    return {
        "roles": sorted(UserRole.objects.filter(user=user).values_list("role__name", flat=True)),
        "organizations": sorted(
            Membership.objects.filter(user=user).values_list("organization__name", flat=True)
        ),
        "audit": sorted(
            (r.key, r.user_ref == user.pk, r.actor_id, r.actor_label, r.ip, repr(r.payload))
            for r in Log.objects.filter(user_ref=user.pk)
        ),
    }


def pair_of_worlds(make_user, count=3):
    """Two lists of users made alike: one for single calls, one for the batch."""
    return [make_user(i) for i in range(count)], [make_user(i) for i in range(count)]


def test_assigning_a_role_to_a_batch_is_one_assign_per_user_with_each_ones_role_count():
    admin = SuperuserFactory()
    role, others = RoleFactory(), RoleFactory.create_batch(2)

    def make(i):  # 0, 1 and 2 roles already
        user = UserFactory()
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in others[:i]])
        return user

    alone, together = pair_of_worlds(make)
    for user in alone:
        roles.assign_roles(user, [role], origin=console(admin))
    outcome = roles.assign_role_to_users([u.pk for u in together], role, origin=console(admin))
    assert sorted(outcome.done) == sorted(u.pk for u in together)
    assert [state_of(u) for u in together] == [state_of(u) for u in alone]


def test_removing_a_role_from_a_batch_is_one_remove_per_user():
    admin = SuperuserFactory()
    role = RoleFactory()

    def make(i):
        user = UserFactory()
        UserRole.objects.create(user=user, role=role)
        return user

    alone, together = pair_of_worlds(make)
    for user in alone:
        roles.remove_role(user, role, origin=console(admin))
    outcome = roles.remove_role_from_users([u.pk for u in together], role, origin=console(admin))
    assert len(outcome.done) == 3
    assert [state_of(u) for u in together] == [state_of(u) for u in alone]


def test_role_verbs_skip_those_with_nothing_to_do_and_guard_staff_accounts():
    editor = EditorFactory()
    role = RoleFactory()
    has_it, lacks_it, staff = UserFactory(), UserFactory(), SuperuserFactory()
    UserRole.objects.create(user=has_it, role=role)
    ids = [has_it.pk, lacks_it.pk, staff.pk]
    outcome = roles.assign_role_to_users(ids, role, origin=console(editor))
    assert outcome.done == [lacks_it.pk]
    assert outcome.skipped == {
        has_it.pk: "Already has this role.",
        staff.pk: "Only a superuser may change a staff account.",
    }
    UserRole.objects.filter(user=has_it).delete()
    outcome = roles.remove_role_from_users(ids, role, origin=console(editor))
    assert outcome.done == [lacks_it.pk]
    assert outcome.skipped[has_it.pk] == "Does not have this role."


def test_a_machine_to_machine_role_is_refused_for_each_user_with_the_single_verbs_message():
    role = RoleFactory(type=Role.Type.MACHINE_TO_MACHINE)
    user = UserFactory()
    outcome = roles.assign_role_to_users([user.pk], role, origin=console(SuperuserFactory()))
    assert outcome.done == [] and "machine-to-machine" in outcome.skipped[user.pk]
    assert not UserRole.objects.exists()


def test_adding_a_batch_to_an_organization_is_one_add_per_user():
    admin = SuperuserFactory()
    organization = OrganizationFactory()
    alone, together = pair_of_worlds(lambda i: UserFactory())
    for user in alone:
        organizations.add_membership(user, organization, origin=console(admin))
    outcome = organizations.add_users_to_organization(
        [u.pk for u in together], organization, origin=console(admin)
    )
    assert len(outcome.done) == 3
    assert [state_of(u) for u in together] == [state_of(u) for u in alone]


def test_removing_a_batch_from_an_organization_records_each_members_own_roles():
    admin = SuperuserFactory()
    organization = OrganizationFactory()
    org_roles = [OrganizationRoleFactory(name="Billing"), OrganizationRoleFactory(name="Viewer")]

    def make(i):
        return MembershipFactory(organization=organization, roles=org_roles[:i]).user

    alone, together = pair_of_worlds(make)
    for user in alone:
        organizations.remove_membership(user, organization, origin=console(admin))
    outcome = organizations.remove_users_from_organization(
        [u.pk for u in together], organization, origin=console(admin)
    )
    assert len(outcome.done) == 3
    assert [state_of(u) for u in together] == [state_of(u) for u in alone]
    assert not Membership.objects.filter(organization=organization).exists()


def test_organization_verbs_skip_non_members_members_and_staff_for_an_editor():
    editor = EditorFactory()
    organization = OrganizationFactory()
    member, other, staff = UserFactory(), UserFactory(), SuperuserFactory()
    MembershipFactory(user=member, organization=organization)
    ids = [member.pk, other.pk, staff.pk]
    outcome = organizations.add_users_to_organization(ids, organization, origin=console(editor))
    assert outcome.done == [other.pk]
    assert outcome.skipped == {
        member.pk: "Already a member.",
        staff.pk: "Only a superuser may change a staff account.",
    }
    Membership.objects.filter(user=member).delete()
    outcome = organizations.remove_users_from_organization(
        ids, organization, origin=console(editor)
    )
    assert outcome.done == [other.pk]
    assert outcome.skipped[member.pk] == "Not a member."
