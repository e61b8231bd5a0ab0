"""Every verb of users.services writes exactly one audit row: its key, the acting admin (or API
client) and the user it acted on. The console and the Management API share these verbs."""

import pytest
from django.test import RequestFactory

from audit.models import Log
from audit.recorder import Origin
from tests.audit.expect import expect_one_log
from tests.factories import SuperuserFactory, UserFactory
from users import services
from users.models import Identity, MfaFactor

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return SuperuserFactory(primary_email="boss@example.com")


@pytest.fixture
def origin(admin):
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4")
    request.user = admin
    return Origin.from_request(request)


@pytest.fixture
def target():
    user = UserFactory(primary_email="ann@example.com", password="an-old-password-1")
    Identity.objects.create(user=user, target="github", external_user_id="77")
    return user


def _token(user, origin):
    return services.create_personal_access_token(user, origin=origin, name="ci").token


ACTIONS = {
    "User.Identifiers.Update": lambda u, o: services.update_identifiers(
        u, origin=o, username="ann_new"
    ),
    "User.Profile.Update": lambda u, o: services.update_profile(u, origin=o, name="Ann New"),
    "User.Password.Reset": lambda u, o: services.reset_password(u, origin=o),
    "User.Suspend": lambda u, o: services.suspend_user(u, origin=o),
    "User.Delete": lambda u, o: services.delete_user(u, origin=o),
    "User.Identity.Remove": lambda u, o: services.remove_identity(u.identities.get(), origin=o),
    "User.MfaFactor.Remove": lambda u, o: services.remove_mfa_factor(
        MfaFactor.objects.create(user=u, type="Totp", name="Phone"), origin=o
    ),
    "User.MfaFactor.Create": lambda u, o: services.enrol_totp(u, origin=o),
    "User.PersonalAccessToken.Create": lambda u, o: services.create_personal_access_token(
        u, origin=o, name="ci"
    ),
}
# Actions that need something to exist first (made before the expectation starts).
PREPARED = {
    "User.Reactivate": (
        lambda u, o: services.suspend_user(u, origin=o),
        lambda u, o, _: services.reactivate_user(u, origin=o),
    ),
    "User.PersonalAccessToken.Rename": (
        _token,
        lambda u, o, token: services.rename_personal_access_token(token, origin=o, name="deploy"),
    ),
    "User.PersonalAccessToken.Delete": (
        _token,
        lambda u, o, token: services.delete_personal_access_token(token, origin=o),
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_writes_one_row_with_key_actor_and_target(action, admin, origin, target):
    with expect_one_log(f"Console.{action}", actor=admin, user=target) as written:
        ACTIONS[action](target, origin)
    assert written.log.actor_label == "boss@example.com"
    assert written.log.ip == "198.51.100.4"


@pytest.mark.parametrize("action", PREPARED)
def test_actions_on_existing_things_write_one_row_too(action, admin, origin, target):
    prepare, act = PREPARED[action]
    made = prepare(target, origin)
    with expect_one_log(f"Console.{action}", actor=admin, user=target):
        act(target, origin, made)


def test_creating_a_user_writes_one_row_about_the_new_user(admin, origin):
    with expect_one_log("Console.User.Create", actor=admin) as written:
        created = services.create_user(origin=origin, username="new_user", generate=True)
    assert written.log.user_ref == created.user.pk


def test_an_api_client_is_the_actor_of_its_actions(target):
    origin = Origin(channel="ManagementApi", actor_label="m2m-app", application_id="m2m-app")
    with expect_one_log("ManagementApi.User.Suspend", actor_label="m2m-app", user=target) as w:
        services.suspend_user(target, origin=origin)
    assert w.log.actor_id is None


def test_an_action_with_nothing_to_do_writes_nothing(origin, target):
    services.suspend_user(target, origin=origin)
    before = Log.objects.count()
    services.suspend_user(target, origin=origin)  # already suspended
    services.update_profile(target, origin=origin, name=target.name)  # no change
    assert Log.objects.count() == before
