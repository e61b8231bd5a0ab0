"""One rule for how a console form answers a refusal, whichever view it is.

400 the input is invalid · 409 it conflicts with what is stored (a name or identifier already in
use, a stale form) · 403 the act is refused (users.errors.GuardError carries its own status).
The body is always the form fragment with its error; htmx swaps 4xx bodies into their target
(the htmx-config meta tag in templates/base.html), never 5xx.
"""

from http import HTTPStatus

from django.core.exceptions import ValidationError

from users.errors import ServiceError

CONFLICT_CODES = frozenset({"unique", "stale", "already_staff"})


def refusal_status(error: ValidationError) -> HTTPStatus:
    """409 when any of the errors is a conflict with stored data, 400 otherwise."""
    codes = {getattr(e, "code", None) for e in _leaves(error)}
    return HTTPStatus.CONFLICT if codes & CONFLICT_CODES else HTTPStatus.BAD_REQUEST


def _leaves(error: ValidationError):
    if hasattr(error, "error_dict"):
        for errors in error.error_dict.values():
            for e in errors:
                yield from _leaves(e)
    elif hasattr(error, "error_list") and error.error_list != [error]:
        for e in error.error_list:
            yield from _leaves(e)
    else:
        yield error


def refuse(form, error: ValidationError | ServiceError) -> HTTPStatus:
    """Put a service's refusal on the form (on its fields where it names them); its status."""
    if isinstance(error, ServiceError):
        form.add_error(None, error.message)
        return error.status
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
    return refusal_status(error)
