"""Access token values: 256 random bits, URL-safe; only their SHA-256 is stored."""

import hashlib
import secrets

TOKEN_BYTES = 32


def generate_access_token(request=None) -> str:
    """oauth2_provider's ACCESS_TOKEN_GENERATOR (oauthlib passes the request; we need nothing)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def checksum(value: str) -> str:
    """What oauth2_provider stores (`token_checksum`) instead of the token."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
