"""The suite-wide guard (tests/audit_guard.py) sees the secrets tests make and would catch a leak.

The guard itself runs after every test of the suite; these tests prove it is armed.
"""

import json

import pytest

from audit.models import Log
from audit.recorder import Origin
from tests import audit_guard
from tests.audit.factories import LogFactory
from tests.factories import PASSWORD, UserFactory
from users import services

pytestmark = pytest.mark.django_db


def test_generated_passwords_and_their_hashes_are_registered_as_secrets():
    created = services.create_user(origin=Origin.system(), username="ann", generate=True)
    assert audit_guard.leaks([f"x{created.password}x"])
    assert audit_guard.leaks([created.user.password])


def test_passwords_given_to_a_user_are_registered_too():
    UserFactory().set_password("a-password-typed-by-a-test")
    assert audit_guard.leaks(["a-password-typed-by-a-test"])
    assert audit_guard.leaks([PASSWORD])


def test_personal_access_tokens_are_registered_when_made():
    tokens = pytest.importorskip("users.tokens")
    value = tokens.new_personal_access_token()
    assert audit_guard.leaks([value])
    assert audit_guard.leaks([tokens.digest(value)])


def test_mfa_secrets_and_backup_codes_are_registered_when_made():
    user = UserFactory()
    origin = Origin(channel="ManagementApi", actor_label="app")
    totp = services.enrol_totp(user, origin=origin)
    codes = services.enrol_backup_codes(user, origin=origin)
    assert audit_guard.leaks([totp.secret]) and audit_guard.leaks([totp.factor.secret])
    assert audit_guard.leaks([codes.codes[0]])
    assert audit_guard.leaks([json.loads(codes.factor.secret)[0]["hash"]])


def test_any_password_hash_counts_as_a_leak():
    assert audit_guard.leaks(["argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"])
    assert audit_guard.leaks(["pbkdf2_sha256$1000000$salt$hash"])


def test_a_log_row_holding_a_secret_is_caught_anywhere_in_it(register_secret):
    register_secret("tok_9f8e7d6c5b4a")
    log = LogFactory.build(payload={"changes": {"note": {"new": "was tok_9f8e7d6c5b4a!"}}})
    assert audit_guard.leaks(audit_guard.log_texts(log))
    log = LogFactory.build(user_agent="curl tok_9f8e7d6c5b4a")
    assert audit_guard.leaks(audit_guard.log_texts(log))


def test_rows_are_captured_as_they_are_written():
    LogFactory(payload={"a": "harmless"})
    assert any("harmless" in texts for _, texts in audit_guard._written)


def test_short_values_are_not_registered_so_they_cannot_match_by_accident(register_secret):
    register_secret("abc")
    assert not audit_guard.leaks(["abcdef"])


def test_ordinary_log_rows_are_clean():
    services.create_user(origin=Origin.system(), username="bob", generate=True)
    texts = [t for log in Log.objects.all() for t in audit_guard.log_texts(log)]
    assert texts and not audit_guard.leaks(texts)
