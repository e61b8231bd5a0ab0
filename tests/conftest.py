import pytest

from tests.factories import SuperuserFactory, UserFactory, ViewerFactory

pytest_plugins = ["tests.audit_guard", "tests.signin.oidc_flow"]


@pytest.fixture
def admin_user(db):
    return SuperuserFactory()


@pytest.fixture
def viewer(db):
    return ViewerFactory()


@pytest.fixture
def end_user(db):
    """A non-staff user with a password: may exist, may not enter the console."""
    return UserFactory(password="correct-horse-battery-staple")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def htmx(settings):
    """Headers htmx sends when it asks for the user table fragment."""
    return {"HX-Request": "true", "HX-Target": "user-table"}


@pytest.fixture
def htmx_dialog():
    """Headers htmx sends when it loads or submits a dialog."""
    return {"HX-Request": "true", "HX-Target": "dialog-slot"}


@pytest.fixture
def subject(db):
    """The user an admin is looking at: identifiers, a password, a social identity."""
    from users.models import Identity

    user = UserFactory(
        username="ann_lee",
        primary_email="ann@example.com",
        primary_phone="442079460958",
        name="Ann Lee",
        password="users-own-password-1",
    )
    Identity.objects.create(user=user, target="github", external_user_id="1234")
    return user


@pytest.fixture(autouse=True)
def management_api_seed(request):
    """Every test with a database sees what migration 0005 seeds (the Management API resource,
    scope `all`, the "Management API access" role), as production does: a transactional test
    flushes the database, which would otherwise remove them for the tests after it."""
    if "_django_db_helper" not in request.fixturenames and not request.node.get_closest_marker(
        "django_db"
    ):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("_django_db_helper")
    importlib.import_module("users.migrations.0008_application_roles").seed_management_api(
        apps, None
    )
    # The console roles' groups (migration 0005_staff_roles), also wiped by a transactional test's
    # flush; test order is not guaranteed under pytest-xdist.
    from users import staff

    for role in (staff.VIEWER, staff.EDITOR):
        staff.role_group(role)
