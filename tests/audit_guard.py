"""pytest plugin: no secret made during the test run may appear in an audit row.

Every password set on a user (and its hash), every generated password, every token from
`secrets.token_*`, every personal access token (and its digest) and every new session key is
registered as a secret while the suite runs. Every
audit row saved (record() uses Log.objects.create) is captured as it is written, rolled back or
not, and after each test its texts (key, labels, user agent, every string in the payload) are
checked against all secrets registered so far, and for Django password-hash formats. A hit fails
that test. Nothing touches the database, so the check costs microseconds.

Tests that make a secret some other way register it with `register_secret(value)` (or the
fixture of the same name). Enabled by `pytest_plugins = ["tests.audit_guard"]` in tests/conftest.py.
"""

import re
import secrets as stdlib_secrets
import threading

import pytest

MIN_SECRET_LENGTH = 8  # shorter values would match by accident
# Django's password hash formats: a hash in an audit row is a leak whatever password it hides.
HASH_PATTERN = re.compile(
    r"(?:argon2(?:id)?|pbkdf2_sha1|pbkdf2_sha256|scrypt|bcrypt(?:_sha256)?)\$"
)

_secrets: set[str] = set()
_written: list[tuple[str, list[str]]] = []  # (log id, its texts) saved since the test began
_lock = threading.Lock()  # the live server of the browser tests writes from its own thread


def register_secret(value) -> None:
    if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def log_texts(log) -> list[str]:
    texts = [log.key, log.user_label, log.actor_label, log.user_agent, log.application_id]
    _strings(log.payload, texts)
    return [t for t in texts if t]


def leaks(texts: list[str]) -> list[str]:
    """What in `texts` is a registered secret or looks like a password hash."""
    with _lock:
        known = list(_secrets)
    found = []
    for text in texts:
        if HASH_PATTERN.search(text):
            found.append(f"a password hash in {text[:40]!r}...")
        found += [f"secret {s[:3]}… in {text[:40]!r}..." for s in known if s in text]
    return found


def _strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            out.append(str(key))
            _strings(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _strings(item, out)


def _capture(sender, instance, **kwargs):
    with _lock:
        _written.append((instance.pk, log_texts(instance)))


def _registering(function):
    def wrapper(*args, **kwargs):
        value = function(*args, **kwargs)
        register_secret(value)
        return value

    wrapper.__wrapped__ = function
    return wrapper


@pytest.fixture(scope="session", autouse=True)
def _audit_secret_traps():
    """Register secrets where they are made, and capture audit rows as they are written."""
    from django.contrib.sessions.backends.base import SessionBase
    from django.db.models.signals import post_save

    from audit.models import Log
    from tests.factories import PASSWORD
    from users import services
    from users.models import User

    original_set_password = User.set_password

    def set_password(self, raw_password):
        register_secret(raw_password)
        original_set_password(self, raw_password)
        register_secret(self.password)

    register_secret(PASSWORD)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(User, "set_password", set_password)
        patch.setattr(services, "generate_password", _registering(services.generate_password))
        for name in ("token_urlsafe", "token_hex"):
            patch.setattr(stdlib_secrets, name, _registering(getattr(stdlib_secrets, name)))
        patch.setattr(
            SessionBase, "_get_new_session_key", _registering(SessionBase._get_new_session_key)
        )
        _trap_personal_access_tokens(patch)
        _trap_mfa_secrets(patch)
        post_save.connect(_capture, sender=Log, weak=False, dispatch_uid="tests.audit_guard")
        try:
            yield
        finally:
            post_save.disconnect(sender=Log, dispatch_uid="tests.audit_guard")


def _trap_personal_access_tokens(patch):
    try:
        from users import tokens
    except ImportError:  # not every branch has personal access tokens
        return
    for name in ("new_personal_access_token", "digest"):
        if hasattr(tokens, name):
            patch.setattr(tokens, name, _registering(getattr(tokens, name)))


def _trap_mfa_secrets(patch):
    """TOTP secrets (and their encrypted form) and backup codes' hashes; the codes themselves
    come from secrets.token_hex, trapped above."""
    try:
        from users import mfa
    except ImportError:  # not every branch has MFA enrolment
        return
    for name in ("generate_totp_secret", "encrypt_secret", "hash_backup_code"):
        if hasattr(mfa, name):
            patch.setattr(mfa, name, _registering(getattr(mfa, name)))


@pytest.fixture(autouse=True)
def _no_secret_in_audit_rows():
    with _lock:
        _written.clear()
    yield
    with _lock:
        written = list(_written)
        _written.clear()
    problems = [f"log {pk}: {leak}" for pk, texts in written for leak in leaks(texts)]
    if problems:
        pytest.fail("Secrets in audit rows:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(name="register_secret")
def register_secret_fixture():
    """For tests that make a secret the traps above don't see: register_secret(value)."""
    return register_secret
