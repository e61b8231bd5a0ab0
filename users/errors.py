"""Errors the service layer raises besides ValidationError (bad input, 400/422).

Each carries a stable code, shared by the console and the API, and the HTTP status it maps to.
"""

from http import HTTPStatus

from django.core.exceptions import ValidationError


def field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    """Bad input in one field: a form shows `message` under it, the API names the field."""
    return ValidationError({field: [ValidationError(message, code=code)]})


class ServiceError(Exception):
    code = "service_error"
    status = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class StaleError(ServiceError):
    """The user changed since the form was opened: reload rather than overwrite."""

    code = "user.stale"
    status = HTTPStatus.CONFLICT


class GuardError(ServiceError):
    """The act is refused whatever the input: suspending yourself, changing a staff account..."""

    code = "user.forbidden"
    status = HTTPStatus.FORBIDDEN


class ConfirmationRequired(ServiceError):
    """The act would lock the user out: it needs an explicit confirmation."""

    code = "user.confirmation_required"
    status = HTTPStatus.CONFLICT


class MfaRefused(ServiceError):
    """An MFA enrolment the rules refuse: one TOTP per user, backup codes need another factor,
    a supplied secret or code list of the wrong shape (Logto's 422 codes)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
