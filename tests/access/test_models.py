"""The database holds the rules even when the service is bypassed."""

import pytest
from django.db import IntegrityError, transaction

from tests.access.factories import (
    ApiResourceFactory,
    MachineRoleFactory,
    MembershipFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)
from tests.factories import UserFactory
from users.models import Role, UserRole

pytestmark = pytest.mark.django_db


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_ids_are_21_lowercase_letters_and_digits():
    for obj in (RoleFactory(), ScopeFactory(), OrganizationFactory(), UserRoleFactory()):
        assert len(obj.pk) == 21 and obj.pk.isalnum() and obj.pk == obj.pk.lower()


def test_role_names_are_unique_case_insensitively():
    RoleFactory(name="Editor")
    refused(lambda: RoleFactory(name="EDITOR"))


def test_organization_role_names_are_unique_case_insensitively():
    OrganizationRoleFactory(name="Admin")
    refused(lambda: OrganizationRoleFactory(name="admin"))


def test_resource_indicators_are_unique():
    ApiResourceFactory(indicator="https://api.example.com")
    refused(lambda: ApiResourceFactory(indicator="https://api.example.com"))


def test_permission_names_are_unique_per_resource():
    scope = ScopeFactory(name="read:x")
    refused(lambda: ScopeFactory(name="read:x", resource=scope.resource))
    ScopeFactory(name="read:x")  # another resource


def test_a_user_has_a_role_once():
    assignment = UserRoleFactory()
    refused(lambda: UserRole.objects.create(user=assignment.user, role=assignment.role))


def test_a_user_is_a_member_of_an_organization_once():
    membership = MembershipFactory()
    refused(lambda: MembershipFactory(user=membership.user, organization=membership.organization))


def test_role_types_are_checked():
    refused(lambda: RoleFactory(type="Admin"))


def test_a_machine_to_machine_role_cannot_be_given_to_a_user():
    robot, user = MachineRoleFactory(), UserFactory()
    refused(lambda: UserRole.objects.create(user=user, role=robot))
    refused(
        lambda: UserRole.objects.bulk_create(
            [UserRole(user=user, role=robot)], ignore_conflicts=True
        )
    )
    assert not UserRole.objects.exists()


def test_an_assignment_cannot_be_repointed_at_a_machine_to_machine_role():
    assignment, robot = UserRoleFactory(), MachineRoleFactory()
    refused(lambda: UserRole.objects.filter(pk=assignment.pk).update(role=robot))


def test_a_role_given_to_users_cannot_become_machine_to_machine():
    assignment = UserRoleFactory()
    refused(lambda: Role.objects.filter(pk=assignment.role_id).update(type="MachineToMachine"))
    unassigned = RoleFactory()
    Role.objects.filter(pk=unassigned.pk).update(type="MachineToMachine")


def test_deleting_a_user_deletes_their_roles_and_memberships():
    assignment = UserRoleFactory()
    MembershipFactory(user=assignment.user, roles=[OrganizationRoleFactory()])
    assignment.user.delete()
    assert not UserRole.objects.exists()
    assert Role.objects.filter(pk=assignment.role_id).exists()


def test_a_pair_row_reads_as_its_two_ids():
    assignment = UserRoleFactory()
    membership = MembershipFactory()
    assert str(assignment) == f"{assignment.user_id} · {assignment.role_id}"
    assert str(membership) == f"{membership.user_id} · {membership.organization_id}"
