"""Console admin accounts are managed in the console: every Management API route that changes a
user refuses a staff target with 403 `user.forbidden`, and nothing changes. The refusal is the
service's (users.services.lock_for_change), so a route cannot forget it."""

from http import HTTPStatus

import pytest

from audit.models import Log
from audit.recorder import Origin
from tests.access.factories import RoleFactory, UserRoleFactory
from tests.factories import SuperuserFactory
from users import services
from users.errors import GuardError
from users.models import Identity, MfaFactor

API = Origin(channel="ManagementApi", actor_label="app", application_id="app")


@pytest.fixture
def admin(db):
    admin = SuperuserFactory()
    Identity.objects.create(user=admin, target="github", external_user_id="42")
    MfaFactor.objects.create(user=admin, type="Totp")
    services.create_personal_access_token(admin, origin=Origin.system("test"), name="ci")
    UserRoleFactory(user=admin, role=RoleFactory(name="kept"))
    return admin


def routes(admin, other_role):
    factor = admin.mfa_factors.get()
    role = admin.role_assignments.get().role
    base = f"/api/users/{admin.pk}"
    return [
        ("patch", base, {"name": "x"}),
        ("patch", base, {"name": admin.name}),  # no change: still refused
        ("delete", base, None),
        ("patch", f"{base}/custom-data", {"customData": {"a": 1}}),
        ("patch", f"{base}/profile", {"profile": {"nickname": "x"}}),
        ("patch", f"{base}/password", {"password": "Tall-lighthouse-42!"}),
        ("patch", f"{base}/password/expiration", {"isExpired": True}),
        ("patch", f"{base}/password/expiration", {"isExpired": False}),  # no change
        ("patch", f"{base}/is-suspended", {"isSuspended": True}),
        ("patch", f"{base}/is-suspended", {"isSuspended": False}),  # no change
        ("post", f"{base}/roles", {"roleIds": [other_role.pk]}),
        ("post", f"{base}/roles", {"roleIds": [role.pk]}),  # has it already
        ("put", f"{base}/roles", {"roleIds": []}),
        ("delete", f"{base}/roles/{role.pk}", None),
        ("put", f"{base}/identities/google", {"userId": "g-1"}),
        ("delete", f"{base}/identities/github", None),
        ("post", f"{base}/mfa-verifications", {"type": "Totp"}),
        ("delete", f"{base}/mfa-verifications/{factor.pk}", None),
        ("post", f"{base}/personal-access-tokens", {"name": "new"}),
        ("patch", f"{base}/personal-access-tokens", {"currentName": "ci", "name": "x"}),
        ("post", f"{base}/personal-access-tokens/delete", {"name": "ci"}),
        ("patch", f"{base}/personal-access-tokens/ci", {"name": "x"}),
        ("delete", f"{base}/personal-access-tokens/ci", None),
    ]


def test_every_write_route_refuses_a_staff_target(api, admin):
    other_role = RoleFactory(name="other")
    for method, path, body in routes(admin, other_role):
        send = getattr(api, method)
        response = send(path) if method == "delete" else send(path, body)
        assert response.status_code == HTTPStatus.FORBIDDEN, (method, path, response.content)
        assert response.json()["code"] == "user.forbidden", (method, path)
    admin.refresh_from_db()
    assert admin.name and not admin.is_suspended and not admin.is_password_expired
    assert admin.identities.count() == 1 and admin.mfa_factors.count() == 1
    assert [t.name for t in admin.access_tokens.all()] == ["ci"]
    assert [a.role.name for a in admin.role_assignments.all()] == ["kept"]
    assert not Log.objects.filter(key__startswith="ManagementApi.User").exists()


def test_the_service_refuses_an_api_client_whatever_the_view_does(admin):
    for act in (
        lambda: services.update_profile(admin, origin=API, name="x"),
        lambda: services.suspend_user(admin, origin=API),
        lambda: services.enrol_totp(admin, origin=API),
        lambda: services.set_password_expired(admin, origin=API, expired=False),
    ):
        with pytest.raises(GuardError):
            act()


def test_the_console_and_the_system_may_still_change_staff(admin):
    services.update_profile(admin, origin=Origin.system("test"), name="Renamed")
    admin.refresh_from_db()
    assert admin.name == "Renamed"


def test_a_non_staff_user_is_changed_as_before(api, db):
    from tests.factories import UserFactory

    user = UserFactory()
    assert api.patch(f"/api/users/{user.pk}", {"name": "x"}).status_code == HTTPStatus.OK
