"""The verbs called directly: what the views rely on beyond what the pages show."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import Log
from audit.recorder import Origin
from tests.access.factories import (
    MachineRoleFactory,
    OrganizationFactory,
    OrganizationRoleFactory,
    RoleFactory,
    ScopeFactory,
    UserRoleFactory,
)
from tests.factories import UserFactory
from users.access.organizations import (
    add_membership,
    create_organization_role,
    remove_membership,
    set_membership_roles,
)
from users.access.roles import assign_roles, create_role, delete_role, remove_role, update_role
from users.models import Membership, OrganizationRole, Role, UserRole

pytestmark = pytest.mark.django_db

ORIGIN = Origin.system("test")


def test_assign_roles_returns_only_the_new_ones_and_is_idempotent():
    user, editor, billing = UserFactory(), RoleFactory(), RoleFactory()
    assert assign_roles(user, [editor], origin=ORIGIN) == [editor]
    assert assign_roles(user, [editor, billing], origin=ORIGIN) == [billing]
    assert assign_roles(user, [editor, billing], origin=ORIGIN) == []
    assert assign_roles(user, [], origin=ORIGIN) == []
    assert UserRole.objects.filter(user=user).count() == 2
    counts = [log.payload["roleCount"] for log in Log.objects.order_by("created_at", "id")]
    assert counts == [{"old": 0, "new": 1}, {"old": 1, "new": 2}]


def test_assign_roles_refuses_a_machine_role_with_a_code():
    with pytest.raises(ValidationError) as refused:
        assign_roles(UserFactory(), [MachineRoleFactory()], origin=ORIGIN)
    assert refused.value.code == "invalid_role_type"


def test_assign_roles_refuses_a_role_deleted_meanwhile_without_a_500():
    user, role = UserFactory(), RoleFactory()
    Role.objects.filter(pk=role.pk).delete()
    with pytest.raises(ValidationError) as refused:
        assign_roles(user, [role], origin=ORIGIN)
    assert refused.value.code == "stale"
    assert not UserRole.objects.exists() and not Log.objects.exists()


def test_remove_role_is_idempotent():
    assignment = UserRoleFactory()
    assert remove_role(assignment.user, assignment.role, origin=ORIGIN)
    assert not remove_role(assignment.user, assignment.role, origin=ORIGIN)
    assert Log.objects.filter(key="System.User.Roles.Remove").count() == 1


def test_delete_role_removes_it_from_its_users_and_records_how_many():
    role = RoleFactory(name="Clerk", scopes=[ScopeFactory(name="read:x")])
    for user in UserFactory.create_batch(4):
        UserRoleFactory(user=user, role=role)
    assert delete_role(role, origin=ORIGIN) == 4
    assert not UserRole.objects.exists()
    payload = Log.objects.get(key="System.Role.Delete").payload
    assert payload["removedFromUsers"] == 4 and payload["scopes"][0]["name"] == "read:x"


def test_update_role_cannot_change_the_type():
    role = RoleFactory()
    with pytest.raises(TypeError):
        update_role(role, origin=ORIGIN, type="MachineToMachine")


def test_an_audit_failure_rolls_the_assignment_back(monkeypatch):
    user, role = UserFactory(), RoleFactory()

    def fail(*args, **kwargs):
        raise RuntimeError("audit is down")

    monkeypatch.setattr("users.access.roles.record", fail)
    with pytest.raises(RuntimeError):
        assign_roles(user, [role], origin=ORIGIN)
    assert not UserRole.objects.exists()


def test_memberships_add_set_and_remove():
    user, org = UserFactory(), OrganizationFactory(name="Acme")
    admin, member = OrganizationRoleFactory(name="Admin"), OrganizationRoleFactory(name="Member")
    add_membership(user, org, [member], origin=ORIGIN)
    add_membership(user, org, [member], origin=ORIGIN)  # nothing to do
    set_membership_roles(user, org, [admin], origin=ORIGIN)
    assert list(Membership.objects.get().roles.all()) == [admin]
    assert remove_membership(user, org, origin=ORIGIN)
    assert not remove_membership(user, org, origin=ORIGIN)
    keys = list(Log.objects.order_by("created_at", "id").values_list("key", flat=True))
    assert keys == [
        "System.User.Organizations.Add",
        "System.User.Organizations.Roles.Update",
        "System.User.Organizations.Remove",
    ]


def test_setting_roles_of_a_non_member_is_refused():
    with pytest.raises(ValidationError):
        set_membership_roles(UserFactory(), OrganizationFactory(), [], origin=ORIGIN)


def test_a_create_that_loses_a_race_on_the_name_gets_the_same_error_not_a_500(monkeypatch):
    RoleFactory(name="Editor")
    checks = iter([False, True])  # the check before the insert misses the concurrent winner
    monkeypatch.setattr("users.access.common.name_taken", lambda *a, **k: next(checks))
    with pytest.raises(ValidationError) as refused:
        create_role(origin=ORIGIN, name="editor")
    assert refused.value.error_dict["name"][0].code == "unique"
    assert Role.objects.count() == 1 and not Log.objects.exists()


def test_an_organization_role_create_that_loses_a_race_on_the_name_gets_the_same_error(
    monkeypatch,
):
    OrganizationRoleFactory(name="Member")
    checks = iter([False, True])  # roles and organization roles share one create path
    monkeypatch.setattr("users.access.common.name_taken", lambda *a, **k: next(checks))
    with pytest.raises(ValidationError) as refused:
        create_organization_role(origin=ORIGIN, name="member")
    assert refused.value.error_dict["name"][0].code == "unique"
    assert OrganizationRole.objects.count() == 1 and not Log.objects.exists()
