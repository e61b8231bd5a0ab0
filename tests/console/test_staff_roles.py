"""The three roles, the Django way: "Viewer" and "Editor" groups made by a data migration,
"Admin" is is_superuser; a member's role is read from those."""

import pytest
from django.contrib.auth.models import Group

from tests.factories import EditorFactory, SuperuserFactory, UserFactory, ViewerFactory
from users import staff

pytestmark = pytest.mark.django_db


def perms(group: Group) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_migration_made_the_viewer_group_with_view_permissions_only():
    viewer = perms(Group.objects.get(name="Viewer"))
    assert {"users.view_user", "users.view_role", "users.view_organization"} <= viewer
    assert {"users.view_application", "audit.view_log", "users.view_membership"} <= viewer
    assert all(p.split(".")[1].startswith("view_") for p in viewer)


def test_the_migration_made_the_editor_group_who_manages_users_roles_and_memberships():
    editor = perms(Group.objects.get(name="Editor"))
    viewer = perms(Group.objects.get(name="Viewer"))
    assert viewer < editor
    assert editor - viewer == {
        f"users.{verb}_{model}"
        for model in ("user", "userrole", "membership")
        for verb in ("add", "change", "delete")
    }


def test_a_missing_group_is_made_again_with_the_same_permissions():
    made_by_migration = perms(Group.objects.get(name="Editor"))
    Group.objects.filter(name="Editor").delete()
    assert perms(staff.role_group(staff.EDITOR)) == made_by_migration


@pytest.mark.parametrize(
    ("factory", "role"),
    [(SuperuserFactory, "admin"), (EditorFactory, "editor"), (ViewerFactory, "viewer")],
)
def test_a_members_role_is_read_from_superuser_and_groups(factory, role):
    assert staff.role_of(factory()) == role


def test_non_staff_and_staff_outside_the_roles_have_no_role():
    assert staff.role_of(UserFactory()) is None
    assert staff.role_of(UserFactory(is_staff=True)) is None


def test_a_viewer_may_look_and_an_editor_may_change_users_but_not_roles():
    viewer, editor = ViewerFactory(), EditorFactory()
    assert viewer.has_perm("users.view_user") and not viewer.has_perm("users.change_user")
    assert editor.has_perms(["users.add_user", "users.change_user", "users.delete_user"])
    assert not editor.has_perm("users.change_role")
    assert not editor.has_perm("users.add_organization")
