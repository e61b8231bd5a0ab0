"""/sign-in: one form, no JavaScript needed, one message for every wrong identifier or password,
every attempt recorded, throttled per account (all its spellings) and per IP."""

from http import HTTPStatus

import pytest

from audit.models import Log
from tests.signin.oidc_flow import PASSWORD, authorize_url, pkce_pair, sign_in
from users.models import User

MESSAGE = b"The identifier or password is incorrect."


def test_the_page_is_a_plain_form_without_scripts(client, db):
    response = client.get("/sign-in")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert '<form method="post"' in html and "<script" not in html
    assert 'autocomplete="current-password"' in html
    assert "signin.css" in html


def test_the_stylesheet_has_a_dark_mode(client, db):
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "signin.css").read_text()
    assert "prefers-color-scheme: dark" in css


def test_the_page_names_the_application_asking(client, oidc_app):
    url = authorize_url(oidc_app, pkce_pair()[1])
    response = client.get("/sign-in", {"next": url})
    assert b"to continue to <strong>Shop</strong>" in response.content


@pytest.mark.parametrize("field", ["username", "primary_email", "primary_phone"])
def test_any_identifier_signs_in(client, oidc_user, field):
    identifier = getattr(oidc_user, field)
    if field == "primary_phone":
        identifier = "+44 20 7946 0958"
    response = sign_in(client, identifier, PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == oidc_user.pk


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client, oidc_user):
    wrong = sign_in(client, oidc_user.username, "not-the-password")
    unknown = sign_in(client, "nobody_here", "not-the-password")
    assert wrong.status_code == unknown.status_code == HTTPStatus.BAD_REQUEST
    assert MESSAGE in wrong.content and MESSAGE in unknown.content
    assert b"suspended" not in wrong.content + unknown.content


def test_a_success_records_the_sign_in_and_the_first_application(client, oidc_app, oidc_user):
    url = authorize_url(oidc_app, pkce_pair()[1])
    response = sign_in(client, oidc_user.primary_email, PASSWORD, url)
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == url
    user = User.objects.get(pk=oidc_user.pk)
    assert user.last_sign_in_at is not None
    assert user.application_id == oidc_app.pk
    row = Log.objects.get(key="Interaction.SignIn.Submit")
    assert row.result == Log.Result.SUCCESS
    assert row.user_id == user.pk
    assert row.application_id == oidc_app.pk
    assert row.ip == "127.0.0.1"
    assert row.payload["identifierType"] == "email"


def test_a_later_application_does_not_replace_the_first(client, oidc_user, oidc_app):
    from tests.signin.oidc_flow import make_app

    other = make_app("Second")
    sign_in(client, oidc_user.username, PASSWORD, authorize_url(oidc_app, pkce_pair()[1]))
    sign_in(client, oidc_user.username, PASSWORD, authorize_url(other, pkce_pair()[1]))
    assert User.objects.get(pk=oidc_user.pk).application_id == oidc_app.pk


def test_a_sign_in_does_not_change_updated_at(client, oidc_user):
    before = User.objects.get(pk=oidc_user.pk).updated_at
    sign_in(client, oidc_user.username, PASSWORD)
    assert User.objects.get(pk=oidc_user.pk).updated_at == before


def test_failures_are_recorded_with_the_reason_and_the_user_agent(client, oidc_user):
    client.post(
        "/sign-in",
        {"identifier": oidc_user.username, "password": "nope"},
        headers={"User-Agent": "TestBrowser/1.0"},
    )
    sign_in(client, "ghost", "nope")
    rows = Log.objects.filter(key="Interaction.SignIn.Submit").order_by("created_at", "id")
    assert [(r.result, r.payload["error"]) for r in rows] == [
        (Log.Result.ERROR, "wrong_password"),
        (Log.Result.ERROR, "unknown_account"),
    ]
    assert rows[0].user_id == oidc_user.pk and rows[1].user_id is None
    assert rows[0].user_agent == "TestBrowser/1.0"
    assert "ghost" not in str(rows[1].payload)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"identifier": "robin"},
        {"identifier": "robin\x00", "password": "x"},
        {"identifier": "r" * 5000, "password": "x"},
        {"identifier": "robin", "password": "p" * 5000},
    ],
)
def test_malformed_input_is_400_and_not_counted(client, oidc_user, settings, data):
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = 1
    response = client.post("/sign-in", data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Log.objects.filter(key="Interaction.SignIn.Submit").exists()
    assert sign_in(client, oidc_user.username, PASSWORD).status_code == HTTPStatus.FOUND


def test_attempts_are_throttled_per_account_across_spellings(client, oidc_user, settings):
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = 3
    for identifier in ("robin", "ROBIN@example.com", "+442079460958"):
        assert sign_in(client, identifier, "wrong").status_code == HTTPStatus.BAD_REQUEST
    response = sign_in(client, "Robin", PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert Log.objects.filter(payload__error="throttled", user=oidc_user).count() == 1


def test_attempts_are_throttled_per_ip(client, db, settings):
    settings.END_USER_SIGN_IN_MAX_PER_IP = 2
    sign_in(client, "a_one", "x")
    sign_in(client, "a_two", "x")
    assert sign_in(client, "a_three", "x").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_end_user_throttle_is_not_the_consoles(client, oidc_user, settings):
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = 1
    settings.SIGN_IN_MAX_PER_ACCOUNT = 1
    client.post("/console/sign-in", {"username": "robin", "password": "wrong"})
    assert sign_in(client, "robin", PASSWORD).status_code == HTTPStatus.FOUND


def test_a_success_clears_the_accounts_count(client, oidc_user, settings):
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = 2
    sign_in(client, "robin", "wrong")
    assert sign_in(client, "robin", PASSWORD).status_code == HTTPStatus.FOUND
    sign_in(client, "robin", "wrong")
    assert sign_in(client, "robin", PASSWORD).status_code == HTTPStatus.FOUND


def test_the_sign_in_page_lets_its_form_continue_to_the_registered_redirect_only(client, oidc_app):
    url = authorize_url(oidc_app, pkce_pair()[1])
    csp = client.get("/sign-in", {"next": url})["Content-Security-Policy"]
    assert "form-action 'self' https://rp.example.com" in csp
    plain = client.get("/sign-in")["Content-Security-Policy"]
    assert "rp.example.com" not in plain


def test_sign_in_rotates_the_session_id(client, oidc_user):
    client.get("/sign-in")
    client.session.save()
    before = client.session.session_key
    sign_in(client, "robin", PASSWORD)
    assert client.session.session_key != before
