"""Issue 9: admin sign-ins, successful or not, are in the audit log with IP and user agent."""

import pytest

from audit.models import Log
from tests.factories import PASSWORD, SuperuserFactory

URL = "/console/sign-in"
BROWSER = {"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Firefox/140.0"}

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD):
    return client.post(URL, {"username": username, "password": password}, **BROWSER)


def sign_ins():
    return list(Log.objects.filter(key="Console.SignIn").order_by("created_at", "id"))


def test_a_successful_sign_in_is_recorded_with_ip_and_user_agent(client):
    admin = SuperuserFactory(primary_email="boss@example.com")
    sign_in(client, "boss@example.com")
    [log] = sign_ins()
    assert log.result == Log.Result.SUCCESS
    assert (log.user_id, log.actor_id) == (admin.pk, admin.pk)
    assert (log.ip, log.user_agent) == ("203.0.113.9", "Firefox/140.0")


def test_a_wrong_password_is_recorded_as_an_error_against_the_account(client, admin_user):
    sign_in(client, admin_user.username, "wrong-guess")
    [log] = sign_ins()
    assert log.result == Log.Result.ERROR
    assert log.user_id == admin_user.pk and log.actor_id is None
    assert (log.ip, log.user_agent) == ("203.0.113.9", "Firefox/140.0")
    assert log.payload == {"error": "wrong_password"}


@pytest.mark.parametrize(
    ("make", "error"),
    [
        ("non-staff", "not_staff"),
        ("suspended", "suspended"),
    ],
)
def test_a_refused_account_is_recorded_with_why(client, make, error):
    kwargs = {"is_staff": False, "is_superuser": False} if make == "non-staff" else {}
    user = SuperuserFactory(is_suspended=make == "suspended", **kwargs)
    sign_in(client, user.username)
    [log] = sign_ins()
    assert (log.result, log.user_id, log.payload) == (Log.Result.ERROR, user.pk, {"error": error})


def test_an_unknown_account_is_recorded_without_what_was_typed(client):
    sign_in(client, "correct-horse-typed-in-the-wrong-box", "wrong-guess")
    [log] = sign_ins()
    assert log.result == Log.Result.ERROR and log.user_id is None
    assert log.payload == {"error": "unknown_account"}
    assert "correct-horse" not in f"{log.user_label}{log.actor_label}{log.payload}"


def test_a_throttled_attempt_is_recorded(client, admin_user):
    for _ in range(5):
        sign_in(client, admin_user.username, "wrong-guess")
    sign_in(client, admin_user.username)
    last = sign_ins()[-1]
    assert (last.result, last.user_id, last.payload) == (
        Log.Result.ERROR,
        admin_user.pk,
        {"error": "throttled"},
    )
    assert len(sign_ins()) == 6


def test_the_password_is_never_in_the_sign_in_rows(client, admin_user):
    sign_in(client, admin_user.username, "a-wrong-but-secret-guess")
    sign_in(client, admin_user.username)
    texts = [str(vars(log)) for log in sign_ins()]
    assert not any(PASSWORD in t or "a-wrong-but-secret-guess" in t for t in texts)


def test_a_form_without_credentials_is_not_a_sign_in_attempt(client):
    client.post(URL, {"username": "", "password": ""}, **BROWSER)
    assert sign_ins() == []


def test_the_sign_in_row_has_a_readable_title():
    from audit.keys import title

    assert title("Console.SignIn") == "Sign in to the console"
