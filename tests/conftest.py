import pytest

from tests.factories import SuperuserFactory, UserFactory, ViewerFactory


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
