"""The mechanics of second factors: TOTP secrets (encrypted at rest), backup codes (keyed hashes),
the otpauth QR code. No database writes here: the verbs are in users.services.

Keys: `MFA_ENCRYPTION_KEY` holds one or more Fernet keys, comma-separated, newest first; the
first encrypts, every one decrypts (rotation: put the new key first, run `manage.py
rotate_mfa_secrets`, then drop the old one; see docs/mfa.md). Unset, one key is derived from
SECRET_KEY with HKDF (and one from each of SECRET_KEY_FALLBACKS, for decryption only).

Backup codes are 40 random bits: a plain SHA-256 of one is found by brute force offline in
minutes, so each code is stored as HMAC-SHA256 under a key derived from the same key material,
over the factor's id and the code. A stolen database alone gives nothing to search against.
"""

import base64
import binascii
import hashlib
import hmac
import io
import re
import secrets
from datetime import UTC, datetime
from functools import cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TOTP_STEP_SECONDS = 30
TOTP_WINDOW = 1  # steps either side of now (spec §6.12: ±30 s)
TOTP_DIGITS = 6
BACKUP_CODE_COUNT = 10
BACKUP_CODE_LENGTH = 10  # hex characters: 40 bits

_TOTP_SECRET_RE = re.compile(r"^[A-Z2-7]+=*\Z")
_BACKUP_CODE_RE = re.compile(r"^[0-9a-fA-F]{10}\Z")
_TOTP_CODE_RE = re.compile(r"^[0-9]{6}\Z")


# --- Keys -------------------------------------------------------------------------------------


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"gatehouse.mfa", info=purpose).derive(
        secret.encode()
    )


def _key_material() -> tuple[bytes, ...]:
    """The raw 32-byte keys, newest first."""
    configured = getattr(settings, "MFA_ENCRYPTION_KEY", "") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if keys:
        raw = []
        for key in keys:
            try:
                decoded = base64.urlsafe_b64decode(key)
            except (binascii.Error, ValueError):
                decoded = b""
            if len(decoded) != 32:
                raise ImproperlyConfigured(
                    "MFA_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64 bytes), "
                    "comma-separated: make one with `manage.py rotate_mfa_secrets --new-key`."
                )
            raw.append(decoded)
        return tuple(raw)
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return tuple(_derive(k, b"mfa-encryption") for k in secret_keys)


@cache
def _fernet_for(material: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(k)) for k in material])


def _fernet() -> MultiFernet:
    return _fernet_for(_key_material())


def new_encryption_key() -> str:
    return Fernet.generate_key().decode()


def encrypt_secret(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    """The secret, or None when no configured key opens it (or it is not a token at all)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        return None


def reencrypt_secret(token: str) -> str | None:
    """The token encrypted again with the newest key (None if no key opens it)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except (InvalidToken, ValueError, TypeError):
        return None


# --- TOTP -------------------------------------------------------------------------------------


def generate_totp_secret() -> str:
    """20 random bytes as 32 base32 characters."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def is_valid_totp_secret(secret) -> bool:
    """16-32 characters of upper-case base32, optional `=` padding, and decodable."""
    if not isinstance(secret, str) or not 16 <= len(secret) <= 32:
        return False
    if not _TOTP_SECRET_RE.match(secret):
        return False
    bare = secret.rstrip("=")
    try:
        base64.b32decode(bare + "=" * (-len(bare) % 8))
    except (binascii.Error, ValueError):
        return False
    return True


class _ImportedTotp(pyotp.TOTP):
    """pyotp's TOTP without its 112-bit minimum (NIST SP 800-63B): the spec accepts imported
    secrets of 16 base32 characters (80 bits, the classic authenticator length) so users moved
    from another system keep their authenticator. Secrets we generate are 160 bits."""

    def byte_secret(self) -> bytes:
        bare = self.secret.rstrip("=")
        return base64.b32decode(bare + "=" * (-len(bare) % 8))


def totp(secret: str) -> pyotp.TOTP:
    return _ImportedTotp(secret.rstrip("="), digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)


def totp_time_step(secret: str, code: str, *, after_step=None, now=None) -> int | None:
    """The time step the code belongs to (within ±TOTP_WINDOW of now), or None. A step at or
    before `after_step` (the last one used) is refused: a code works once."""
    if not isinstance(code, str) or not _TOTP_CODE_RE.match(code):
        return None
    now = now or datetime.now(UTC)
    generator = totp(secret)
    current = int(now.timestamp()) // TOTP_STEP_SECONDS
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(generator.generate_otp(step), code):
            return step
    return None


def display_label(user) -> str:
    """The account label in an authenticator: name, email, formatted phone, username (spec)."""
    return (
        user.name
        or user.primary_email
        or (user.formatted_phone if user.primary_phone else "")
        or user.username
        or "Unnamed User"
    )


def otpauth_uri(secret: str, *, label: str, issuer: str) -> str:
    return totp(secret).provisioning_uri(name=label, issuer_name=issuer)


def qr_data_uri(text: str) -> str:
    """A PNG QR code of `text`, as a data: URI."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=5, border=4)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# --- Backup codes -----------------------------------------------------------------------------


def generate_backup_codes() -> list[str]:
    return [secrets.token_hex(BACKUP_CODE_LENGTH // 2) for _ in range(BACKUP_CODE_COUNT)]


def are_valid_backup_codes(codes) -> bool:
    """Exactly ten different strings of ten hexadecimal characters (any case)."""
    if not isinstance(codes, list) or len(codes) != BACKUP_CODE_COUNT:
        return False
    if not all(isinstance(c, str) and _BACKUP_CODE_RE.match(c) for c in codes):
        return False
    return len({c.lower() for c in codes}) == BACKUP_CODE_COUNT


def looks_like_backup_code(code: str) -> bool:
    return bool(_BACKUP_CODE_RE.match(code or ""))


def _hash_keys() -> list[bytes]:
    return [_derive_from_raw(k) for k in _key_material()]


@cache
def _derive_from_raw(raw: bytes) -> bytes:
    return hmac.new(raw, b"gatehouse.mfa.backup-code", hashlib.sha256).digest()


def hash_backup_code(factor_id: str, code: str, key: bytes | None = None) -> str:
    key = key if key is not None else _hash_keys()[0]
    message = f"{factor_id}:{code.lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def matching_code_index(factor_id: str, records: list[dict], code: str) -> int | None:
    """The index of the unused stored code that `code` is, or None. Every configured key is
    tried, so codes hashed before a key rotation keep working while the old key is listed."""
    if not looks_like_backup_code(code):
        return None
    candidates = [hash_backup_code(factor_id, code, key) for key in _hash_keys()]
    found = None
    for index, record in enumerate(records):
        if record.get("usedAt"):
            continue
        stored = str(record.get("hash", ""))
        if any(hmac.compare_digest(stored, c) for c in candidates) and found is None:
            found = index
    return found
