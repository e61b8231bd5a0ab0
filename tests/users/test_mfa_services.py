"""The MFA verbs of users.services: enrol a TOTP or backup codes, verify a code at sign-in; the
secrets at rest (encrypted TOTP secret, keyed hashes of backup codes) and key rotation."""

import hashlib
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from django.core.management import call_command

from audit.models import Log
from audit.recorder import Origin
from tests.factories import UserFactory
from users import mfa, services
from users.errors import MfaRefused
from users.models import MfaFactor

pytestmark = pytest.mark.django_db

API = Origin(channel="ManagementApi", actor_label="app", application_id="app")
SIGN_IN = Origin(channel="Interaction")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SHORT_SECRET = "JBSWY3DPEHPK3PXP"  # 80 bits: under pyotp's minimum, accepted for imports
CODES = [f"{i:02d}ab34cd5e" for i in range(10)]


def wrong_totp_code() -> str:
    """A six-digit code that none of the accepted time steps produces."""
    totp, now = pyotp.TOTP(SECRET), datetime.now(UTC)
    window = {totp.at(now + timedelta(seconds=d)) for d in (-60, -30, 0, 30, 60)}
    return next(c for c in ("000000", "000001", "000002", "999999") if c not in window)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def enrolled(user):
    services.enrol_totp(user, origin=API, secret=SECRET)
    services.enrol_backup_codes(user, origin=API, codes=CODES)
    return user


def test_a_user_without_factors_needs_no_second_step(user):
    assert not services.needs_mfa(user)


def test_a_user_with_an_authenticator_needs_a_second_step(enrolled):
    assert services.needs_mfa(enrolled)


def test_a_code_from_the_authenticator_verifies_and_is_noted(enrolled):
    factor = services.verify_mfa_code(enrolled, pyotp.TOTP(SECRET).now(), origin=SIGN_IN)
    assert factor.type == "Totp"
    factor.refresh_from_db()
    assert factor.last_used_at is not None
    assert factor.details["lastUsedTimeStep"] > 0
    log = Log.objects.get(key="Interaction.SignIn.Verification.Totp.Submit")
    assert log.result == Log.Result.SUCCESS and log.user_id == enrolled.pk


def test_a_code_from_the_previous_step_still_verifies_but_not_two_steps_back(enrolled):
    totp = pyotp.TOTP(SECRET)
    now = datetime.now(UTC)
    assert mfa.totp_time_step(SECRET, totp.at(now - timedelta(seconds=30)), now=now)
    assert mfa.totp_time_step(SECRET, totp.at(now - timedelta(seconds=90)), now=now) is None


def test_a_wrong_code_is_refused_and_audited_as_an_error(enrolled):
    assert services.verify_mfa_code(enrolled, wrong_totp_code(), origin=SIGN_IN) is None
    assert services.verify_mfa_code(enrolled, "abcdefabcd", origin=SIGN_IN) is None
    log = Log.objects.get(key="Interaction.SignIn.Verification.BackupCode.Submit")
    assert log.result == Log.Result.ERROR


def test_a_backup_code_works_once(enrolled):
    factor = services.verify_mfa_code(enrolled, CODES[3].upper(), origin=SIGN_IN)
    assert factor.type == "BackupCode"
    factor.refresh_from_db()
    assert factor.details["remainCodes"] == 9 and factor.last_used_at is not None
    assert services.verify_mfa_code(enrolled, CODES[3], origin=SIGN_IN) is None
    assert services.verify_mfa_code(enrolled, CODES[4], origin=SIGN_IN) is not None


def test_backup_codes_are_stored_as_keyed_hashes(enrolled):
    factor = MfaFactor.objects.get(user=enrolled, type="BackupCode")

    plain_sha = {hashlib.sha256(c.encode()).hexdigest() for c in CODES}
    assert not any(c in factor.secret for c in CODES)
    assert not any(h in factor.secret for h in plain_sha)


def test_backup_codes_alone_are_refused_even_after_the_authenticator_goes(user):
    services.enrol_totp(user, origin=API)
    services.enrol_backup_codes(user, origin=API)
    services.remove_mfa_factor(user.mfa_factors.get(type="Totp"), origin=API)
    for code_set in user.mfa_factors.all():
        services.remove_mfa_factor(code_set, origin=API)
    with pytest.raises(MfaRefused) as refused:
        services.enrol_backup_codes(user, origin=API)
    assert refused.value.code == "session.mfa.backup_code_can_not_be_alone"


def test_backup_code_enrolment_is_audited_without_the_codes(user):
    services.enrol_totp(user, origin=API)
    enrolled = services.enrol_backup_codes(user, origin=API)
    logs = Log.objects.filter(key="ManagementApi.User.MfaFactor.Create")
    assert sorted(log.payload["type"] for log in logs) == ["BackupCode", "Totp"]
    assert {"id": enrolled.factor.pk, "type": "BackupCode"} in [log.payload for log in logs]


def test_a_secret_from_another_key_does_not_open(enrolled, settings):
    settings.MFA_ENCRYPTION_KEY = mfa.new_encryption_key()
    factor = enrolled.mfa_factors.get(type="Totp")
    assert mfa.decrypt_secret(factor.secret) is None
    assert services.verify_mfa_code(enrolled, pyotp.TOTP(SECRET).now(), origin=SIGN_IN) is None


def test_key_rotation_keeps_secrets_and_codes_working(enrolled, settings):
    old = mfa.new_encryption_key()
    settings.MFA_ENCRYPTION_KEY = old
    user = UserFactory()
    services.enrol_totp(user, origin=API, secret=SECRET)
    services.enrol_backup_codes(user, origin=API, codes=CODES)
    new = mfa.new_encryption_key()
    settings.MFA_ENCRYPTION_KEY = f"{new},{old}"
    call_command("rotate_mfa_secrets", verbosity=0)
    settings.MFA_ENCRYPTION_KEY = new
    # The TOTP secret was re-encrypted with the new key alone...
    assert mfa.decrypt_secret(user.mfa_factors.get(type="Totp").secret) == SECRET
    # ... backup codes hashed under the old key need it listed (they cannot be re-hashed).
    assert services.verify_mfa_code(user, CODES[0], origin=SIGN_IN) is None
    settings.MFA_ENCRYPTION_KEY = f"{new},{old}"
    assert services.verify_mfa_code(user, CODES[0], origin=SIGN_IN) is not None


def test_without_a_setting_the_key_comes_from_secret_key(enrolled, settings):
    factor = enrolled.mfa_factors.get(type="Totp")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-" * 2
    assert mfa.decrypt_secret(factor.secret) == SECRET  # through the fallback
    settings.SECRET_KEY_FALLBACKS = []
    assert mfa.decrypt_secret(factor.secret) is None


def test_an_imported_80_bit_secret_verifies(user):
    """pyotp refuses secrets under 112 bits; the spec accepts 16 base32 characters."""
    services.enrol_totp(user, origin=API, secret=SHORT_SECRET)
    code = mfa.totp(SHORT_SECRET).now()
    assert services.verify_mfa_code(user, code, origin=SIGN_IN) is not None


def test_the_command_prints_a_usable_new_key(settings, capsys):
    call_command("rotate_mfa_secrets", "--new-key")
    key = capsys.readouterr().out.strip()
    settings.MFA_ENCRYPTION_KEY = key
    assert mfa.decrypt_secret(mfa.encrypt_secret("abc")) == "abc"


def test_a_malformed_key_setting_stops_with_a_clear_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MFA_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured, match="MFA_ENCRYPTION_KEY"):
        mfa.encrypt_secret("abc")
