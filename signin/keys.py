"""The RSA key that signs ID tokens (RS256): generating one, and a per-process key for local use."""

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048


def generate_private_key_pem(bits: int = KEY_BITS) -> str:
    """A new RSA private key as unencrypted PKCS#8 PEM (what OIDC_RSA_PRIVATE_KEY holds)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


@lru_cache(maxsize=1)
def ephemeral_private_key() -> str:
    """One key for this process (tests, one-off local commands): tokens die with the process."""
    return generate_private_key_pem()
