"""The verbs of the directory. Every change to a user goes through one of these functions: it
validates, owns the transaction and writes the audit row, so the console and the API agree.
"""

import secrets
import string
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from audit.recorder import Origin, record
from users.identifiers import normalize_email, normalize_phone, normalize_username
from users.models import User

# No 0/O, 1/l/I: a generated password is read off a screen and typed elsewhere.
PASSWORD_ALPHABET = "".join(
    c for c in string.ascii_letters + string.digits + "-_.!@#%+=" if c not in "0O1lI"
)
GENERATED_PASSWORD_LENGTH = 20
IDENTIFIER_FIELDS = ("username", "primary_email", "primary_phone")
_NORMALIZERS = {
    "username": normalize_username,
    "primary_email": normalize_email,
    "primary_phone": normalize_phone,
}
_TAKEN_MESSAGES = {
    "username": "This username is already in use.",
    "primary_email": "This email is already in use.",
    "primary_phone": "This phone number is already in use.",
}


def generate_password(length: int = GENERATED_PASSWORD_LENGTH) -> str:
    """A random password with at least one lower-case letter, upper-case letter and digit."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def normalize_identifiers(values: dict) -> dict:
    """Normalise the identifiers present in `values`; raise one ValidationError naming each field."""
    cleaned, errors = {}, {}
    for field, normalize in _NORMALIZERS.items():
        if field not in values:
            continue
        try:
            cleaned[field] = normalize(values[field])
        except ValidationError as error:
            errors[field] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


def find_identifier_conflicts(identifiers: dict, *, exclude_id: str | None = None) -> dict:
    """The identifiers already used by another user, as field -> ValidationError(code="unique")."""
    conflicts = {}
    for field, value in identifiers.items():
        if not value:
            continue
        if field == "primary_phone":
            taken = User.objects.filter(primary_phone=value)
        else:
            taken = User.objects.annotate(_v=Lower(field)).filter(_v=value.lower())
        if exclude_id:
            taken = taken.exclude(pk=exclude_id)
        if taken.exists():
            conflicts[field] = [ValidationError(_TAKEN_MESSAGES[field], code="unique")]
    return conflicts


@dataclass(frozen=True)
class CreatedUser:
    user: User
    # The generated password, for the one response that shows it; never stored anywhere.
    password: str | None


def create_user(
    *,
    origin: Origin,
    username=None,
    primary_email=None,
    primary_phone=None,
    name="",
    password: str | None = None,
    generate: bool = False,
    require_identifier: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> CreatedUser:
    """Create a user with at least one identifier; generate a password if asked to."""
    identifiers = normalize_identifiers(
        {"username": username, "primary_email": primary_email, "primary_phone": primary_phone}
    )
    if require_identifier and not any(identifiers.values()):
        raise ValidationError(
            "Enter at least one of email, phone or username.", code="identifier_required"
        )
    if conflicts := find_identifier_conflicts(identifiers):
        raise ValidationError(conflicts)
    name = (name or "").strip()
    if len(name) > 128:
        raise ValidationError(
            {"name": [ValidationError("Use at most 128 characters.", "too_long")]}
        )
    if generate:
        password = generate_password()

    user = User(
        name=name, is_staff=is_staff or is_superuser, is_superuser=is_superuser, **identifiers
    )
    if password:
        user.set_password(password)
        user.password_updated_at = timezone.now()
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            record(
                "User.Create",
                origin=origin,
                user=user,
                payload={
                    "username": user.username,
                    "primaryEmail": user.primary_email,
                    "primaryPhone": user.primary_phone,
                    "name": user.name,
                    "hasPassword": bool(password),
                    "isStaff": user.is_staff,
                    "isSuperuser": user.is_superuser,
                },
            )
    except IntegrityError:
        # A concurrent create took an identifier between our check and our insert.
        if conflicts := find_identifier_conflicts(identifiers):
            raise ValidationError(conflicts) from None
        raise
    return CreatedUser(user=user, password=password if generate else None)
