"""/sign-in with a second factor: after the password, a user with an authenticator app or backup
codes is asked for a code on /sign-in/mfa; until it is right the browser is not signed in."""

import time
from http import HTTPStatus

import pytest
from django.contrib.auth import SESSION_KEY

from audit.models import Log
from audit.recorder import Origin
from signin.pages import MFA_PENDING_KEY
from tests.signin.oidc_flow import PASSWORD, authorize_url, pkce_pair, sign_in
from users import mfa, services
from users.models import MfaFactor, User

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODES = [f"{i:02d}ab34cd5e" for i in range(10)]
API = Origin(channel="ManagementApi", actor_label="app", application_id="app")


@pytest.fixture
def mfa_user(oidc_user):
    services.enrol_totp(oidc_user, origin=API, secret=SECRET)
    services.enrol_backup_codes(oidc_user, origin=API, codes=CODES)
    return oidc_user


def code_now():
    return mfa.totp(SECRET).now()


def wrong_code():
    right = {mfa.totp(SECRET).at(time.time() + d) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def submit_code(client, code):
    return client.post("/sign-in/mfa", {"code": code})


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_a_user_without_factors_signs_in_with_the_password_alone(client, oidc_user):
    response = sign_in(client, oidc_user.username)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/sign-in/done"
    assert signed_in(client)


def test_the_password_leads_to_the_code_step_without_signing_in(client, mfa_user):
    response = sign_in(client, mfa_user.username)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/sign-in/mfa"
    assert not signed_in(client)
    assert client.session[MFA_PENDING_KEY]["user"] == mfa_user.pk
    page = client.get("/sign-in/mfa")
    assert page.status_code == HTTPStatus.OK
    assert b'autocomplete="one-time-code"' in page.content
    assert not signed_in(client)
    assert not Log.objects.filter(key="Interaction.SignIn.Submit").exists()
    assert User.objects.get(pk=mfa_user.pk).last_sign_in_at is None


def test_the_code_step_gives_a_new_session_id(client, mfa_user):
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    sign_in(client, mfa_user.username)
    assert client.session.session_key != before


def test_the_right_code_signs_in_and_records_it(client, mfa_user):
    sign_in(client, mfa_user.primary_email)
    response = submit_code(client, code_now())
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/sign-in/done"
    assert client.session[SESSION_KEY] == mfa_user.pk
    assert MFA_PENDING_KEY not in client.session
    row = Log.objects.get(key="Interaction.SignIn.Submit")
    assert row.result == Log.Result.SUCCESS and row.payload["identifierType"] == "email"
    assert MfaFactor.objects.get(user=mfa_user, type="Totp").last_used_at is not None
    assert User.objects.get(pk=mfa_user.pk).last_sign_in_at is not None
    assert b"You are signed in" in client.get("/sign-in/done").content


def test_a_wrong_code_answers_400_with_the_form(client, mfa_user):
    sign_in(client, mfa_user.username)
    response = submit_code(client, wrong_code())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"The code is incorrect or was already used." in response.content
    assert b'name="code"' in response.content
    assert not signed_in(client)
    row = Log.objects.get(key="Interaction.SignIn.Verification.Totp.Submit")
    assert row.result == Log.Result.ERROR and row.user_id == mfa_user.pk


@pytest.mark.parametrize("code", ["", "   ", "x" * 65])
def test_an_empty_or_over_long_code_is_400(client, mfa_user, code):
    sign_in(client, mfa_user.username)
    assert submit_code(client, code).status_code == HTTPStatus.BAD_REQUEST
    assert not signed_in(client)


def test_a_backup_code_works_once(client, mfa_user):
    sign_in(client, mfa_user.username)
    assert submit_code(client, CODES[0]).status_code == HTTPStatus.FOUND
    assert signed_in(client)
    client.logout()
    sign_in(client, mfa_user.username)
    assert submit_code(client, CODES[0]).status_code == HTTPStatus.BAD_REQUEST
    assert not signed_in(client)
    factor = MfaFactor.objects.get(user=mfa_user, type="BackupCode")
    assert factor.details["remainCodes"] == 9 and factor.last_used_at is not None


def test_a_totp_code_cannot_be_replayed(client, mfa_user):
    code = code_now()
    sign_in(client, mfa_user.username)
    assert submit_code(client, code).status_code == HTTPStatus.FOUND
    client.logout()
    sign_in(client, mfa_user.username)
    assert submit_code(client, code).status_code == HTTPStatus.BAD_REQUEST


def test_codes_are_throttled_like_the_password(client, mfa_user, settings):
    settings.END_USER_SIGN_IN_MAX_PER_ACCOUNT = 3
    sign_in(client, mfa_user.username)
    for _ in range(3):
        assert submit_code(client, wrong_code()).status_code == HTTPStatus.BAD_REQUEST
    response = submit_code(client, code_now())  # right, but over the limit
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert not signed_in(client)
    refused = Log.objects.filter(key="Interaction.SignIn.Submit", result=Log.Result.ERROR)
    assert [r.payload["error"] for r in refused] == ["mfa_throttled"]


def test_the_code_page_without_a_password_goes_back_to_sign_in(client, db):
    assert client.get("/sign-in/mfa")["Location"] == "/sign-in"
    response = submit_code(client, "123456")
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/sign-in"


def test_the_code_step_expires(client, mfa_user, settings):
    sign_in(client, mfa_user.username)
    session = client.session
    session[MFA_PENDING_KEY] = {**session[MFA_PENDING_KEY], "since": 0}
    session.save()
    response = submit_code(client, code_now())
    assert response["Location"] == "/sign-in"
    assert not signed_in(client)


def test_a_user_suspended_between_the_steps_is_not_signed_in(client, mfa_user):
    sign_in(client, mfa_user.username)
    services.suspend_user(mfa_user, origin=Origin.system("test"))
    assert submit_code(client, code_now())["Location"] == "/sign-in"
    assert not signed_in(client)


def test_a_wrong_password_never_reaches_the_code_step(client, mfa_user):
    response = sign_in(client, mfa_user.username, "not-the-password")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert MFA_PENDING_KEY not in client.session
    assert client.get("/sign-in/mfa")["Location"] == "/sign-in"


def test_the_code_step_continues_to_the_application(client, oidc_app, mfa_user):
    url = authorize_url(oidc_app, pkce_pair()[1])
    sign_in(client, mfa_user.username, PASSWORD, url)
    page = client.get("/sign-in/mfa")
    assert b"to continue to <strong>Shop</strong>" in page.content
    response = submit_code(client, code_now())
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == url
    assert User.objects.get(pk=mfa_user.pk).application_id == oidc_app.pk
    follow = client.get(url)
    assert follow.status_code == HTTPStatus.FOUND
    assert follow["Location"].startswith("https://rp.example.com/callback?code=")
