import pytest

from audit.recorder import Origin
from signin.management import grant_management_access
from users.access.applications import create_application
from users.models import Application


def make_m2m_app(name="Nightly export", *, granted=True):
    origin = Origin.system("test")
    app = create_application(origin=origin, name=name, type=Application.Type.MACHINE_TO_MACHINE)
    if granted:
        grant_management_access(app, origin=origin)
    return app


@pytest.fixture
def m2m_app(db):
    """A machine-to-machine application holding "Management API access"; its one-time secret is
    on `new_client_secret`."""
    return make_m2m_app()


@pytest.fixture
def test_api(settings):
    """Routes under /test-api/ guarded by ManagementApiAuth (see tests/signin/urls.py)."""
    settings.ROOT_URLCONF = "tests.signin.urls"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}
