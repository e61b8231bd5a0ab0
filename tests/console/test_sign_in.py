import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from tests.factories import PASSWORD, SuperuserFactory, UserFactory

URL = "/console/sign-in"
INVALID = "Enter a correct username or email and password."
THROTTLED = "Too many sign-in attempts."

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(URL, {"username": username, "password": password}, **extra)


def test_it_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert 'name="username"' in response.content.decode()


def test_a_staff_admin_signs_in_and_lands_on_the_user_table(client, admin_user):
    response = sign_in(client, admin_user.username)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/console/users"
    assert client.get("/console/users").status_code == HTTPStatus.OK


def test_an_admin_may_sign_in_with_their_email_in_any_case(client):
    admin = SuperuserFactory(primary_email="boss@example.com")
    assert sign_in(client, "BOSS@example.com").status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == admin.pk


def test_the_next_parameter_is_honoured(client, admin_user):
    response = client.post(
        URL + "?next=/console/users?search=ann",
        {
            "username": admin_user.username,
            "password": PASSWORD,
            "next": "/console/users?search=ann",
        },
    )
    assert response["Location"] == "/console/users?search=ann"


def test_an_offsite_next_is_ignored(client, admin_user):
    response = client.post(
        URL,
        {"username": admin_user.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/console/users"


def test_the_session_id_changes_at_sign_in(client, admin_user):
    client.get(URL)
    client.cookies["sessionid"] = "attacker-chosen"
    sign_in(client, admin_user.username)
    assert client.cookies["sessionid"].value != "attacker-chosen"


def test_non_staff_users_get_the_same_message_as_a_wrong_password(client, end_user):
    body = sign_in(client, end_user.username).content.decode()
    assert INVALID in body
    assert "_auth_user_id" not in client.session


def test_a_suspended_admin_cannot_sign_in(client):
    admin = SuperuserFactory(is_suspended=True)
    assert INVALID in sign_in(client, admin.username).content.decode()


def test_wrong_password_and_unknown_account_look_the_same(client, admin_user):
    wrong = sign_in(client, admin_user.username, "wrong-password").content.decode()
    unknown = sign_in(client, "nobody_here", "wrong-password").content.decode()
    assert INVALID in wrong and INVALID in unknown

    def alert(body):
        start = body.index('role="alert"')
        return body[start : body.index("</div>", start)]

    assert alert(wrong) == alert(unknown)


def test_an_account_is_throttled_after_five_attempts_even_with_the_right_password(
    client, admin_user
):
    for _ in range(5):
        assert INVALID in sign_in(client, admin_user.username, "wrong").content.decode()
    body = sign_in(client, admin_user.username).content.decode()
    assert THROTTLED in body
    assert "_auth_user_id" not in client.session


def test_an_unknown_account_is_throttled_the_same_way(client):
    for _ in range(5):
        sign_in(client, "ghost", "wrong")
    assert THROTTLED in sign_in(client, "ghost", "wrong").content.decode()


def test_a_successful_sign_in_resets_the_account_count(client, admin_user):
    for _ in range(4):
        sign_in(client, admin_user.username, "wrong")
    assert sign_in(client, admin_user.username).status_code == HTTPStatus.FOUND
    client.logout()
    for _ in range(4):
        sign_in(client, admin_user.username, "wrong")
    assert sign_in(client, admin_user.username).status_code == HTTPStatus.FOUND


def test_one_address_is_throttled_across_accounts(client, settings):
    settings.SIGN_IN_MAX_PER_IP = 3
    for n in range(3):
        assert THROTTLED not in sign_in(client, f"someone{n}", "wrong").content.decode()
    assert THROTTLED in sign_in(client, "someone_else", "wrong").content.decode()


def test_another_address_is_not_throttled_by_the_first(client, settings):
    settings.SIGN_IN_MAX_PER_IP = 3
    for n in range(4):
        sign_in(client, f"someone{n}", "wrong", REMOTE_ADDR="10.0.0.1")
    assert (
        THROTTLED not in sign_in(client, "fresh", "wrong", REMOTE_ADDR="10.0.0.2").content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_cannot_pass_the_account_limit():
    admin = SuperuserFactory()
    outcomes, barrier = [], threading.Barrier(12)

    def guess():
        try:
            barrier.wait()
            body = sign_in(Client(), admin.username, "wrong").content.decode()
            outcomes.append("throttled" if THROTTLED in body else "checked")
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("checked") == 5
    assert outcomes.count("throttled") == 7


def test_sign_out_needs_post_and_ends_the_session(admin_client):
    assert admin_client.get("/console/sign-out").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = admin_client.post("/console/sign-out")
    assert response.status_code == HTTPStatus.FOUND
    assert admin_client.get("/console/users").status_code == HTTPStatus.FOUND


def test_a_signed_in_admin_visiting_sign_in_goes_to_the_console(admin_client):
    assert admin_client.get(URL)["Location"] == "/console/users"


def test_sessions_end_after_the_absolute_timeout(admin_client, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    admin_client.get("/console/users")
    session = admin_client.session
    session["signed_in_at"] -= 120
    session.save()
    response = admin_client.get("/console/users")
    assert response.status_code == HTTPStatus.FOUND
    assert admin_client.get("/console/users").status_code == HTTPStatus.FOUND


def test_users_factory_makes_non_staff_by_default():
    assert not UserFactory().is_staff


def test_sessions_end_after_the_idle_timeout(admin_client, settings):
    settings.SESSION_IDLE_SECONDS = 60
    admin_client.get("/console/users")
    session = admin_client.session
    session["seen_at"] -= 120
    session.save()
    assert admin_client.get("/console/users").status_code == HTTPStatus.FOUND


def test_a_request_does_not_rewrite_the_session_each_time(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin_client.get("/console/users")
    with CaptureQueriesContext(connection) as queries:
        admin_client.get("/console/users")
    assert not any("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in queries)
