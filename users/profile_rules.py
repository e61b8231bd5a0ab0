"""Validation of profile data — name, avatar, custom data and the OIDC standard claims — shared by
the console forms and the API. Errors are keyed by the console's field names."""

import datetime
import json
import math
import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_NAME = 128
MAX_URL = 2048
MAX_CLAIM = 256
CUSTOM_DATA_MAX_BYTES = 32 * 1024
CUSTOM_DATA_MAX_DEPTH = 16

# Stored camelCase as Logto's API sends them; the console's form fields are snake_case.
PROFILE_CLAIMS = {
    "givenName": "given_name",
    "familyName": "family_name",
    "middleName": "middle_name",
    "nickname": "nickname",
    "preferredUsername": "preferred_username",
    "profile": "profile_url",
    "website": "website",
    "gender": "gender",
    "birthdate": "birthdate",
    "zoneinfo": "zoneinfo",
    "locale": "locale",
}
ADDRESS_PARTS = {
    "formatted": "address_formatted",
    "streetAddress": "address_street",
    "locality": "address_locality",
    "region": "address_region",
    "postalCode": "address_postal_code",
    "country": "address_country",
}
URL_CLAIMS = {"profile", "website"}
_http_url = URLValidator(schemes=["http", "https"])
_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


@cache
def time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def _error(field, message, code="invalid"):
    return ValidationError({field: [ValidationError(message, code=code)]})


def _check_text(field, value, limit):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _error(field, "Enter text.")
    value = value.strip()
    if len(value) > limit:
        raise _error(field, f"Use at most {limit} characters.", "too_long")
    if "\x00" in value:
        raise _error(field, "Null characters are not allowed.", "null_character")
    return value


def clean_url(field, value):
    value = _check_text(field, value, MAX_URL)
    if value:
        try:
            _http_url(value)
        except ValidationError:
            raise _error(field, "Enter an http:// or https:// URL.") from None
    return value


def clean_custom_data(value):
    """A JSON object (dict), at most 32 KiB when serialised and 16 levels deep, no NUL characters,
    numbers finite (no NaN, Infinity or 1e999: PostgreSQL's jsonb cannot store them)."""
    field = "custom_data"
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_constant=_refuse_constant) if value.strip() else {}
        except _NotFinite:
            raise _not_finite() from None
        except RecursionError:
            raise _error(field, "Custom data is nested too deeply.", "too_deep") from None
        except ValueError as error:
            raise _error(
                field, f"Custom data is not valid JSON: {error}.", "invalid_json"
            ) from None
    if not isinstance(value, dict):
        raise _error(
            field, 'Custom data must be a JSON object, like {"plan": "pro"}.', "not_object"
        )
    if _depth(value) > CUSTOM_DATA_MAX_DEPTH:
        raise _error(
            field, f"Custom data may nest at most {CUSTOM_DATA_MAX_DEPTH} levels.", "too_deep"
        )
    if not _all_finite(value):
        raise _not_finite()
    try:
        encoded = json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        raise _error(field, "Custom data contains characters that are not valid text.") from None
    if len(encoded) > CUSTOM_DATA_MAX_BYTES:
        raise _error(field, "Custom data may be at most 32 KiB.", "too_large")
    if b"\\u0000" in json.dumps(value).encode():
        raise _error(field, "Null characters are not allowed.", "null_character")
    return value


class _NotFinite(ValueError):
    pass


def _refuse_constant(name):
    # json.loads accepts NaN, Infinity and -Infinity, which are not JSON; jsonb refuses them.
    raise _NotFinite(name)


def _not_finite():
    return _error(
        "custom_data",
        "Custom data numbers must be finite: NaN, Infinity and numbers too large to store "
        "(like 1e999) are not allowed.",
        "not_finite",
    )


def _all_finite(value) -> bool:
    """No NaN or infinite float anywhere (1e999 parses as infinity); the depth is already capped."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _depth(value, level=1):
    stack = [(value, level)]
    deepest = level
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > CUSTOM_DATA_MAX_DEPTH:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, (dict, list)))
    return deepest


def clean_profile(value: dict) -> dict:
    """Known OIDC claims only, each a string (birthdate a date, zoneinfo an IANA zone...)."""
    if not isinstance(value, dict):
        raise _error("profile", "Profile must be an object.")
    cleaned, errors = {}, {}
    for claim, field in PROFILE_CLAIMS.items():
        try:
            text = (
                clean_url(field, value.get(claim))
                if claim in URL_CLAIMS
                else _check_text(field, value.get(claim), MAX_CLAIM)
            )
            if text and claim == "birthdate":
                try:
                    datetime.date.fromisoformat(text)
                except ValueError:
                    raise _error(field, "Enter a date as YYYY-MM-DD.") from None
            if text and claim == "zoneinfo" and text not in time_zones():
                raise _error(field, "Choose a time zone from the list, like Europe/Paris.")
            if text and claim == "locale" and not _LOCALE_RE.match(text):
                raise _error(field, "Enter a language tag, like en or pt-BR.")
        except ValidationError as error:
            errors.update(error.error_dict)
            continue
        if text:
            cleaned[claim] = text
    address = value.get("address") or {}
    if not isinstance(address, dict):
        errors["address_formatted"] = [ValidationError("Address must be an object.")]
        address = {}
    cleaned_address = {}
    for part, field in ADDRESS_PARTS.items():
        try:
            text = _check_text(field, address.get(part), MAX_CLAIM)
        except ValidationError as error:
            errors.update(error.error_dict)
            continue
        if text:
            cleaned_address[part] = text
    if errors:
        raise ValidationError(errors)
    if cleaned_address:
        cleaned["address"] = cleaned_address
    return cleaned


def clean_profile_values(values: dict) -> dict:
    """Clean whichever of name, avatar, custom_data and profile are present; all errors at once."""
    cleaners = {
        "name": lambda v: _check_text("name", v, MAX_NAME),
        "avatar": lambda v: clean_url("avatar", v),
        "custom_data": clean_custom_data,
        "profile": clean_profile,
    }
    cleaned, errors = {}, {}
    for key, value in values.items():
        if key not in cleaners:
            raise ValidationError(f"Unknown field: {key}", code="unknown_field")
        try:
            cleaned[key] = cleaners[key](value)
        except ValidationError as error:
            errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned
