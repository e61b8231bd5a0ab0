"""Refused acts go into the audit log from here, the one place every refusal passes through.

A refusal is a signed-in user's change request (POST, PUT, PATCH, DELETE) that answered 403
(PermissionDenied from a permission check, a GuardError, a CSRF failure) or 409 (StaleError, a
conflict). The row is written after the view returned, so after the refused service call's
transaction has rolled back: the refusal survives it. Invalid input (400) is not a refusal.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.utils.encoding import escape_uri_path

from audit.recorder import Origin, record_refusal

logger = logging.getLogger(__name__)

REFUSED_STATUSES = {403, 409}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_PATH = 512


class RefusedActsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in REFUSED_STATUSES
            and request.method in UNSAFE_METHODS
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            self._record(request, response.status_code)
        return response

    def _record(self, request, status):
        match = request.resolver_match
        payload = {
            "method": request.method,
            "path": escape_uri_path(request.path)[:MAX_PATH],
            "view": match.view_name if match else "",
        }
        try:
            record_refusal(
                Origin.from_request(request),
                status=status,
                user=_target_user(match.kwargs.get("user_id") if match else None),
                payload=payload,
            )
        except DatabaseError:
            # The act was refused either way; a lost audit row must not turn a 403 into a 500.
            logger.exception("Could not record a refused %s %s", request.method, payload["path"])


def _target_user(user_id):
    """The user the refused act was about, when the URL names one that can exist."""
    User = get_user_model()
    max_length = User._meta.pk.max_length
    if not user_id or len(user_id) > max_length or not (user_id.isascii() and user_id.isalnum()):
        return None
    return User.objects.filter(pk=user_id).first()
