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


def assert_batch_is_single_calls(single, batch, target, make_user):
    """Users made alike: three through `single(user, target)`, three through one `batch` call;
    each of the second three ends as its twin of the first."""
    admin = SuperuserFactory()
    alone, together = [make_user(i) for i in range(3)], [make_user(i) for i in range(3)]
    for user in alone:
        single(user, target, origin=console(admin))
    outcome = batch([u.pk for u in together], target, origin=console(admin))
    assert sorted(outcome.done) == sorted(u.pk for u in together)
    assert [state_of(u) for u in together] == [state_of(u) for u in alone]


def test_assigning_a_role_to_a_batch_is_one_assign_per_user_with_each_ones_role_count():
    role, others = RoleFactory(), RoleFactory.create_batch(2)

    def make(i):  # 0, 1 and 2 roles already
        user = UserFactory()
        UserRole.objects.bulk_create([UserRole(user=user, role=r) for r in others[:i]])
        return user

    assert_batch_is_single_calls(
        lambda user, role, origin: roles.assign_roles(user, [role], origin=origin),
        roles.assign_role_to_users,
        role,
        make,
    )


def test_removing_a_role_from_a_batch_is_one_remove_per_user():
    role = RoleFactory()

    def make(i):
        user = UserFactory()
        UserRole.objects.create(user=user, role=role)
        return user

    assert_batch_is_single_calls(roles.remove_role, roles.remove_role_from_users, role, make)


def test_a_machine_to_machine_role_is_refused_for_each_user_with_the_single_verbs_message():
    role = RoleFactory(type=Role.Type.MACHINE_TO_MACHINE)
    user = UserFactory()
    outcome = roles.assign_role_to_users([user.pk], role, origin=console(SuperuserFactory()))
    assert outcome.done == [] and "machine-to-machine" in outcome.skipped[user.pk]
    assert not UserRole.objects.exists()


def test_adding_a_batch_to_an_organization_is_one_add_per_user():
    assert_batch_is_single_calls(
        organizations.add_membership,
        organizations.add_users_to_organization,
        OrganizationFactory(),
        lambda i: UserFactory(),
    )


def test_removing_a_batch_from_an_organization_records_each_members_own_roles():
    organization = OrganizationFactory()
    org_roles = [OrganizationRoleFactory(name="Billing"), OrganizationRoleFactory(name="Viewer")]

    def make(i):  # members with 0, 1 and 2 organization roles
        return MembershipFactory(organization=organization, roles=org_roles[:i]).user

    assert_batch_is_single_calls(
        organizations.remove_membership,
        organizations.remove_users_from_organization,
        organization,
        make,
    )
    assert not Membership.objects.filter(organization=organization).exists()


def give_role(user, role):
    UserRole.objects.create(user=user, role=role)


def make_member(user, organization):
    MembershipFactory(user=user, organization=organization)


# (target, give it to a user, the adding verb and its reason, the removing verb and its reason)
ADD_AND_REMOVE = {
    "role": (
        RoleFactory,
        give_role,
        (roles.assign_role_to_users, "Already has this role."),
        (roles.remove_role_from_users, "Does not have this role."),
    ),
    "organization": (
        OrganizationFactory,
        make_member,
        (organizations.add_users_to_organization, "Already a member."),
        (organizations.remove_users_from_organization, "Not a member."),
    ),
}


@pytest.mark.parametrize("kind", ADD_AND_REMOVE)
def test_those_with_nothing_to_do_are_skipped_and_staff_are_guarded_for_an_editor(kind):
    make_target, give, (add, has_it_already), (remove, has_it_not) = ADD_AND_REMOVE[kind]
    editor, target = EditorFactory(), make_target()
    has_it, lacks_it, staff = UserFactory(), UserFactory(), SuperuserFactory()
    give(has_it, target)
    ids = [has_it.pk, lacks_it.pk, staff.pk]
    outcome = add(ids, target, origin=console(editor))
    assert outcome.done == [lacks_it.pk]
    assert outcome.skipped == {
        has_it.pk: has_it_already,
        staff.pk: "Only a superuser may change a staff account.",
    }
    UserRole.objects.filter(user=has_it).delete()
    Membership.objects.filter(user=has_it).delete()
    outcome = remove(ids, target, origin=console(editor))
    assert outcome.done == [lacks_it.pk]
    assert outcome.skipped == {
        has_it.pk: has_it_not,
        staff.pk: "Only a superuser may change a staff account.",
    }
