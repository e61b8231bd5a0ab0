"""POST /api/users/:id/mfa-verifications (spec §6.12): TOTP and backup codes, each refusal."""

import base64
from http import HTTPStatus
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from audit.models import Log
from tests.factories import SuperuserFactory, UserFactory
from users import mfa
from users.models import MfaFactor

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODES = [f"{i:02d}ab34cd5e" for i in range(10)]


@pytest.fixture
def user(db):
    return UserFactory(name="Ann Example", primary_email="ann@example.com")


def url(user):
    return f"/api/users/{user.pk}/mfa-verifications"


def enrol_totp(api, user, **body):
    return api.post(url(user), {"type": "Totp", **body})


def qr_text(data_uri: str) -> bytes:
    prefix = "data:image/png;base64,"
    assert data_uri.startswith(prefix)
    png = base64.b64decode(data_uri[len(prefix) :])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return png


def test_totp_enrolment_answers_a_generated_secret_and_its_qr_code(api, user):
    response = enrol_totp(api, user)
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"type", "secret", "secretQrCode"}
    assert body["type"] == "Totp"
    assert len(body["secret"]) == 32 and mfa.is_valid_totp_secret(body["secret"])
    qr_text(body["secretQrCode"])
    assert response["Cache-Control"] == "no-store"


def test_the_qr_code_encodes_an_otpauth_uri_with_host_and_display_name(api, user):
    body = enrol_totp(api, user, secret=SECRET).json()
    assert body["secret"] == SECRET
    uri = mfa.otpauth_uri(SECRET, label="Ann Example", issuer="testserver")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/testserver:Ann Example"
    assert parse_qs(parts.query) == {"secret": [SECRET], "issuer": ["testserver"]}
    # The same URI, rendered the same way, is the PNG we answered.
    assert body["secretQrCode"] == mfa.qr_data_uri(uri)


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"name": "Ann", "primary_email": "a@example.com"}, "Ann"),
        ({"name": "", "primary_email": "a@example.com"}, "a@example.com"),
        ({"name": "", "primary_email": None, "primary_phone": "442079460958"}, "+44 20 7946 0958"),
        ({"name": "", "primary_email": None, "username": "ann_1"}, "ann_1"),
        ({"name": "", "primary_email": None, "username": None}, "Unnamed User"),
    ],
)
def test_the_account_label_is_the_users_display_name(db, fields, label):
    assert mfa.display_label(UserFactory(**fields)) == label


def test_the_stored_secret_is_encrypted_and_opens_with_the_key(api, user):
    enrol_totp(api, user, secret=SECRET)
    factor = MfaFactor.objects.get(user=user)
    assert SECRET not in factor.secret
    assert mfa.decrypt_secret(factor.secret) == SECRET


def test_a_second_totp_is_422_totp_already_in_use(api, user):
    enrol_totp(api, user)
    response = enrol_totp(api, user)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.totp_already_in_use"
    assert MfaFactor.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    "secret",
    ["JBSWY3DPEHPK3PX", "J" * 33, "jbswy3dpehpk3pxp", "JBSWY3DPEHPK3PX1", "JBSWY3DPEHPK3PX=A", ""],
)
def test_a_malformed_secret_is_422_totp_secret_invalid(api, user, secret):
    response = enrol_totp(api, user, secret=secret)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.totp_secret_invalid"
    assert not MfaFactor.objects.exists()


def test_a_padded_secret_is_accepted(api, user):
    assert enrol_totp(api, user, secret="JBSWY3DPEHPK3PXPJA======").status_code == HTTPStatus.OK


def test_enrolment_is_audited_without_the_secret(api, user):
    body = enrol_totp(api, user).json()
    log = Log.objects.get(key="ManagementApi.User.MfaFactor.Create")
    assert log.user_id == user.pk
    assert log.payload["type"] == "Totp"
    assert body["secret"] not in str(log.payload)


