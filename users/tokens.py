"""Personal access tokens: made here, stored as SHA-256, checked on every use."""

import hashlib
import hmac
import secrets
import string

TOKEN_PREFIX = "pat_"
TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 32  # 32 characters of 62: ~190 bits


def new_personal_access_token() -> str:
    return TOKEN_PREFIX + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def user_for_personal_access_token(value: str):
    """The user a token belongs to, or None: unknown, altered, expired, or the user is suspended.

    Suspension is checked here on every use, so revocation never depends on a cleanup having run.
    """
    from users.models import PersonalAccessToken

    if not isinstance(value, str) or not value.startswith(TOKEN_PREFIX):
        return None
    if len(value) != len(TOKEN_PREFIX) + TOKEN_LENGTH:
        return None
    wanted = digest(value)
    token = PersonalAccessToken.objects.select_related("user").filter(token_hash=wanted).first()
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    if token.is_expired or not token.user.is_active:
        return None
    return token.user
