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
from users.access import services as access_services
from users.models import Membership, Role, UserRole

pytestmark = pytest.mark.django_db

ORIGIN = Origin.system("test")


def test_assign_roles_returns_only_the_new_ones_and_is_idempotent():
    user, editor, billing = UserFactory(), RoleFactory(), RoleFactory()
    assert access_services.assign_roles(user, [editor], origin=ORIGIN) == [editor]
    assert access_services.assign_roles(user, [editor, billing], origin=ORIGIN) == [billing]
    assert access_services.assign_roles(user, [editor, billing], origin=ORIGIN) == []
    assert access_services.assign_roles(user, [], origin=ORIGIN) == []
    assert UserRole.objects.filter(user=user).count() == 2
    counts = [log.payload["roleCount"] for log in Log.objects.order_by("created_at", "id")]
    assert counts == [{"old": 0, "new": 1}, {"old": 1, "new": 2}]


def test_assign_roles_refuses_a_machine_role_with_a_code():
    with pytest.raises(ValidationError) as refused:
        access_services.assign_roles(UserFactory(), [MachineRoleFactory()], origin=ORIGIN)
    assert refused.value.code == "invalid_role_type"


def test_assign_roles_refuses_a_role_deleted_meanwhile_without_a_500():
    user, role = UserFactory(), RoleFactory()
    Role.objects.filter(pk=role.pk).delete()
    with pytest.raises(ValidationError) as refused:
        access_services.assign_roles(user, [role], origin=ORIGIN)
    assert refused.value.code == "stale"
    assert not UserRole.objects.exists() and not Log.objects.exists()


def test_remove_role_is_idempotent():
    assignment = UserRoleFactory()
    assert access_services.remove_role(assignment.user, assignment.role, origin=ORIGIN)
    assert not access_services.remove_role(assignment.user, assignment.role, origin=ORIGIN)
    assert Log.objects.filter(key="System.User.Roles.Remove").count() == 1


def test_delete_role_removes_it_from_its_users_and_records_how_many():
    role = RoleFactory(name="Clerk", scopes=[ScopeFactory(name="read:x")])
    for user in UserFactory.create_batch(4):
        UserRoleFactory(user=user, role=role)
    assert access_services.delete_role(role, origin=ORIGIN) == 4
    assert not UserRole.objects.exists()
    payload = Log.objects.get(key="System.Role.Delete").payload
    assert payload["removedFromUsers"] == 4 and payload["scopes"][0]["name"] == "read:x"


def test_update_role_cannot_change_the_type():
    role = RoleFactory()
    with pytest.raises(TypeError):
        access_services.update_role(role, origin=ORIGIN, type="MachineToMachine")


def test_an_audit_failure_rolls_the_assignment_back(monkeypatch):
    user, role = UserFactory(), RoleFactory()

    def fail(*args, **kwargs):
        raise RuntimeError("audit is down")

    monkeypatch.setattr("users.access.services.record", fail)
    with pytest.raises(RuntimeError):
        access_services.assign_roles(user, [role], origin=ORIGIN)
    assert not UserRole.objects.exists()


def test_memberships_add_set_and_remove():
    user, org = UserFactory(), OrganizationFactory(name="Acme")
    admin, member = OrganizationRoleFactory(name="Admin"), OrganizationRoleFactory(name="Member")
    access_services.add_membership(user, org, [member], origin=ORIGIN)
    access_services.add_membership(user, org, [member], origin=ORIGIN)  # nothing to do
    access_services.set_membership_roles(user, org, [admin], origin=ORIGIN)
    assert list(Membership.objects.get().roles.all()) == [admin]
    assert access_services.remove_membership(user, org, origin=ORIGIN)
    assert not access_services.remove_membership(user, org, origin=ORIGIN)
    keys = list(Log.objects.order_by("created_at", "id").values_list("key", flat=True))
    assert keys == [
        "System.User.Organizations.Add",
        "System.User.Organizations.Roles.Update",
        "System.User.Organizations.Remove",
    ]


def test_setting_roles_of_a_non_member_is_refused():
    with pytest.raises(ValidationError):
        access_services.set_membership_roles(
            UserFactory(), OrganizationFactory(), [], origin=ORIGIN
        )


def test_a_create_that_loses_a_race_on_the_name_gets_the_same_error_not_a_500(monkeypatch):
    RoleFactory(name="Editor")
    checks = iter([False, True])  # the check before the insert misses the concurrent winner
    monkeypatch.setattr("users.access.services._name_taken", lambda *a, **k: next(checks))
    with pytest.raises(ValidationError) as refused:
        access_services.create_role(origin=ORIGIN, name="editor")
    assert refused.value.error_dict["name"][0].code == "unique"
    assert Role.objects.count() == 1 and not Log.objects.exists()