def test_backup_codes_need_another_factor_first(api, user):
    response = api.post(url(user), {"type": "BackupCode"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "session.mfa.backup_code_can_not_be_alone"
    assert not MfaFactor.objects.exists()


def test_backup_codes_are_ten_hex_codes_stored_hashed(api, user):
    enrol_totp(api, user)
    response = api.post(url(user), {"type": "BackupCode"})
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["type"] == "BackupCode"
    codes = body["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 10 and set(c) <= set("0123456789abcdef") for c in codes)
    factor = MfaFactor.objects.get(user=user, type="BackupCode")
    assert not any(code in factor.secret for code in codes)
    assert response["Cache-Control"] == "no-store"


def test_the_list_shows_the_remaining_backup_codes(api, user):
    enrol_totp(api, user)
    api.post(url(user), {"type": "BackupCode", "codes": CODES})
    listed = api.get(url(user)).json()
    assert [f["type"] for f in listed] == ["Totp", "BackupCode"]
    assert listed[1]["remainCodes"] == 10
    assert "secret" not in str(listed) and "codes" not in listed[1]


def test_supplied_codes_are_kept_lower_case(api, user):
    enrol_totp(api, user)
    codes = [c.upper() for c in CODES]
    response = api.post(url(user), {"type": "BackupCode", "codes": codes})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["codes"] == CODES


@pytest.mark.parametrize(
    "codes",
    [
        CODES[:9],
        [*CODES, "ffffffffff"],
        [*CODES[:9], "xyzxyzxyzx"],
        [*CODES[:9], "abc"],
        [*CODES[:9], CODES[0]],
        [],
    ],
    ids=["nine", "eleven", "not-hex", "short", "duplicate", "empty"],
)
def test_malformed_codes_are_422_wrong_backup_code_format(api, user, codes):
    enrol_totp(api, user)
    response = api.post(url(user), {"type": "BackupCode", "codes": codes})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.wrong_backup_code_format"
    assert not MfaFactor.objects.filter(type="BackupCode").exists()


def test_a_set_with_unused_codes_is_422_backup_code_already_in_use(api, user):
    enrol_totp(api, user)
    api.post(url(user), {"type": "BackupCode"})
    response = api.post(url(user), {"type": "BackupCode"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["code"] == "user.backup_code_already_in_use"


def test_a_used_up_set_stays_and_a_new_one_is_added(api, user):
    from audit.recorder import Origin
    from users import services

    enrol_totp(api, user)
    api.post(url(user), {"type": "BackupCode", "codes": CODES})
    origin = Origin(channel="Interaction")
    for code in CODES:
        assert services.verify_mfa_code(user, code, origin=origin) is not None
    response = api.post(url(user), {"type": "BackupCode"})
    assert response.status_code == HTTPStatus.OK
    listed = api.get(url(user)).json()
    assert [f.get("remainCodes") for f in listed] == [None, 0, 10]


@pytest.mark.parametrize(
    "body",
    [
        {"type": "WebAuthn"},
        {"type": "EmailVerificationCode"},
        {"type": "totp"},
        {"secret": SECRET},
        {"type": "Totp", "codes": CODES},
        {"type": "BackupCode", "secret": SECRET},
        {"type": "Totp", "secret": 12345},
        {"type": "BackupCode", "codes": "0123456789"},
    ],
)
def test_other_types_and_wrong_fields_are_400(api, user, body):
    response = api.post(url(user), body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["code"]
    assert not MfaFactor.objects.exists()


def test_an_unknown_user_is_404(api, db):
    response = api.post("/api/users/nosuchuser000/mfa-verifications", {"type": "Totp"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "entity.not_found"


def test_a_console_admin_is_refused(api, db):
    admin = SuperuserFactory()
    response = api.post(url(admin), {"type": "Totp"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not MfaFactor.objects.exists()


def test_no_token_is_401(anonymous_api, user):
    assert anonymous_api.post(url(user), {"type": "Totp"}).status_code == HTTPStatus.UNAUTHORIZED


def test_the_enrolled_secret_generates_codes_the_service_accepts(api, user):
    from audit.recorder import Origin
    from users import services

    secret = enrol_totp(api, user).json()["secret"]
    code = pyotp.TOTP(secret).now()
    origin = Origin(channel="Interaction")
    assert services.verify_mfa_code(user, code, origin=origin).type == "Totp"
    # The same code again is a replay.
    assert services.verify_mfa_code(user, code, origin=origin) is None
