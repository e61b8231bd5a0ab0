"""Issue 9: no input to the sign-in form gives a 5xx; nonsense gets the form again with an error (400)."""

from http import HTTPStatus

import pytest

from tests.factories import PASSWORD

URL = "/console/sign-in"

pytestmark = pytest.mark.django_db

MALFORMED = [
    pytest.param({"username": "", "password": PASSWORD}, id="empty-username"),
    pytest.param({"username": "   ", "password": PASSWORD}, id="blank-username"),
    pytest.param({"username": "ad\x00min", "password": PASSWORD}, id="nul-in-username"),
    pytest.param({"username": "a" * 129, "password": PASSWORD}, id="username-over-128"),
    pytest.param({"username": "a" * 100_000, "password": PASSWORD}, id="huge-username"),
    pytest.param({"username": "admin", "password": ""}, id="empty-password"),
    pytest.param({"username": "admin", "password": "pass\x00word"}, id="nul-in-password"),
    pytest.param({"username": "admin"}, id="no-password-field"),
    pytest.param({"password": PASSWORD}, id="no-username-field"),
    pytest.param({}, id="empty-post"),
    pytest.param({"username": ["a", "b"], "password": [PASSWORD, "x"]}, id="repeated-fields"),
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_sign_in_input_gives_the_form_again_with_400(client, admin_user, data):
    response = client.post(URL, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.content.decode()
    assert 'name="username"' in body and 'role="alert"' in body
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"username=%ED%A0%80&password=x", id="lone-surrogate-utf8"),
        pytest.param(b"username=%FF%FE&password=%C0", id="invalid-utf8"),
        pytest.param(b"username=admin&password", id="password-without-value"),
        pytest.param(b"\x00\x01\x02", id="binary-body"),
    ],
)
def test_a_raw_malformed_body_gives_the_form_again_with_400(client, admin_user, body):
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'role="alert"' in response.content.decode()


def test_an_empty_username_says_what_is_missing(client):
    body = client.post(URL, {"username": "", "password": "x"}).content.decode()
    assert "Enter your username or email." in body


def test_the_form_is_shown_again_with_400_after_a_wrong_password(client, admin_user):
    response = client.post(URL, {"username": admin_user.username, "password": "wrong"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Enter a correct username or email and password." in response.content.decode()
