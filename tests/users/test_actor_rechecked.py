"""The acting admin is checked again inside the service's transaction, not only by the
middleware when the request began: an admin suspended, deleted or demoted meanwhile acts on
their state as it is now."""

from http import HTTPStatus

import pytest

from audit.models import Log
from audit.recorder import Origin
from tests.factories import SuperuserFactory, UserFactory
from users import services
from users.errors import GuardError, StaleError
from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_as_loaded(db):
    """The admin as the middleware loaded them at the start of the request."""
    SuperuserFactory()  # another superuser, so suspending this one is allowed
    return SuperuserFactory()


def test_an_admin_suspended_since_the_request_began_gets_409_and_changes_nothing(
    admin_as_loaded,
):
    target = UserFactory(name="Before")
    User.objects.filter(pk=admin_as_loaded.pk).update(is_suspended=True)
    with pytest.raises(StaleError) as excinfo:
        services.update_profile(
            target, origin=Origin("Console", actor=admin_as_loaded), name="After"
        )
    assert excinfo.value.status == HTTPStatus.CONFLICT
    assert excinfo.value.code == "actor.changed"
    target.refresh_from_db()
    assert target.name == "Before"
    assert not Log.objects.filter(key="Console.User.Profile.Update").exists()


def test_an_admin_deleted_since_the_request_began_gets_409(admin_as_loaded):
    target = UserFactory()
    User.objects.filter(pk=admin_as_loaded.pk).delete()
    with pytest.raises(StaleError):
        services.suspend_user(target, origin=Origin("Console", actor=admin_as_loaded))
    target.refresh_from_db()
    assert not target.is_suspended


def test_an_admin_demoted_since_the_request_began_may_no_longer_change_a_staff_account(
    admin_as_loaded,
):
    staff = SuperuserFactory()
    User.objects.filter(pk=admin_as_loaded.pk).update(is_superuser=False)
    with pytest.raises(GuardError):
        services.reset_password(staff, origin=Origin("Console", actor=admin_as_loaded))


def test_the_console_shows_the_409_in_the_dialog(client, admin_as_loaded, monkeypatch):
    target = UserFactory()
    client.force_login(admin_as_loaded)
    real_lock = services.lock_for_change

    def suspended_meanwhile(*args, **kwargs):
        # The admin is suspended between the middleware's check and the service's transaction.
        User.objects.filter(pk=admin_as_loaded.pk).update(is_suspended=True)
        return real_lock(*args, **kwargs)

    monkeypatch.setattr(services, "lock_for_change", suspended_meanwhile)
    response = client.post(
        f"/console/users/{target.pk}/suspend",
        headers={"HX-Request": "true", "HX-Target": "dialog-slot"},
    )
    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert body.lstrip().startswith("<dialog") and "Your own account was suspended" in body
    target.refresh_from_db()
    assert not target.is_suspended


def test_role_changes_recheck_the_admin_too(admin_as_loaded):
    from tests.access.factories import RoleFactory
    from users.access.roles import assign_roles
    from users.models import UserRole

    target, role = UserFactory(), RoleFactory()
    User.objects.filter(pk=admin_as_loaded.pk).update(is_suspended=True)
    with pytest.raises(StaleError):
        assign_roles(target, [role], origin=Origin("Console", actor=admin_as_loaded))
    assert not UserRole.objects.filter(user=target).exists()


def test_an_admin_whose_staff_status_was_taken_since_the_request_began_gets_409(
    admin_as_loaded,
):
    target = UserFactory()
    User.objects.filter(pk=admin_as_loaded.pk).update(is_staff=False, is_superuser=False)
    with pytest.raises(StaleError):
        services.suspend_user(target, origin=Origin("Console", actor=admin_as_loaded))
    target.refresh_from_db()
    assert not target.is_suspended
