import secrets
import string

ID_ALPHABET = string.digits + string.ascii_lowercase


def generate_id(length: int = 12) -> str:
    """A random id of lowercase letters and digits, as Logto's ids are (users 12, others 21)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def generate_user_id() -> str:
    return generate_id(12)


def generate_long_id() -> str:
    return generate_id(21)
