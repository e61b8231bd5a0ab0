"""How identifiers are normalised and validated: one place for the console, the API and seeding.

Each function takes what a person typed and returns the stored form, or raises ValidationError
with a code from users.errors.
"""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

USERNAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_IDENTIFIER_LENGTH = 128
_email_validator = EmailValidator()
_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s().-]+\Z")


def _trimmed(value: str | None, kind: str) -> str | None:
    """The identifier without surrounding spaces, None when empty; at most 128 characters."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise ValidationError("Use at most 128 characters.", code=f"{kind}_too_long")
    return value


def normalize_username(value: str | None) -> str | None:
    """Usernames: a letter or underscore, then letters, digits or underscores (Logto's rule)."""
    value = _trimmed(value, "username")
    if value is None:
        return None
    if not USERNAME_RE.match(value):
        raise ValidationError(
            "Use letters, digits and underscores, starting with a letter or underscore.",
            code="invalid_username",
        )
    return value


def normalize_email(value: str | None) -> str | None:
    """Emails are trimmed and their domain lower-cased; uniqueness ignores case entirely."""
    value = _trimmed(value, "email")
    if value is None:
        return None
    try:
        _email_validator(value)
    except ValidationError:
        raise ValidationError("Enter a valid email address.", code="invalid_email") from None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_phone(value: str | None) -> str | None:
    """Phones are stored in E.164 without the `+` (Logto's wire form): country code + number."""
    value = (value or "").strip()
    if not value:
        return None
    if not _PHONE_CHARS_RE.match(value):
        raise ValidationError(
            "Enter a phone number with its country code, like +1 202 555 0143.",
            code="invalid_phone",
        )
    digits = re.sub(r"\D", "", value)
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            "Enter a valid phone number with its country code, like +1 202 555 0143.",
            code="invalid_phone",
        )
    return f"{parsed.country_code}{parsed.national_number}"


@functools.lru_cache(maxsize=4096)
def format_phone(stored: str | None) -> str:
    """The stored digits as a person reads them: +44 20 7946 0958."""
    if not stored:
        return ""
    try:
        parsed = phonenumbers.parse("+" + stored)
    except phonenumbers.NumberParseException:
        return "+" + stored
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
