"""A user's roles (GET/POST/PUT/DELETE /api/users/:id/roles) and /api/roles."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.access.factories import MachineRoleFactory, RoleFactory, UserRoleFactory
from tests.factories import UserFactory
from users.models import Role, UserRole


@pytest.fixture
def user(db):
    return UserFactory()


def test_list_a_users_roles_with_headers(api, user):
    editor = RoleFactory(name="Editor", description="Edits")
    UserRoleFactory(user=user, role=editor)
    RoleFactory(name="Unassigned")
    response = api.get(f"/api/users/{user.pk}/roles")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == [
        {
            "tenantId": "default",
            "id": editor.pk,
            "name": "Editor",
            "description": "Edits",
            "type": "User",
            "isDefault": False,
        }
    ]
    assert response["Total-Number"] == "1"


def test_list_a_users_roles_searches_names(api, user):
    for name in ("Editor", "Viewer"):
        UserRoleFactory(user=user, role=RoleFactory(name=name))
    response = api.get(f"/api/users/{user.pk}/roles", {"search.name": "edit%"})
    assert [r["name"] for r in response.json()] == ["Editor"]


def test_list_roles_of_an_unknown_user_is_404(api, db):
    assert api.get("/api/users/nosuchuser12/roles").status_code == HTTPStatus.NOT_FOUND


def test_post_adds_roles_and_skips_those_held(api, user):
    held, new = RoleFactory(), RoleFactory()
    UserRoleFactory(user=user, role=held)
    response = api.post(f"/api/users/{user.pk}/roles", {"roleIds": [held.pk, new.pk]})
    assert response.status_code == HTTPStatus.CREATED
    assert response.json() == {"roleIds": [held.pk, new.pk], "addedRoleIds": [new.pk]}
    assert set(UserRole.objects.filter(user=user).values_list("role_id", flat=True)) == {
        held.pk,
        new.pk,
    }
    assert Log.objects.filter(key="ManagementApi.User.Roles.Assign").count() == 1


def test_post_an_unknown_role_is_404_and_adds_nothing(api, user):
    role = RoleFactory()
    response = api.post(f"/api/users/{user.pk}/roles", {"roleIds": [role.pk, "nosuchrole"]})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_exists_with_id"
    assert not UserRole.objects.exists()


def test_post_a_machine_role_is_422_invalid_role_type(api, user):
    response = api.post(f"/api/users/{user.pk}/roles", {"roleIds": [MachineRoleFactory().pk]})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.invalid_role_type"


def test_put_makes_the_roles_exactly_the_list(api, user):
    old, keep, new = RoleFactory(), RoleFactory(), RoleFactory()
    UserRoleFactory(user=user, role=old)
    UserRoleFactory(user=user, role=keep)
    response = api.put(f"/api/users/{user.pk}/roles", {"roleIds": [keep.pk, new.pk, new.pk]})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"roleIds": [keep.pk, new.pk]}
    assert set(UserRole.objects.filter(user=user).values_list("role_id", flat=True)) == {
        keep.pk,
        new.pk,
    }


def test_delete_removes_an_assignment(api, user):
    role = RoleFactory()
    UserRoleFactory(user=user, role=role)
    response = api.delete(f"/api/users/{user.pk}/roles/{role.pk}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not UserRole.objects.exists()


def test_delete_a_role_the_user_does_not_hold_is_404(api, user):
    response = api.delete(f"/api/users/{user.pk}/roles/{RoleFactory().pk}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_found"


def test_list_roles_by_type(api, db):
    RoleFactory(name="Editor")
    MachineRoleFactory(name="Robot")
    response = api.get("/api/roles", {"type": "User"})
    assert response.status_code == HTTPStatus.OK
    assert [r["name"] for r in response.json()] == ["Editor"]
    names = [r["name"] for r in api.get("/api/roles", {"type": "MachineToMachine"}).json()]
    assert "Robot" in names and "Editor" not in names


def test_list_roles_refuses_an_unknown_type(api, db):
    assert api.get("/api/roles", {"type": "Robot"}).status_code == HTTPStatus.BAD_REQUEST


def test_create_a_role(api, db):
    response = api.post("/api/roles", {"name": "Auditor", "description": "Reads logs"})
    assert response.status_code == HTTPStatus.OK
    data = response.json()
    assert (data["name"], data["type"]) == ("Auditor", "User")
    assert Role.objects.get(pk=data["id"]).description == "Reads logs"
    assert Log.objects.filter(key="ManagementApi.Role.Create").count() == 1


def test_create_a_role_with_a_taken_name_is_422(api, db):
    RoleFactory(name="Auditor")
    response = api.post("/api/roles", {"name": "auditor"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "role.name_in_use"


def test_create_a_role_with_an_empty_name_is_400(api, db):
    assert api.post("/api/roles", {"name": ""}).status_code == HTTPStatus.BAD_REQUEST
