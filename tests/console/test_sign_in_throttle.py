"""Issue 9: the sign-in throttle counts the account, not the spelling, and only a successful
sign-in clears it (SECURITY.md promise 11)."""

from http import HTTPStatus

import pytest

from tests.factories import PASSWORD, SuperuserFactory

URL = "/console/sign-in"
THROTTLED = "Too many sign-in attempts."

pytestmark = pytest.mark.django_db


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(URL, {"username": username, "password": password}, **extra)


def alert(body):
    start = body.index('role="alert"')
    return body[start : body.index("</div>", start)]


def spend_five_guesses(client, *spellings):
    for n in range(5):
        sign_in(client, spellings[n % len(spellings)], "wrong-guess")


@pytest.fixture
def admin(db):
    return SuperuserFactory(
        username="boss", primary_email="boss@example.com", primary_phone="442079460958"
    )


def test_an_empty_password_does_not_reset_the_throttle(client, admin):
    spend_five_guesses(client, "boss")
    assert sign_in(client, "boss", "").status_code == HTTPStatus.BAD_REQUEST
    response = sign_in(client, "boss")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


def test_a_malformed_attempt_does_not_reset_the_throttle(client, admin):
    spend_five_guesses(client, "boss")
    client.post(URL, {"username": "boss"})  # no password field at all
    client.post(URL, {"username": "boss", "password": "x\x00"})
    assert sign_in(client, "boss").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_throttled_right_password_does_not_reset_the_throttle(client, admin):
    spend_five_guesses(client, "boss")
    sign_in(client, "boss")
    sign_in(client, "boss")
    assert sign_in(client, "boss").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_non_staff_right_password_does_not_reset_the_throttle(client, end_user):
    spend_five_guesses(client, end_user.username)
    assert sign_in(client, end_user.username).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_username_and_email_of_one_account_share_one_counter(client, admin):
    spend_five_guesses(client, "boss", "BOSS@example.com", "Boss")
    assert sign_in(client, "boss@example.com").status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert sign_in(client, "boss").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_phone_number_counts_for_the_account_too(client, admin):
    spend_five_guesses(client, "+44 20 7946 0958", "442079460958", "boss")
    assert sign_in(client, "boss").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_unknown_identifiers_count_by_their_normalised_spelling(client):
    spend_five_guesses(client, "Ghost@Example.com", " ghost@example.com ")
    assert sign_in(client, "GHOST@EXAMPLE.COM", "x").status_code == HTTPStatus.TOO_MANY_REQUESTS
    spend_five_guesses(client, "+1 202 555 0143", "12025550143")
    assert sign_in(client, "+1 (202) 555-0143", "x").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_another_account_is_not_throttled_by_the_first(client, admin):
    other = SuperuserFactory()
    spend_five_guesses(client, "boss", "boss@example.com")
    assert sign_in(client, other.username).status_code == HTTPStatus.FOUND


def test_only_a_successful_sign_in_clears_the_count(client, admin):
    spend_five_guesses(client, "boss", "boss@example.com")
    client.post(URL, {"username": "boss", "password": ""})
    assert sign_in(client, "boss").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_a_successful_sign_in_clears_the_count_of_every_spelling(client, admin):
    for _ in range(2):
        sign_in(client, "boss", "wrong-guess")
        sign_in(client, "boss@example.com", "wrong-guess")
    assert sign_in(client, "Boss@Example.com").status_code == HTTPStatus.FOUND
    client.logout()
    for _ in range(4):
        sign_in(client, "boss@example.com", "wrong-guess")
    assert sign_in(client, "boss").status_code == HTTPStatus.FOUND


def test_a_throttled_form_answers_429_with_retry_after_and_the_form(client, admin, settings):
    spend_five_guesses(client, "boss")
    response = sign_in(client, "boss")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= settings.SIGN_IN_WINDOW_SECONDS
    body = response.content.decode()
    assert THROTTLED in body and 'name="username"' in body


def test_a_throttled_unknown_account_answers_exactly_like_a_known_one(client, admin):
    spend_five_guesses(client, "boss")
    spend_five_guesses(client, "nobody_here")
    known, unknown = sign_in(client, "boss", "x"), sign_in(client, "nobody_here", "x")
    assert known.status_code == unknown.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert alert(known.content.decode()) == alert(unknown.content.decode())


def test_the_address_limit_counts_every_account_tried_from_it(client, admin, settings):
    settings.SIGN_IN_MAX_PER_IP = 3
    sign_in(client, "boss", "x")
    sign_in(client, "boss@example.com", "x")
    sign_in(client, "someone_else", "x")
    assert sign_in(client, "boss").status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert (
        sign_in(client, "boss", REMOTE_ADDR="10.9.9.9").status_code == HTTPStatus.FOUND
    )  # another address, same account, under its limit
