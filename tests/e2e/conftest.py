"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test thread; Django would refuse the ORM calls
# the tests make around it. Set before any fixture touches the database.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.factories import PASSWORD, SuperuserFactory  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Short waits: the live server answers in milliseconds; a timeout means a real failure.
EXPECT_TIMEOUT_MS = 5_000
ACTION_TIMEOUT_MS = 10_000

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's options (--headed, --slowmo...) plus the system Chromium."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session", autouse=True)
def _playwright_timeouts():
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(autouse=True)
def _plain_http_live_server(settings, live_server):
    """The live server speaks plain http: secure-only cookies would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    host = re.match(r"https?://([^:/]+)", live_server.url).group(1)
    if host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]


@pytest.fixture
def context(context):
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


@pytest.fixture
def admin(transactional_db):
    """A superuser who signs in with tests.factories.PASSWORD."""
    return SuperuserFactory(name="Ada Admin", primary_email="ada.admin@example.com")


def sign_in(page, live_server, user, password=PASSWORD):
    """Sign `page` in through the real sign-in form, as a person would."""
    page.goto(f"{live_server.url}/console/sign-in")
    page.get_by_label("Username or email").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def console_errors(page):
    """Every console message of type error the page logs (CSP violations among them)."""
    errors = []

    def collect(message):
        if message.type == "error":
            errors.append(message.text)

    page.on("console", collect)
    return errors


@pytest.fixture
def signed_in_page(page, console_errors, live_server, admin):
    """A page signed in as `admin`, showing the user table."""
    sign_in(page, live_server, admin)
    page.wait_for_url(f"{live_server.url}/console/users")
    return page


NEW_EMAIL = "grace.hopper@example.com"
NEW_NAME = "Grace Hopper"


def open_add_user(page):
    """Click "Add user": a modal dialog opens in place, the page stays where it was."""
    url = page.url
    page.evaluate("window.__marker = 'no page load'")
    page.get_by_role("link", name="Add user").click()
    dialog = page.locator("#dialog-slot dialog#add-user")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Add user")).to_be_visible()
    assert dialog.evaluate("d => d.open && d.matches(':modal')")
    assert page.url == url
    assert page.evaluate("window.__marker") == "no page load"
    return dialog


def add_user(page, email=NEW_EMAIL, name=NEW_NAME):
    """Add a user through the dialog; returns the dialog showing the credentials."""
    dialog = open_add_user(page)
    dialog.get_by_label("Email", exact=True).fill(email)
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_role("button", name="Add user").click()
    expect(dialog.get_by_role("heading", name="User added")).to_be_visible()
    return dialog
