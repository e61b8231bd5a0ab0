"""Facets on access: a role, an organization (by id); an unknown id is a bad parameter."""

import pytest
from django.core.exceptions import ValidationError

from tests.access.factories import (
    MembershipFactory,
    OrganizationFactory,
    RoleFactory,
    UserRoleFactory,
)
from tests.factories import UserFactory
from users.filters import matching_users

pytestmark = pytest.mark.django_db


def ids(params):
    return set(matching_users(params).values_list("pk", flat=True))


def test_role_selects_the_users_holding_it():
    role, other = RoleFactory(), RoleFactory()
    holder = UserRoleFactory(role=role).user
    UserRoleFactory(role=other)
    UserFactory()
    assert ids({"role": role.pk}) == {holder.pk}


def test_organization_selects_its_members():
    org = OrganizationFactory()
    member = MembershipFactory(organization=org).user
    MembershipFactory()
    assert ids({"organization": org.pk}) == {member.pk}


def test_role_and_organization_together():
    role, org = RoleFactory(), OrganizationFactory()
    both = UserFactory()
    UserRoleFactory(user=both, role=role)
    MembershipFactory(user=both, organization=org)
    UserRoleFactory(role=role)
    MembershipFactory(organization=org)
    assert ids({"role": role.pk, "organization": org.pk}) == {both.pk}


@pytest.mark.parametrize("value", ["nosuchrole", "bad id", "x" * 65, "a\x00b"])
def test_an_unknown_or_malformed_role_is_a_validation_error(value):
    with pytest.raises(ValidationError) as raised:
        matching_users({"role": value})
    assert "role" in raised.value.error_dict


def test_an_unknown_organization_is_a_validation_error():
    with pytest.raises(ValidationError) as raised:
        matching_users({"organization": "nosuchorg"})
    assert "organization" in raised.value.error_dict
